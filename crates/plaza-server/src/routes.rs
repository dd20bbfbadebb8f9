//! Every route, in one table. The router is built from the same list, and a test checks that
//! the table, the router, the OpenAPI document and the authorization matrix agree.

use crate::{App, api, auth, pages, public, security};
use axum::Router;
use axum::handler::Handler;
use axum::middleware;
use axum::routing::{get, post};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A signed-in person; the handler asks the authorization module for the specific action.
    SignedIn,
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
}

use Access::{Public, SignedIn};

const fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
) -> RouteInfo {
    RouteInfo {
        method,
        path,
        access,
        summary,
    }
}

/// The route table.
pub const ROUTES: &[RouteInfo] = &[
    r("GET", "/", Public, "Public start page"),
    r("GET", "/sites", Public, "List of official sites (B.6)"),
    r("GET", "/policy", Public, "The Social Media Policy"),
    r(
        "GET",
        "/policy/comments",
        Public,
        "The Comments Policy (B.24)",
    ),
    r(
        "GET",
        "/transparency",
        Public,
        "Public key and latest signed checkpoint",
    ),
    r("GET", "/login", Public, "Sign-in form"),
    r("POST", "/login", Public, "Sign in"),
    r("POST", "/logout", Public, "Sign out"),
    r("GET", "/static/plaza.css", Public, "Style sheet"),
    r("GET", "/healthz", Public, "Health check"),
    r("GET", "/staff", SignedIn, "Dashboard"),
    r(
        "POST",
        "/staff/policy/acknowledge",
        SignedIn,
        "Acknowledge the current policy (B.17)",
    ),
    r("GET", "/staff/policy", SignedIn, "Policy versions"),
    r("POST", "/staff/policy", SignedIn, "Load a policy version"),
    r("GET", "/staff/sites", SignedIn, "Site register"),
    r("GET", "/staff/sites/new", SignedIn, "Propose-a-site form"),
    r("POST", "/staff/sites", SignedIn, "Propose a site"),
    r("GET", "/staff/sites/{id}", SignedIn, "A site"),
    r(
        "POST",
        "/staff/sites/{id}/step",
        SignedIn,
        "Take a lifecycle step",
    ),
    r(
        "POST",
        "/staff/sites/{id}/consult",
        SignedIn,
        "Answer a consultation",
    ),
    r(
        "GET",
        "/staff/people",
        SignedIn,
        "People and legislative bodies",
    ),
    r("GET", "/staff/people/new", SignedIn, "Add-a-person form"),
    r("POST", "/staff/people", SignedIn, "Add a person"),
    r("GET", "/staff/people/{id}", SignedIn, "A person"),
    r(
        "POST",
        "/staff/people/{id}/disable",
        SignedIn,
        "Disable a person's access",
    ),
    r(
        "POST",
        "/staff/people/{id}/enable",
        SignedIn,
        "Restore a person's access",
    ),
    r(
        "POST",
        "/staff/people/{id}/accounts",
        SignedIn,
        "Register an official's account",
    ),
    r("POST", "/staff/bodies", SignedIn, "Add a legislative body"),
    r(
        "GET",
        "/staff/authorizations",
        SignedIn,
        "Written authorizations",
    ),
    r("GET", "/staff/authorizations/new", SignedIn, "Grant form"),
    r(
        "POST",
        "/staff/authorizations",
        SignedIn,
        "Grant a written authorization",
    ),
    r(
        "GET",
        "/staff/authorizations/{id}",
        SignedIn,
        "An authorization",
    ),
    r(
        "GET",
        "/staff/authorizations/{id}/letter",
        SignedIn,
        "Authorization letter (HTML)",
    ),
    r(
        "GET",
        "/staff/authorizations/{id}/letter.pdf",
        SignedIn,
        "Authorization letter (PDF)",
    ),
    r(
        "POST",
        "/staff/authorizations/{id}/attest",
        SignedIn,
        "Record the signature",
    ),
    r(
        "POST",
        "/staff/authorizations/{id}/revoke",
        SignedIn,
        "Revoke",
    ),
    r(
        "POST",
        "/staff/authorizations/{id}/signed-copy",
        SignedIn,
        "File the signed letter",
    ),
    r(
        "GET",
        "/staff/authorizations/{id}/signed-copy",
        SignedIn,
        "The filed signed letter",
    ),
    r("GET", "/staff/records", SignedIn, "Record browser"),
    r(
        "GET",
        "/staff/records/{seq}",
        SignedIn,
        "A record entry with its proof",
    ),
    r(
        "GET",
        "/api/v1/openapi.json",
        Public,
        "This OpenAPI document",
    ),
    r("GET", "/api/v1/public/sites", Public, "Official sites"),
    r("GET", "/api/v1/policy", Public, "The active policy"),
    r(
        "GET",
        "/api/v1/checkpoints",
        Public,
        "Signed checkpoints and public keys",
    ),
    r(
        "GET",
        "/api/v1/checkpoints/latest",
        Public,
        "Latest signed checkpoint",
    ),
    r(
        "GET",
        "/api/v1/proof/inclusion",
        Public,
        "RFC 9162 inclusion proof",
    ),
    r(
        "GET",
        "/api/v1/proof/consistency",
        Public,
        "RFC 9162 consistency proof",
    ),
    r(
        "GET",
        "/api/v1/session",
        SignedIn,
        "The signed-in person and the CSRF token",
    ),
    r(
        "GET",
        "/api/v1/sites",
        SignedIn,
        "Sites visible to the caller",
    ),
    r("POST", "/api/v1/sites", SignedIn, "Propose a site"),
    r(
        "GET",
        "/api/v1/sites/{id}",
        SignedIn,
        "A site with consultations and authorizations",
    ),
    r(
        "POST",
        "/api/v1/sites/{id}/step",
        SignedIn,
        "Take a lifecycle step",
    ),
    r("GET", "/api/v1/people", SignedIn, "People and bodies"),
    r("GET", "/api/v1/people/{id}", SignedIn, "A person"),
    r(
        "GET",
        "/api/v1/authorizations",
        SignedIn,
        "Written authorizations",
    ),
    r(
        "POST",
        "/api/v1/authorizations",
        SignedIn,
        "Grant a written authorization",
    ),
    r(
        "POST",
        "/api/v1/authorizations/{id}/revoke",
        SignedIn,
        "Revoke an authorization",
    ),
    r(
        "GET",
        "/api/v1/records",
        SignedIn,
        "Record entries (filtered)",
    ),
    r("GET", "/api/v1/records/{seq}", SignedIn, "One record entry"),
];

