//! Every route, in one list: method, path, who may call it, a summary, and the handler. The
//! router, the OpenAPI document and the authorization matrix test all read this list.

use crate::{App, api, auth, hooks, pages, public, security};
use axum::Router;
use axum::middleware;
use axum::routing::MethodRouter;
use axum::routing::{get, post};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A signed-in person; the handler asks the authorization module for the specific action.
    SignedIn,
}

/// What is known about a route.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
}

use Access::{Public, SignedIn};

fn route(
    handler: MethodRouter<App>,
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
) -> (RouteInfo, MethodRouter<App>) {
    (
        RouteInfo {
            method,
            path,
            access,
            summary,
        },
        handler,
    )
}

/// Every route with its handler.
fn table() -> Vec<(RouteInfo, MethodRouter<App>)> {
    vec![
        route(get(public::home), "GET", "/", Public, "Public start page"),
        route(
            get(public::sites),
            "GET",
            "/sites",
            Public,
            "List of official sites (B.6)",
        ),
        route(
            get(public::policy),
            "GET",
            "/policy",
            Public,
            "The Social Media Policy",
        ),
        route(
            get(public::comments_policy),
            "GET",
            "/policy/comments",
            Public,
            "The Comments Policy (B.24)",
        ),
        route(
            get(public::transparency),
            "GET",
            "/transparency",
            Public,
            "Public key and latest signed checkpoint",
        ),
        route(
            get(hooks::facebook_verify),
            "GET",
            "/hooks/facebook/{id}",
            Public,
            "Facebook Page webhook subscription check (hub.verify_token)",
        ),
        route(
            post(hooks::facebook_event)
                .layer(axum::extract::DefaultBodyLimit::max(hooks::MAX_DELIVERY)),
            "POST",
            "/hooks/facebook/{id}",
            Public,
            "Facebook Page webhook delivery (X-Hub-Signature-256); triggers a capture pass",
        ),
        route(
            get(auth::login_page),
            "GET",
            "/login",
            Public,
            "Sign-in form",
        ),
        route(post(auth::login), "POST", "/login", Public, "Sign in"),
        route(post(auth::logout), "POST", "/logout", Public, "Sign out"),
        route(
            get(public::css),
            "GET",
            "/static/plaza.css",
            Public,
            "Style sheet",
        ),
        route(
            get(public::healthz),
            "GET",
            "/healthz",
            Public,
            "Health check",
        ),
        route(
            get(pages::dashboard),
            "GET",
            "/staff",
            SignedIn,
            "Dashboard",
        ),
        route(
            post(pages::acknowledge),
            "POST",
            "/staff/policy/acknowledge",
            SignedIn,
            "Acknowledge the current policy (B.17)",
        ),
        route(
            get(pages::policy_admin),
            "GET",
            "/staff/policy",
            SignedIn,
            "Policy versions",
        ),
        route(
            post(pages::policy_load),
            "POST",
            "/staff/policy",
            SignedIn,
            "Load a policy version",
        ),
        route(
            get(pages::sites),
            "GET",
            "/staff/sites",
            SignedIn,
            "Site register",
        ),
        route(
            get(pages::site_new),
            "GET",
            "/staff/sites/new",
            SignedIn,
            "Propose-a-site form",
        ),
        route(
            post(pages::site_create),
            "POST",
            "/staff/sites",
            SignedIn,
            "Propose a site",
        ),
        route(
            get(pages::site_page),
            "GET",
            "/staff/sites/{id}",
            SignedIn,
            "A site",
        ),
        route(
            post(pages::site_step),
            "POST",
            "/staff/sites/{id}/step",
            SignedIn,
            "Take a lifecycle step",
        ),
        route(
            post(pages::site_consult),
            "POST",
            "/staff/sites/{id}/consult",
            SignedIn,
            "Answer a consultation",
        ),
        route(
            get(pages::people),
            "GET",
            "/staff/people",
            SignedIn,
            "People and legislative bodies",
        ),
        route(
            get(pages::person_new),
            "GET",
            "/staff/people/new",
            SignedIn,
            "Add-a-person form",
        ),
        route(
            post(pages::person_create),
            "POST",
            "/staff/people",
            SignedIn,
            "Add a person",
        ),
        route(
            get(pages::person_page),
            "GET",
            "/staff/people/{id}",
            SignedIn,
            "A person",
        ),
        route(
            post(pages::person_disable),
            "POST",
            "/staff/people/{id}/disable",
            SignedIn,
            "Disable a person's access",
        ),
        route(
            post(pages::person_enable),
            "POST",
            "/staff/people/{id}/enable",
            SignedIn,
            "Restore a person's access",
        ),
        route(
            post(pages::person_account),
            "POST",
            "/staff/people/{id}/accounts",
            SignedIn,
            "Register an official's account",
        ),
        route(
            post(pages::body_create),
            "POST",
            "/staff/bodies",
            SignedIn,
            "Add a legislative body",
        ),
        route(
            get(pages::authorizations),
            "GET",
            "/staff/authorizations",
            SignedIn,
            "Written authorizations",
        ),
        route(
            get(pages::authorization_new),
            "GET",
            "/staff/authorizations/new",
            SignedIn,
            "Grant form",
        ),
        route(
            post(pages::authorization_create),
            "POST",
            "/staff/authorizations",
            SignedIn,
            "Grant a written authorization",
        ),
        route(
            get(pages::authorization_page),
            "GET",
            "/staff/authorizations/{id}",
            SignedIn,
            "An authorization",
        ),
        route(
            get(pages::authorization_letter),
            "GET",
            "/staff/authorizations/{id}/letter",
            SignedIn,
            "Authorization letter (HTML)",
        ),
        route(
            get(pages::authorization_pdf),
            "GET",
            "/staff/authorizations/{id}/letter.pdf",
            SignedIn,
            "Authorization letter (PDF)",
        ),
        route(
            post(pages::authorization_attest),
            "POST",
            "/staff/authorizations/{id}/attest",
            SignedIn,
            "Record the signature",
        ),
        route(
            post(pages::authorization_revoke),
            "POST",
            "/staff/authorizations/{id}/revoke",
            SignedIn,
            "Revoke",
        ),
        route(
            post(pages::authorization_copy_upload),
            "POST",
            "/staff/authorizations/{id}/signed-copy",
            SignedIn,
            "File the signed letter",
        ),
        route(
            get(pages::authorization_copy_download),
            "GET",
            "/staff/authorizations/{id}/signed-copy",
            SignedIn,
            "The filed signed letter",
        ),
        route(
            get(pages::records),
            "GET",
            "/staff/records",
            SignedIn,
            "Record browser",
        ),
        route(
            get(pages::record_page),
            "GET",
            "/staff/records/{seq}",
            SignedIn,
            "A record entry with its proof",
        ),
        route(
            get(api::openapi),
            "GET",
            "/api/v1/openapi.json",
            Public,
            "This OpenAPI document",
        ),
        route(
            get(api::public_sites),
            "GET",
            "/api/v1/public/sites",
            Public,
            "Official sites",
        ),
        route(
            get(api::policy),
            "GET",
            "/api/v1/policy",
            Public,
            "The active policy",
        ),
        route(
            get(api::checkpoints),
            "GET",
            "/api/v1/checkpoints",
            Public,
            "Signed checkpoints and public keys",
        ),
        route(
            get(api::latest_checkpoint),
            "GET",
            "/api/v1/checkpoints/latest",
            Public,
            "Latest signed checkpoint",
        ),
        route(
            get(api::inclusion),
            "GET",
            "/api/v1/proof/inclusion",
            Public,
            "RFC 9162 inclusion proof",
        ),
        route(
            get(api::consistency),
            "GET",
            "/api/v1/proof/consistency",
            Public,
            "RFC 9162 consistency proof",
        ),
        route(
            get(api::session),
            "GET",
            "/api/v1/session",
            SignedIn,
            "The signed-in person and the CSRF token",
        ),
        route(
            get(api::sites),
            "GET",
            "/api/v1/sites",
            SignedIn,
            "Sites visible to the caller",
        ),
        route(
            post(api::site_create),
            "POST",
            "/api/v1/sites",
            SignedIn,
            "Propose a site",
        ),
        route(
            get(api::site),
            "GET",
            "/api/v1/sites/{id}",
            SignedIn,
            "A site with consultations and authorizations",
        ),
        route(
            post(api::site_step),
            "POST",
            "/api/v1/sites/{id}/step",
            SignedIn,
            "Take a lifecycle step",
        ),
        route(
            get(api::people),
            "GET",
            "/api/v1/people",
            SignedIn,
            "People and bodies",
        ),
        route(
            get(api::person),
            "GET",
            "/api/v1/people/{id}",
            SignedIn,
            "A person",
        ),
        route(
            get(api::authorizations),
            "GET",
            "/api/v1/authorizations",
            SignedIn,
            "Written authorizations",
        ),
        route(
            post(api::authorization_create),
            "POST",
            "/api/v1/authorizations",
            SignedIn,
            "Grant a written authorization",
        ),
        route(
            post(api::authorization_revoke),
            "POST",
            "/api/v1/authorizations/{id}/revoke",
            SignedIn,
            "Revoke an authorization",
        ),
        route(
            get(api::records),
            "GET",
            "/api/v1/records",
            SignedIn,
            "Record entries (filtered)",
        ),
        route(
            get(api::record),
            "GET",
            "/api/v1/records/{seq}",
            SignedIn,
            "One record entry",
        ),
    ]
}

/// What is known about every route (for the OpenAPI document and the tests).
pub fn routes() -> Vec<RouteInfo> {
    table().into_iter().map(|(info, _)| info).collect()
}

/// Builds the router with its middleware.
pub fn build(app: App) -> Router {
    table()
        .into_iter()
        .fold(Router::new(), |router, (info, handler)| {
            router.route(info.path, handler)
        })
        .layer(axum::extract::DefaultBodyLimit::max(security::MAX_UPLOAD))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            security::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            security::render_errors,
        ))
        .layer(middleware::from_fn(security::headers))
        .with_state(app)
}
