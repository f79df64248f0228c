//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations (utoipa).

use super::{handlers, FieldProblem, Problem};
use app::features::integrations::server::v1::{Company, CompanyInput, Grant, KbEntry, LogLine};
use axum::{http::header, response::IntoResponse};
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vouchsafe API",
        version = "1",
        description = "Companies, grants, the access log and approved answers of this trust center. \
                       Tokens are made by admins on /admin/integrations; each route needs the scope it names. \
                       Errors are RFC 9457 problem details."
    ),
    paths(
        handlers::list_companies,
        handlers::get_company,
        handlers::create_company,
        handlers::update_company,
        handlers::list_grants,
        handlers::access_log,
        handlers::kb_entries,
    ),
    components(schemas(Company, CompanyInput, Grant, KbEntry, LogLine, Problem, FieldProblem)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the routes' `security` entries name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// `GET /api/v1/openapi.json`: public (it describes the routes, not the data).
pub async fn document() -> axum::response::Response {
    let json = ApiDoc::openapi().to_json().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], json).into_response()
}
