//! Security staff manage documents: upload new ones and new versions, edit what the public sees.

use super::api::{list_documents_for_staff, UpdateDocument};
use super::model::{DocumentAdminRow, DocumentKind, Visibility};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{load_flash, Field, Flash, FlashMessages, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};

fn kind_options(selected: &str) -> Vec<impl IntoView> {
    DocumentKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.code() selected=k.code() == selected>{k.label()}</option> })
        .collect()
}

fn visibility_options(selected: Visibility) -> Vec<impl IntoView> {
    [(Visibility::Public, "Public: anyone may download"), (Visibility::Restricted, "Restricted: NDA and approval")]
        .into_iter()
        .map(|(v, label)| view! { <option value=v.code() selected=v == selected>{label}</option> })
        .collect()
}

/// `/admin/documents` (security): every document with its versions and editable details, and
/// the upload form for a new document or a new version.
#[component]
pub fn DocumentsAdminPage() -> impl IntoView {
    view! {
        <AdminLayout title="Documents">
            {move || Suspend::new(async move {
                let flash = load_flash("documents").await;
                // A refused edit of one document shows on its card; the rest on the upload form.
                let for_new = flash.value("id").is_empty();
                let new_error = |field: &str| if for_new { flash.field_error(field) } else { None };
                match list_documents_for_staff().await {
                    Ok(documents) => {
                        let rows: Vec<_> = documents.into_iter().map(|d| view! { <DocumentCard d flash=flash.clone() /> }).collect();
                        view! {
                            <h1>"Documents"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">"Files are stored outside any public address. Every upload is kept; the newest version is the one delivered."</p>
                            <div class="doc-admin">{rows}</div>
                            <section class="panel" aria-labelledby="new-doc">
                                <h2 id="new-doc">"Add a document"</h2>
                                <form method="post" action=crate::paths::DOCUMENT_UPLOAD enctype="multipart/form-data" class="form" novalidate>
                                    <Field name="title" label="Title" value=flash.value("title") error=new_error("title") />
                                    <Field name="slug" label="Address" value=flash.value("slug") error=new_error("slug") hint="Part of its links, e.g. soc2-type-ii-report." />
                                    <div class="field"><label for="new-kind">"Kind"</label><select id="new-kind" name="kind">{kind_options(&flash.value("kind"))}</select></div>
                                    <div class="field"><label for="new-visibility">"Visibility"</label><select id="new-visibility" name="visibility">{visibility_options(Visibility::parse(&flash.value("visibility")).unwrap_or(Visibility::Restricted))}</select></div>
                                    <div class="field"><label for="new-description">"Description"</label><TextArea id="new-description" name="description" rows=2 value=flash.value("description") /></div>
                                    <div class="field" class:has-error=flash.field_error("file").is_some()>
                                        <label for="new-file">"PDF file"</label>
                                        <input id="new-file" type="file" name="file" accept="application/pdf,.pdf" required />
                                        {flash.field_error("file").map(|e| view! { <p class="field-error">{e}</p> })}
                                    </div>
                                    <button type="submit" class="button">"Upload"</button>
                                </form>
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// One document: its versions, its details to edit (open again with what was typed after a
/// refusal), and the upload of a new version.
#[component]
fn DocumentCard(d: DocumentAdminRow, flash: Flash) -> impl IntoView {
    let id = d.id.to_string();
    let mine = flash.value("id") == id;
    let typed = |field: &str, stored: String| if mine { flash.value(field) } else { stored };
    let title = typed("title", d.title.clone());
    let description = typed("description", d.description.clone());
    let visibility =
        if mine { Visibility::parse(&flash.value("visibility")).unwrap_or(d.visibility) } else { d.visibility };
    let error = |field: &str| {
        if mine {
            flash.field_error(field).map(|e| view! { <p class="field-error">{e}</p> })
        } else {
            None
        }
    };
    let versions: Vec<_> = d
        .versions
        .iter()
        .map(|v| view! {
            <li>
                {format!("v{} · {} · {} KB · {}", v.version, v.file_name, (v.byte_size + 999) / 1000, v.uploaded_at.long())}
                " " <code class="fingerprint small" title="SHA-256">{v.sha256.chars().take(16).collect::<String>()}"…"</code>
            </li>
        })
        .collect();
    let tone = if d.visibility == Visibility::Restricted { "warn" } else { "good" };
    view! {
        <article class="card doc-card" data-test-doc=d.slug.clone()>
            <header class="card-head">
                <h2 class="h3">{d.title.clone()}</h2>
                <Badge tone text=if d.visibility == Visibility::Restricted { "Restricted" } else { "Public" } />
            </header>
            <p class="small muted">{format!("{} · /documents/{}", d.kind.label(), d.slug)}</p>
            <details>
                <summary>{format!("Versions ({})", d.versions.len())}</summary>
                <ul class="bullets">{versions}</ul>
            </details>
            <details open=mine>
                <summary>"Edit"</summary>
                <form method="post" action=UpdateDocument::url() class="form" novalidate>
                    <input type="hidden" name="id" value=id.clone() />
                    <div class="field"><label for=format!("title-{id}")>"Title"</label><input id=format!("title-{id}") name="title" value=title required />{error("title")}</div>
                    <div class="field"><label for=format!("vis-{id}")>"Visibility"</label><select id=format!("vis-{id}") name="visibility">{visibility_options(visibility)}</select>{error("visibility")}</div>
                    <div class="field"><label for=format!("desc-{id}")>"Description"</label><TextArea id=format!("desc-{id}") name="description" rows=2 value=description />{error("description")}</div>
                    <button type="submit" class="button secondary small">"Save"</button>
                </form>
            </details>
            <form method="post" action=crate::paths::DOCUMENT_UPLOAD enctype="multipart/form-data" class="form-inline">
                <input type="hidden" name="document_id" value=id.clone() />
                <label for=format!("file-{id}")>"New version"</label>
                <input id=format!("file-{id}") type="file" name="file" accept="application/pdf,.pdf" required />
                <button type="submit" class="button secondary small">"Upload"</button>
            </form>
        </article>
    }
}
