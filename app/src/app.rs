//! The HTML shell and the route table.

use crate::{
    components::NotFoundPage,
    features::{
        access::views::*,
        accounts::views::*,
        analytics::views::AnalyticsPage,
        audit::views::AuditLogPage,
        documents::{admin::DocumentsAdminPage, views::RequestAccessPage},
        downloads::views::LeakTracePage,
        editor::views::{
            ContentAdminPage, ContentPreviewPage, ControlEditPage, FaqEditPage, FrameworkEditPage, ProfileEditPage,
            ReportEditPage, SubprocessorEditPage,
        },
        home::views::AdminHomePage,
        knowledge::views::{KnowledgeBasePage, KnowledgeEntryPage, KnowledgeHygienePage},
        nda::views::{NdaAdminPage, NdaPage, NdaVersionPage},
        questionnaires::views::{CompanyDetailPage, QuestionnaireReviewPage, QuestionnairesPage},
        trust_center::views::TrustCenterPage,
        updates::views::{ConfirmSubscriptionPage, SubscriptionResultPage, UnsubscribePage, UpdatesAdminPage},
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around every page. Rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HashedStylesheet options=options.clone() />
                <link rel="icon" href="/favicon.ico" sizes="any" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The CSP nonce is minted by the security-headers middleware (which also sends it in the
/// `Content-Security-Policy` header); here it is handed to Leptos so the hydration script and
/// any `<Style>` carry it.
fn provide_request_nonce() {
    #[cfg(feature = "ssr")]
    {
        use leptos::nonce::Nonce;
        if let Some(parts) = use_context::<http::request::Parts>() {
            if let Some(nonce) = parts.extensions.get::<Nonce>() {
                provide_context(nonce.clone());
            }
        }
    }
}

/// The route table of every page. Each renders completely on the server before it is sent (async
/// SSR), so pages work with JavaScript off; the server also reads it to register the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Async rendering: every page arrives complete, so it works with JavaScript off.
    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=TrustCenterPage ssr=SsrMode::Async />
                <Route path=path!("/documents/:slug/request") view=RequestAccessPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in/check-email") view=CheckEmailPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in/confirm") view=ConfirmSignInPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                <Route path=path!("/staff/sign-in") view=StaffSignInPage ssr=SsrMode::Async />
                <Route path=path!("/staff/two-factor") view=TwoFactorPage ssr=SsrMode::Async />
                <Route path=path!("/staff/two-factor/setup") view=TwoFactorSetupPage ssr=SsrMode::Async />
                <Route path=path!("/staff/recovery-codes") view=RecoveryCodesPage ssr=SsrMode::Async />
                <Route path=path!("/staff/reset") view=ResetRequestPage ssr=SsrMode::Async />
                <Route path=path!("/staff/reset/check-email") view=ResetCheckEmailPage ssr=SsrMode::Async />
                <Route path=path!("/staff/reset/confirm") view=ResetConfirmPage ssr=SsrMode::Async />
                <Route path=path!("/staff/invite/accept") view=InviteAcceptPage ssr=SsrMode::Async />
                <Route path=path!("/admin") view=AdminHomePage ssr=SsrMode::Async />
                <Route path=path!("/admin/sessions") view=SessionsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/staff") view=StaffAdminPage ssr=SsrMode::Async />
                <Route path=path!("/admin/integrations") view=crate::features::integrations::views::IntegrationsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/integrations/webhooks/:id") view=crate::features::integrations::views::WebhookDeliveriesPage ssr=SsrMode::Async />
                <Route path=path!("/nda") view=NdaPage ssr=SsrMode::Async />
                <Route path=path!("/admin/documents") view=DocumentsAdminPage ssr=SsrMode::Async />
                <Route path=path!("/admin/requests") view=RequestsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/requests/:id") view=RequestDetailPage ssr=SsrMode::Async />
                <Route path=path!("/admin/grants") view=GrantsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/companies") view=CompaniesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/rules") view=RulesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/nda") view=NdaAdminPage ssr=SsrMode::Async />
                <Route path=path!("/admin/audit") view=AuditLogPage ssr=SsrMode::Async />
                <Route path=path!("/admin/analytics") view=AnalyticsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/leak-trace") view=LeakTracePage ssr=SsrMode::Async />
                <Route path=path!("/admin/kb") view=KnowledgeBasePage ssr=SsrMode::Async />
                <Route path=path!("/admin/kb/hygiene") view=KnowledgeHygienePage ssr=SsrMode::Async />
                <Route path=path!("/admin/kb/learn/:id") view=crate::features::knowledge::learn_views::KnowledgeLearnPage ssr=SsrMode::Async />
                <Route path=path!("/admin/kb/gaps") view=crate::features::ask::views::GapQueuePage ssr=SsrMode::Async />
                <Route path=path!("/vulnerability-disclosure") view=crate::features::trust_center::disclosure::DisclosurePage ssr=SsrMode::Async />
                <Route path=path!("/ask") view=crate::features::ask::views::AskPage ssr=SsrMode::Async />
                <Route path=path!("/ask/confirm") view=crate::features::ask::views::AskConfirmPage ssr=SsrMode::Async />
                <Route path=path!("/admin/kb/:id") view=KnowledgeEntryPage ssr=SsrMode::Async />
                <Route path=path!("/updates/confirm") view=ConfirmSubscriptionPage ssr=SsrMode::Async />
                <Route path=path!("/updates/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async />
                <Route path=path!("/updates/subscription") view=SubscriptionResultPage ssr=SsrMode::Async />
                <Route path=path!("/admin/updates") view=UpdatesAdminPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content") view=ContentAdminPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/preview") view=ContentPreviewPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/controls/new") view=ControlEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/controls/:id") view=ControlEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/faq/new") view=FaqEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/faq/:id") view=FaqEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/subprocessors/new") view=SubprocessorEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/subprocessors/:id") view=SubprocessorEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/profile") view=ProfileEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/soc2/new") view=ReportEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/soc2/:id") view=ReportEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/frameworks/new") view=FrameworkEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/content/frameworks/:id") view=FrameworkEditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/questionnaires") view=QuestionnairesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/questionnaires/:id") view=QuestionnaireReviewPage ssr=SsrMode::Async />
                <Route path=path!("/admin/companies/:id") view=CompanyDetailPage ssr=SsrMode::Async />
                <Route path=path!("/admin/nda/:id") view=NdaVersionPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
