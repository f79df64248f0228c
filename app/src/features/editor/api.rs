//! Server functions of the editor (security staff and admins). Each is a public endpoint: it
//! authorizes in its first line, then hands a typed form to the server side. A form post is
//! answered with a redirect: onwards with a notice, or back to the form with a message next to
//! each field and what was typed.

use super::{
    forms::{BridgeLetterForm, ControlForm, FaqForm, FrameworkForm, ProfileForm, ReportForm, SubprocessorForm},
    model::{
        ContentOverview, ControlEditPage, FaqEditPage, FrameworkEditPage, ProfileEditPage, ReportEditPage,
        SubprocessorEditPage,
    },
};
use crate::{error::AppError, features::trust_center::model::TrustPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::server::{
        self as editor, control::Controls, faq::Faqs, framework::Frameworks, report::Reports,
        subprocessor::Subprocessors, Record,
    },
    crate::{
        features::accounts::model::StaffRole,
        ssr::{app_state, auth::require_role},
        types::IsoDate,
    },
    support::{save_or_remove, Editor},
};

/// Security: every record of the working copy, and what is not yet published.
#[server(prefix = "/api", endpoint = "content_list")]
pub async fn content_list() -> Result<ContentOverview, AppError> {
    require_role(StaffRole::Security)?;
    editor::overview::overview(&app_state()?.db).await
}

/// Security: one control (or a blank one) and the choices of its form.
#[server(prefix = "/api", endpoint = "control_edit")]
pub async fn control_edit(id: Option<i64>) -> Result<ControlEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(Controls::get(&app_state()?.db, id).await?),
        None => None,
    };
    let (categories, statuses) = editor::control::choices();
    Ok(ControlEditPage { item, categories, statuses })
}

/// Security: saves (or with `delete`, removes) a control.
#[server(prefix = "/api", endpoint = "save_control")]
pub async fn save_control(
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: ControlForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    save_or_remove::<Controls>(&editor, id, &delete, &form, |_| form.parse()).await
}

/// Security: one subprocessor (or a blank one).
#[server(prefix = "/api", endpoint = "subprocessor_edit")]
pub async fn subprocessor_edit(id: Option<i64>) -> Result<SubprocessorEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(Subprocessors::get(&app_state()?.db, id).await?),
        None => None,
    };
    Ok(SubprocessorEditPage { item })
}

/// Security: saves (or with `delete`, removes) a subprocessor.
#[server(prefix = "/api", endpoint = "save_subprocessor")]
pub async fn save_subprocessor(
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: SubprocessorForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    save_or_remove::<Subprocessors>(&editor, id, &delete, &form, |_| form.parse()).await
}

/// Security: one FAQ entry (or a blank one).
#[server(prefix = "/api", endpoint = "faq_edit")]
pub async fn faq_edit(id: Option<i64>) -> Result<FaqEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(Faqs::get(&app_state()?.db, id).await?),
        None => None,
    };
    Ok(FaqEditPage { item })
}

/// Security: saves (or with `delete`, removes) a FAQ entry.
#[server(prefix = "/api", endpoint = "save_faq")]
pub async fn save_faq(
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: FaqForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    save_or_remove::<Faqs>(&editor, id, &delete, &form, |_| form.parse()).await
}

/// Security: one SOC 2 report (or a blank one) with its bridge letters and the form's choices.
#[server(prefix = "/api", endpoint = "report_edit")]
pub async fn report_edit(id: Option<i64>) -> Result<ReportEditPage, AppError> {
    require_role(StaffRole::Security)?;
    editor::report::edit_page(&app_state()?.db, id).await
}

/// Security: saves (or with `delete`, removes) a SOC 2 report with its subservice organizations
/// and CUECs.
#[server(prefix = "/api", endpoint = "save_report")]
pub async fn save_report(
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: ReportForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    save_or_remove::<Reports>(&editor, id, &delete, &form, |docs| form.parse(IsoDate::today_utc(), docs)).await
}

/// Security: adds (or with `delete` and `id`, removes) a bridge letter of a report.
#[server(prefix = "/api", endpoint = "save_bridge_letter")]
pub async fn save_bridge_letter(
    report_id: i64,
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: BridgeLetterForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    support::bridge_letter(&editor, report_id, id, &delete, &form).await
}

/// Security: one framework (or a blank one).
#[server(prefix = "/api", endpoint = "framework_edit")]
pub async fn framework_edit(id: Option<i64>) -> Result<FrameworkEditPage, AppError> {
    require_role(StaffRole::Security)?;
    editor::framework::edit_page(&app_state()?.db, id).await
}

/// Security: saves (or with `delete`, removes) a framework.
#[server(prefix = "/api", endpoint = "save_framework")]
pub async fn save_framework(
    id: Option<i64>,
    delete: Option<String>,
    #[server(flatten)] form: FrameworkForm,
) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    save_or_remove::<Frameworks>(&editor, id, &delete, &form, |docs| form.parse(IsoDate::today_utc(), docs)).await
}

/// Security: the working company profile.
#[server(prefix = "/api", endpoint = "profile_edit")]
pub async fn profile_edit() -> Result<ProfileEditPage, AppError> {
    require_role(StaffRole::Security)?;
    editor::profile::edit_page(&app_state()?.db).await
}

/// Security: saves the company profile, branding and section order.
#[server(prefix = "/api", endpoint = "save_profile")]
pub async fn save_profile(#[server(flatten)] form: ProfileForm) -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    support::profile(&editor, &form).await
}

