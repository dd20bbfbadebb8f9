//! Page models for the askama templates (checked at compile time, escaped by default).

use crate::App;
use crate::ctx::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use plaza_core::authz::Action;
use plaza_core::checkpoint::b64;
use plaza_core::policy::Clause;
use plaza_store::{Authorization, Body, OfficialAccount, Person, SignedCheckpoint, Site};

/// Renders a template to an HTML response.
pub fn html<T: Template>(t: &T) -> Result<Response, AppError> {
    t.render()
        .map(|s| Html(s).into_response())
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// The city's name, from the active policy.
pub async fn city_name(app: &App) -> String {
    match app.store.active_policy().await {
        Ok(Some((_, p))) => p.meta.issuer.clone(),
        _ => "Plaza".to_string(),
    }
}

/// Names for record actors: `person:ID` -> "Name (person:ID)"; other actors as they are.
pub async fn actor_names(app: &App) -> Result<std::collections::HashMap<String, String>, AppError> {
    Ok(app
        .store
        .people()
        .await?
        .into_iter()
        .map(|p| {
            (
                format!("person:{}", p.id),
                format!("{} (person:{})", p.name, p.id),
            )
        })
        .collect())
}

/// The display form of an actor.
pub fn actor_label(names: &std::collections::HashMap<String, String>, actor: &str) -> String {
    names
        .get(actor)
        .cloned()
        .unwrap_or_else(|| actor.to_string())
}

/// The header's facts.
pub struct Nav {
    pub city: String,
    pub signed_in: bool,
    pub person_id: i64,
    pub name: String,
    pub csrf: String,
    pub people: bool,
    pub records: bool,
}

impl Nav {
    /// For a visitor.
    pub fn public(city: String) -> Nav {
        Nav {
            city,
            signed_in: false,
            person_id: 0,
            name: String::new(),
            csrf: String::new(),
            people: false,
            records: false,
        }
    }

    /// For a signed-in person.
    pub async fn staff(app: &App, ctx: &Ctx) -> Nav {
        Nav {
            city: city_name(app).await,
            signed_in: true,
            person_id: ctx.person.id,
            name: ctx.person.name.clone(),
            csrf: ctx.csrf.clone(),
            people: ctx.can(Action::ViewPeople),
            records: ctx.can(Action::ViewRecord),
        }
    }

    /// Either.
    pub async fn any(app: &App, ctx: &Option<Ctx>) -> Nav {
        match ctx {
            Some(c) => Nav::staff(app, c).await,
            None => Nav::public(city_name(app).await),
        }
    }
}

/// A checkpoint for display.
pub struct CpView {
    pub tree_size: u64,
    pub at: String,
    pub root_b64: String,
    pub signature_b64: String,
    pub body: String,
}

impl CpView {
    pub fn from(cp: &SignedCheckpoint) -> CpView {
        CpView {
            tree_size: cp.checkpoint.tree_size,
            at: cp.checkpoint.at.human(),
            root_b64: b64(&cp.checkpoint.root),
            signature_b64: b64(&cp.signature),
            body: cp.checkpoint.body(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Nav,
    pub status: u16,
    pub title: String,
    pub code: String,
    pub message: String,
    pub field: String,
    /// Whether the page links back to the dashboard or to the public start page.
    pub signed_in: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login {
    pub nav: Nav,
    pub csrf: String,
    pub next: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub nav: Nav,
    pub website: String,
    pub sites: usize,
    pub policy_version: String,
    pub issuer: String,
    pub checkpoint: Option<CpView>,
    pub emergency: String,
    pub police_agency: String,
    pub police_phone: String,
}

#[derive(Template)]
#[template(path = "public_sites.html")]
pub struct PublicSites {
    pub nav: Nav,
    pub sites: Vec<Site>,
}

#[derive(Template)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    pub nav: Nav,
    pub heading: String,
    pub issuer: String,
    pub version: String,
    pub adopted: String,
    pub version_id: i64,
    pub comments: bool,
    pub sections: Vec<(String, Vec<Clause>)>,
}

#[derive(Template)]
#[template(path = "transparency.html")]
pub struct Transparency {
    pub nav: Nav,
    pub keys: Vec<(String, String)>,
    pub checkpoint: Option<CpView>,
}

/// An authorization as a table row.
pub struct AuthRow {
    pub id: i64,
    pub person: String,
    pub site: String,
    pub level: String,
    pub from: String,
    pub until: String,
    pub status: String,
    pub signed: String,
    /// Whether the viewer may open it (the page shows a link only then).
    pub link: bool,
}

impl AuthRow {
    pub fn from(a: &Authorization, now: plaza_core::Timestamp) -> AuthRow {
        AuthRow {
            id: a.id,
            person: a.person_name.clone(),
            site: a.site_name.clone(),
            level: a.level.as_str().to_string(),
            from: a.starts_at.date(),
            until: a
                .ends_at
                .map(|t| t.date())
                .unwrap_or_else(|| "until revoked".into()),
            status: a.status(now).to_string(),
            signed: match a.attested_at {
                Some(t) => format!("signed {}", t.date()),
                None => "awaiting signature".into(),
            },
            link: true,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    pub nav: Nav,
    pub me_name: String,
    pub me_roles: String,
    pub ack_needed: bool,
    pub ack_at: String,
    pub policy_label: String,
    pub todo: Vec<(String, String)>,
    pub site_counts: Vec<(String, usize)>,
    pub my_auths: Vec<AuthRow>,
    pub records: i64,
    pub checkpoint: Option<CpView>,
    /// Capture continuity of the visible active sites: (site id, name, last capture, gaps,
    /// warnings).
    pub capture: Vec<CaptureRow>,
}

/// One active site's capture continuity on the dashboard.
pub struct CaptureRow {
    pub site_id: i64,
    pub site: String,
    pub last: String,
    pub gaps: usize,
    pub warnings: Vec<String>,
}

pub struct SiteRow {
    pub site: Site,
    pub posts: i64,
    pub comments: i64,
}

#[derive(Template)]
#[template(path = "sites.html")]
pub struct SitesPage {
    pub nav: Nav,
    pub rows: Vec<SiteRow>,
    pub all: bool,
    pub can_propose: bool,
}

#[derive(Template)]
#[template(path = "site_new.html")]
pub struct SiteNew {
    pub nav: Nav,
    pub platforms: Vec<(&'static str, &'static str)>,
    pub domains: String,
    pub form: FormState,
}

impl SiteNew {
    /// The hint under the registration email.
    pub fn email_hint(&self) -> String {
        format!(
            "The account must be registered with an official City address ({}), policy B.10.",
            self.domains
        )
    }
}

/// What a person typed into a form and the error that refused it, so that the form comes back
/// filled in with the error beside its field (WCAG 3.3.1 and 3.3.3) instead of a bare error
/// page. Passwords are never put back.
#[derive(Debug, Default)]
pub struct FormState {
    values: Vec<(String, String)>,
    /// The field the error names (as the domain error names it, which is the input's name).
    pub field: String,
    /// The field as a person reads it, for the summary at the top of the form.
    pub label: String,
    /// What is wrong with the field.
    pub reason: String,
}

/// A submitted form's fields as name/value pairs, to show it again when it is refused.
pub fn form_values(form: &impl serde::Serialize) -> Vec<(String, String)> {
    match serde_json::to_value(form) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

impl FormState {
    /// The form to show again, filled in, when `error` refuses one field of it; any other
    /// error is passed on. `labels` maps input names to the labels the form shows.
    pub fn refused(
        values: Vec<(String, String)>,
        error: crate::error::AppError,
        labels: &[(&str, &str)],
    ) -> Result<FormState, crate::error::AppError> {
        let crate::error::AppError::Domain(plaza_core::Error::Invalid { field, reason }) = error
        else {
            return Err(error);
        };
        let label = labels
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, l)| (*l).to_string())
            .unwrap_or_else(|| field.replace('_', " "));
        Ok(FormState {
            values: values
                .into_iter()
                .filter(|(k, _)| k != "password" && k != "csrf")
                .collect(),
            field,
            label,
            reason,
        })
    }

    /// Whether the form was refused.
    pub fn is_refused(&self) -> bool {
        !self.field.is_empty()
    }

    /// The value typed into `name` (the first, for repeated names).
    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether `name` was submitted with `value` (a checked box, a chosen option).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether the error is about `name`.
    pub fn invalid(&self, name: &str) -> bool {
        self.field == name
    }
}

pub struct ConsultView {
    pub area: String,
    pub verdict: String,
    pub by: String,
    pub at: String,
    pub note: String,
}

pub struct ContentView {
    pub at: String,
    pub kind: String,
    pub author: String,
    pub text: String,
    pub seq: i64,
    /// On the platform: live, hidden, deleted by its author, removed by the city; and edits.
    pub status: String,
    /// The moderation engine's decision for a comment.
    pub decision: String,
}

pub struct HistoryView {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "site.html")]
pub struct SitePage {
    pub nav: Nav,
    pub site: Site,
    pub created: String,
    pub steps: Vec<(&'static str, &'static str, bool)>,
    pub waiting: String,
    pub areas: Vec<(&'static str, &'static str)>,
    pub consultations: Vec<ConsultView>,
    pub can_grant: bool,
    pub auths: Vec<AuthRow>,
    pub content: Vec<ContentView>,
    pub history: Vec<HistoryView>,
    pub records: bool,
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub department: String,
    pub roles: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub nav: Nav,
    pub rows: Vec<PersonRow>,
    pub bodies: Vec<(String, i64, i64, usize)>,
    pub can_manage: bool,
    pub can_bodies: bool,
}

#[derive(Template)]
#[template(path = "person_new.html")]
pub struct PersonNew {
    pub nav: Nav,
    pub roles: Vec<(&'static str, &'static str)>,
    pub bodies: Vec<Body>,
    pub domains: String,
    pub form: FormState,
}

impl PersonNew {
    /// The hint under the official email.
    pub fn email_hint(&self) -> String {
        format!("On an official City domain: {}", self.domains)
    }

    /// Whether body `id` was chosen before a refusal.
    pub fn body_chosen(&self, id: &i64) -> bool {
        self.form.has("body", &id.to_string())
    }
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub nav: Nav,
    pub p: Person,
    pub body: String,
    pub ack: String,
    pub is_official: bool,
    pub accounts: Vec<OfficialAccount>,
    pub platforms: Vec<(&'static str, &'static str)>,
    pub auths: Vec<AuthRow>,
    pub can_manage: bool,
}

#[derive(Template)]
#[template(path = "auths.html")]
pub struct AuthsPage {
    pub nav: Nav,
    pub rows: Vec<AuthRow>,
    pub can_grant: bool,
}

#[derive(Template)]
#[template(path = "auth_new.html")]
pub struct AuthNew {
    pub nav: Nav,
    pub people: Vec<(i64, String)>,
    pub sites: Vec<(i64, String)>,
    pub levels: Vec<(&'static str, &'static str)>,
    pub person_sel: i64,
    pub site_sel: i64,
    pub form: FormState,
}

impl AuthNew {
    /// Whether level `l` is the one to show checked: the one typed before a refusal, else view.
    pub fn level_checked(&self, l: &str) -> bool {
        if self.form.is_refused() {
            self.form.has("level", l)
        } else {
            l == "view"
        }
    }
}

#[derive(Template)]
#[template(path = "auth.html")]
pub struct AuthPage {
    pub nav: Nav,
    pub a: Authorization,
    pub status: String,
    pub granted: String,
    pub from: String,
    pub until: String,
    pub signed: String,
    pub revoked: String,
    pub can_attest: bool,
    pub can_attest_copy: bool,
    pub can_revoke: bool,
    pub site_link: bool,
    pub person_link: bool,
}

/// The letter's text, line by line (shared by the HTML and the PDF).
pub struct LetterText {
    pub id: i64,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage {
    pub nav: Nav,
    pub l: LetterText,
}

pub struct RecordRow {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub policy: String,
    pub payload_sha256: String,
    pub leaf: String,
    pub chain: String,
}

impl RecordRow {
    pub fn named(
        e: &plaza_core::record::StoredEntry,
        names: &std::collections::HashMap<String, String>,
    ) -> RecordRow {
        RecordRow {
            actor: actor_label(names, &e.header.actor),
            ..RecordRow::from(e)
        }
    }

    pub fn from(e: &plaza_core::record::StoredEntry) -> RecordRow {
        RecordRow {
            seq: e.header.seq,
            at: e.header.at.human(),
            kind: e.header.kind.clone(),
            subject: e.header.subject.clone(),
            actor: e.header.actor.clone(),
            policy: e
                .header
                .policy_version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".into()),
            payload_sha256: plaza_core::hex(&e.header.payload_sha256),
            leaf: plaza_core::hex(&e.leaf_hash),
            chain: plaza_core::hex(&e.chain_hash),
        }
    }
}

#[derive(Template)]
#[template(path = "records.html")]
pub struct RecordsPage {
    pub nav: Nav,
    pub total: i64,
    pub rows: Vec<RecordRow>,
    pub kinds: Vec<&'static str>,
    pub kind: String,
    pub subject: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub next: String,
}

pub struct ProofView {
    pub tree_size: i64,
    pub at: String,
    pub root: String,
    pub path: Vec<String>,
    pub verified: bool,
}

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub nav: Nav,
    pub e: RecordRow,
    pub payload: String,
    pub proof: Option<ProofView>,
}

pub struct VersionRow {
    pub id: i64,
    pub label: String,
    pub at: String,
    pub by: String,
    pub sha: String,
}

#[derive(Template)]
#[template(path = "policy_admin.html")]
pub struct PolicyAdmin {
    pub nav: Nav,
    pub current: String,
    pub versions: Vec<VersionRow>,
    pub ack_needed: bool,
    pub can_load: bool,
    /// The policy file in the load form: the current one, or what was pasted and refused.
    pub text: String,
    pub form: FormState,
}