struct Builder {
    router: Router<App>,
    seen: Vec<(&'static str, &'static str)>,
}

impl Builder {
    fn get<H: Handler<T, App>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.seen.push(("GET", path));
        self.router = self.router.route(path, get(h));
        self
    }
    fn post<H: Handler<T, App>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.seen.push(("POST", path));
        self.router = self.router.route(path, post(h));
        self
    }
}

fn routes() -> Builder {
    Builder {
        router: Router::new(),
        seen: Vec::new(),
    }
    .get("/", public::home)
    .get("/sites", public::sites)
    .get("/policy", public::policy)
    .get("/policy/comments", public::comments_policy)
    .get("/transparency", public::transparency)
    .get("/login", auth::login_page)
    .post("/login", auth::login)
    .post("/logout", auth::logout)
    .get("/static/plaza.css", public::css)
    .get("/healthz", public::healthz)
    .get("/staff", pages::dashboard)
    .post("/staff/policy/acknowledge", pages::acknowledge)
    .get("/staff/policy", pages::policy_admin)
    .post("/staff/policy", pages::policy_load)
    .get("/staff/sites", pages::sites)
    .get("/staff/sites/new", pages::site_new)
    .post("/staff/sites", pages::site_create)
    .get("/staff/sites/{id}", pages::site_page)
    .post("/staff/sites/{id}/step", pages::site_step)
    .post("/staff/sites/{id}/consult", pages::site_consult)
    .get("/staff/people", pages::people)
    .get("/staff/people/new", pages::person_new)
    .post("/staff/people", pages::person_create)
    .get("/staff/people/{id}", pages::person_page)
    .post("/staff/people/{id}/disable", pages::person_disable)
    .post("/staff/people/{id}/enable", pages::person_enable)
    .post("/staff/people/{id}/accounts", pages::person_account)
    .post("/staff/bodies", pages::body_create)
    .get("/staff/authorizations", pages::authorizations)
    .get("/staff/authorizations/new", pages::authorization_new)
    .post("/staff/authorizations", pages::authorization_create)
    .get("/staff/authorizations/{id}", pages::authorization_page)
    .get(
        "/staff/authorizations/{id}/letter",
        pages::authorization_letter,
    )
    .get(
        "/staff/authorizations/{id}/letter.pdf",
        pages::authorization_pdf,
    )
    .post(
        "/staff/authorizations/{id}/attest",
        pages::authorization_attest,
    )
    .post(
        "/staff/authorizations/{id}/revoke",
        pages::authorization_revoke,
    )
    .post(
        "/staff/authorizations/{id}/signed-copy",
        pages::authorization_copy_upload,
    )
    .get(
        "/staff/authorizations/{id}/signed-copy",
        pages::authorization_copy_download,
    )
    .get("/staff/records", pages::records)
    .get("/staff/records/{seq}", pages::record_page)
    .get("/api/v1/openapi.json", api::openapi)
    .get("/api/v1/public/sites", api::public_sites)
    .get("/api/v1/policy", api::policy)
    .get("/api/v1/checkpoints", api::checkpoints)
    .get("/api/v1/checkpoints/latest", api::latest_checkpoint)
    .get("/api/v1/proof/inclusion", api::inclusion)
    .get("/api/v1/proof/consistency", api::consistency)
    .get("/api/v1/session", api::session)
    .get("/api/v1/sites", api::sites)
    .post("/api/v1/sites", api::site_create)
    .get("/api/v1/sites/{id}", api::site)
    .post("/api/v1/sites/{id}/step", api::site_step)
    .get("/api/v1/people", api::people)
    .get("/api/v1/people/{id}", api::person)
    .get("/api/v1/authorizations", api::authorizations)
    .post("/api/v1/authorizations", api::authorization_create)
    .post(
        "/api/v1/authorizations/{id}/revoke",
        api::authorization_revoke,
    )
    .get("/api/v1/records", api::records)
    .get("/api/v1/records/{seq}", api::record)
}

/// The method and path of every route the router serves.
pub fn registered() -> Vec<(&'static str, &'static str)> {
    routes().seen
}

/// Builds the router with its middleware.
pub fn build(app: App) -> Router {
    routes()
        .router
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_the_router_agree() {
        let mut table: Vec<_> = ROUTES.iter().map(|r| (r.method, r.path)).collect();
        let mut served = registered();
        table.sort();
        served.sort();
        assert_eq!(table, served);
    }
}