/// Security: the public page with the unpublished changes applied.
#[server(prefix = "/api", endpoint = "content_preview")]
pub async fn content_preview() -> Result<TrustPage, AppError> {
    require_role(StaffRole::Security)?;
    editor::publish::preview(&app_state()?).await
}

/// Security: publishes every unpublished change in one action.
#[server(prefix = "/api", endpoint = "publish_content")]
pub async fn publish_content() -> Result<(), AppError> {
    let editor = Editor::new(require_role(StaffRole::Security)?)?;
    support::publish(&editor).await
}

/// What the server functions above share: who edits, and how a form post is answered.
#[cfg(feature = "ssr")]
mod support {
    use super::super::{
        forms::{BridgeLetterForm, ProfileForm},
        server::{self as editor, report, Editing, Record},
    };
    use crate::{
        error::AppError,
        features::accounts::{model::StaffUser, server::staff_actor},
        forms::Echo,
        ssr::{
            app_state,
            audit::Actor,
            forms::{finish, pressed, FormSpec},
            request_meta::RequestMeta,
            AppState,
        },
        types::IsoDate,
    };

    /// A signed-in editor and the request they edit from.
    pub struct Editor {
        state: AppState,
        meta: RequestMeta,
        actor: Actor,
    }

    impl Editor {
        /// An editor: `staff` as `require_role` let them in, and the request they edit from (what each
        /// change logs).
        pub fn new(staff: StaffUser) -> Result<Self, AppError> {
            Ok(Self { state: app_state()?, meta: RequestMeta::current(), actor: staff_actor(&staff) })
        }

        fn editing(&self) -> Editing<'_> {
            Editing { state: &self.state, meta: &self.meta, actor: &self.actor }
        }
    }

    fn page<R: Record>(id: Option<i64>) -> String {
        id.map_or_else(|| format!("{}/new", R::PAGE), |id| format!("{}/{id}", R::PAGE))
    }

    /// Saves or (with `delete` pressed on an existing record) removes one record of `R`.
    pub async fn save_or_remove<R: Record>(
        editor: &Editor,
        id: Option<i64>,
        delete: &Option<String>,
        typed: &impl Echo,
        parse: impl FnOnce(&[i64]) -> Result<R::Valid, AppError>,
    ) -> Result<(), AppError> {
        let spec = FormSpec { name: "content_item", page: page::<R>(id).into() };
        if let (Some(id), true) = (id, pressed(delete)) {
            let result = editor::delete::<R>(&editor.editing(), id).await;
            let notice = format!("{} removed from the draft.", R::LABEL);
            return finish(&spec, &[], result, |_| Some(("/admin/content".into(), Some(("content", notice))))).await;
        }
        let result = async {
            let valid = parse(&editor::document_ids(&editor.state.db).await?)?;
            editor::save::<R>(&editor.editing(), id, &valid).await
        }
        .await;
        let notice = format!("{} saved as a draft: preview, then publish.", R::LABEL);
        let typed = typed.typed();
        let values: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        finish(&spec, &values, result, |id| {
            Some(match R::STAY_AFTER_SAVE {
                true => (page::<R>(Some(*id)), Some(("content_item", notice))),
                false => ("/admin/content".into(), Some(("content", notice))),
            })
        })
        .await
        .map(|_| ())
    }

    /// Adds a bridge letter to a report, or removes one.
    pub async fn bridge_letter(
        editor: &Editor,
        report_id: i64,
        id: Option<i64>,
        delete: &Option<String>,
        form: &BridgeLetterForm,
    ) -> Result<(), AppError> {
        let page = format!("/admin/content/soc2/{report_id}");
        let spec = FormSpec { name: "bridge_letter", page: page.clone().into() };
        if let (Some(id), true) = (id, pressed(delete)) {
            let result = report::delete_bridge_letter(&editor.editing(), report_id, id).await;
            let notice = "Bridge letter removed from the draft.".to_string();
            return finish(&spec, &[], result, |_| Some((page.clone(), Some(("bridge_letter", notice))))).await;
        }
        let result = async {
            let period_end = report::period_end(&editor.state.db, report_id).await?;
            let documents = editor::document_ids(&editor.state.db).await?;
            let valid = form.parse(period_end, IsoDate::today_utc(), &documents)?;
            report::add_bridge_letter(&editor.editing(), report_id, &valid).await
        }
        .await;
        let typed = form.typed();
        let values: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let notice = "Bridge letter added to the draft: preview, then publish.".to_string();
        finish(&spec, &values, result, |_| Some((page.clone(), Some(("bridge_letter", notice))))).await.map(|_| ())
    }

    /// Saves the company profile.
    pub async fn profile(editor: &Editor, form: &ProfileForm) -> Result<(), AppError> {
        let spec = FormSpec { name: "profile", page: "/admin/content/profile".into() };
        let result = async {
            let current = editor::profile::current_sections(&editor.state.db).await?;
            editor::profile::save(&editor.editing(), &form.parse(&current, crate::types::IsoDate::today_utc())?).await
        }
        .await;
        let typed = form.typed();
        let values: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let notice = "Company profile saved as a draft: preview, then publish.".to_string();
        finish(&spec, &values, result, |_| Some(("/admin/content".into(), Some(("content", notice))))).await
    }

    /// Publishes the working copy.
    pub async fn publish(editor: &Editor) -> Result<(), AppError> {
        let spec = FormSpec { name: "content", page: "/admin/content".into() };
        let result = editor::publish::publish(&editor.editing()).await;
        finish(&spec, &[], result, |sections| {
            Some(("/admin/content".into(), Some(("content", format!("Published: {}.", sections.join(", "))))))
        })
        .await
        .map(|_| ())
    }
}
