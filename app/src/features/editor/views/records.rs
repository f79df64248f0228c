//! The control, subprocessor and FAQ editors.

use super::{delete_button, id_param};
use crate::{
    components::ErrorPanel,
    features::{
        accounts::views::AdminLayout,
        editor::{
            api::{control_edit, faq_edit, subprocessor_edit, SaveControl, SaveFaq, SaveSubprocessor},
            model::{ControlItem, SubprocessorItem},
        },
    },
    forms::{load_flash, select_field, text_area, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/admin/content/controls/:id` (or `/new`): a control's form, with remove for an existing one.
#[component]
pub fn ControlEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="Control">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match control_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&ControlItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let status = item.as_ref().map_or("implemented".into(), |c| c.status.clone());
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New control".to_string(), |c| c.title.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveControl::url() class="form" novalidate>
                                {item.as_ref().map(|c| view! { <input type="hidden" name="id" value=c.id.to_string() /> })}
                                <Field name="title" label="Title" value=flash.typed_or("title", get(|c| c.title.clone())) error=flash.field_error("title") />
                                {select_field(&flash, "category", "Category", &page.categories, get(|c| c.category.clone()), Some("Choose…"))}
                                {text_area(&flash, "description", "Description", get(|c| c.description.clone()), 4, None)}
                                {select_field(&flash, "status", "Status", &page.statuses, status, None)}
                                <Field name="tsc_points" label="Trust Services Criteria" value=flash.typed_or("tsc_points", get(|c| c.tsc_points.clone())) error=flash.field_error("tsc_points") required=false hint="Separated by commas, e.g. CC6.1, CC6.6." />
                                <Field name="position" label="Position" kind="number" value=flash.typed_or("position", get(|c| c.position.to_string())) error=flash.field_error("position") required=false hint="Lower comes first; empty puts a new control last." />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/admin/content/subprocessors/:id` (or `/new`): a subprocessor's form, with remove for an
/// existing one.
#[component]
pub fn SubprocessorEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="Subprocessor">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match subprocessor_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&SubprocessorItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let v = |field: &str, f: fn(&SubprocessorItem) -> String| flash.typed_or(field, get(f));
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New subprocessor".to_string(), |s| s.name.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveSubprocessor::url() class="form" novalidate>
                                {item.as_ref().map(|s| view! { <input type="hidden" name="id" value=s.id.to_string() /> })}
                                <Field name="name" label="Name" value=v("name", |s| s.name.clone()) error=flash.field_error("name") />
                                <Field name="purpose" label="Purpose" value=v("purpose", |s| s.purpose.clone()) error=flash.field_error("purpose") />
                                <Field name="location" label="Location" value=v("location", |s| s.location.clone()) error=flash.field_error("location") hint="Where the data is processed, e.g. United States (us-east-1)." />
                                <Field name="data_processed" label="Data processed" value=v("data_processed", |s| s.data_processed.clone()) error=flash.field_error("data_processed") />
                                <Field name="website_url" label="Website" kind="url" value=v("website_url", |s| s.website_url.clone()) error=flash.field_error("website_url") required=false />
                                <Field name="start_date" label="In use since" kind="date" value=v("start_date", |s| s.start_date.clone()) error=flash.field_error("start_date") required=false />
                                <Field name="end_date" label="In use until" kind="date" value=v("end_date", |s| s.end_date.clone()) error=flash.field_error("end_date") required=false hint="Set when you stop using it; it leaves the public list after this date." />
                                <Field name="position" label="Position" kind="number" value=v("position", |s| s.position.to_string()) error=flash.field_error("position") required=false />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/admin/content/faq/:id` (or `/new`): a FAQ entry's form, with remove for an existing one.
#[component]
pub fn FaqEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="FAQ entry">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match faq_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New question".to_string(), |f| f.question.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveFaq::url() class="form" novalidate>
                                {item.as_ref().map(|f| view! { <input type="hidden" name="id" value=f.id.to_string() /> })}
                                {text_area(&flash, "question", "Question", item.as_ref().map(|f| f.question.clone()).unwrap_or_default(), 2, None)}
                                {text_area(&flash, "answer", "Answer", item.as_ref().map(|f| f.answer.clone()).unwrap_or_default(), 6, None)}
                                <Field name="position" label="Position" kind="number" value=flash.typed_or("position", item.as_ref().map(|f| f.position.to_string()).unwrap_or_default()) error=flash.field_error("position") required=false />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
