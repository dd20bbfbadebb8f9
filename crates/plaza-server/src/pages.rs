//! Staff pages. Each handler asks the authorization module before it reads or changes
//! anything, and every change goes through one write transaction with its record entry.

use crate::App;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::views::{
    self, AuthRow, ConsultView, ContentView, CpView, FormState, HistoryView, Nav, PersonRow,
    RecordRow, SiteRow,
};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use plaza_core::authz::{Action, Level};
use plaza_core::people::{NewBody, NewOfficialAccount, NewPerson, Role};
use plaza_core::record::kinds;
use plaza_core::sites::{Area, NewSite, Platform, SiteState, Step, Verdict, steps_from};
use plaza_core::{Error, Timestamp};
use plaza_store::{NewGrant, RecordFilter};
use serde::{Deserialize, Serialize};

fn platforms() -> Vec<(&'static str, &'static str)> {
    Platform::ALL
        .iter()
        .map(|p| (p.as_str(), p.label()))
        .collect()
}

/// Parses a whole number from a form field, naming the field if it is not one.
fn int_field(field: &str, value: &str, what: &str) -> Result<i64, Error> {
    value
        .trim()
        .parse()
        .map_err(|_| Error::invalid(field, what))
}

pub async fn dashboard(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewDashboard).await?;
    let (pv, policy) = app.store.policy().await?;
    let ack = app.store.acknowledged(ctx.person.id, pv).await?;
    let sites = app.store.sites().await?;
    let visible: Vec<_> = sites
        .iter()
        .filter(|s| ctx.can(Action::ViewSite(s.id)))
        .collect();
    let mut todo = Vec::new();
    for s in &visible {
        if s.state == SiteState::Consultation {
            let answers = app.store.consultations(s.id).await?;
            for area in Area::ALL {
                if ctx.can(Action::Consult(area)) && !answers.iter().any(|c| c.area == area) {
                    todo.push((
                        format!("{} consultation on {}", area.label(), s.name),
                        format!("/staff/sites/{}", s.id),
                    ));
                }
            }
            if ctx.can(Action::ApproveSite) && answers.len() >= 3 {
                todo.push((
                    format!("Decide on approving {}", s.name),
                    format!("/staff/sites/{}", s.id),
                ));
            }
        }
        if s.state == SiteState::Approved && ctx.can(Action::ActivateSite(s.id)) {
            todo.push((
                format!("Activate {}", s.name),
                format!("/staff/sites/{}", s.id),
            ));
        }
    }
    let mine = app.store.authorizations(Some(ctx.person.id), None).await?;
    for a in mine
        .iter()
        .filter(|a| a.attested_at.is_none() && a.revoked_at.is_none())
    {
        todo.push((
            format!("Sign your authorization for {}", a.site_name),
            format!("/staff/authorizations/{}", a.id),
        ));
    }
    let site_counts = SiteState::ALL
        .iter()
        .map(|st| {
            (
                st.as_str().to_string(),
                visible.iter().filter(|s| s.state == *st).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    // Capture continuity: a pass every five minutes; ten without a success is a gap; warn two
    // weeks before a credential expires (the same figures `plaza status` uses). The dashboard
    // reads the last 30 days of passes; `plaza status` reports the whole history.
    let capture = app
        .store
        .continuity(
            2 * plaza_core::capture::PASS_INTERVAL_MS,
            plaza_core::capture::EXPIRY_WARNING_MS,
            Some(ctx.now.plus_days(-30)),
        )
        .await?
        .into_iter()
        .filter(|c| ctx.can(Action::ViewSite(c.site_id)))
        .map(|c| views::CaptureRow {
            site_id: c.site_id,
            site: c.site,
            last: c
                .last_success_at
                .map(|t| t.human())
                .unwrap_or_else(|| "never".into()),
            gaps: c.gaps.len(),
            warnings: c.warnings,
        })
        .collect();
    let page = views::Dashboard {
        capture,
        nav: Nav::staff(&app, &ctx).await,
        me_name: ctx.person.name.clone(),
        me_roles: ctx.person.role_labels(),
        ack_needed: ack.is_none(),
        ack_at: ack.map(|t| t.human()).unwrap_or_default(),
        policy_label: policy.meta.version.clone(),
        todo,
        site_counts,
        my_auths: mine.iter().map(|a| AuthRow::from(a, ctx.now)).collect(),
        records: app.store.tree_size().await?,
        checkpoint: app
            .store
            .latest_checkpoint()
            .await?
            .as_ref()
            .map(CpView::from),
    };
    views::html(&page)
}

pub async fn acknowledge(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::AcknowledgePolicy).await?;
    let mut tx = app.store.begin_write().await?;
    tx.acknowledge_policy(ctx.person.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff").into_response())
}

pub async fn sites(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ListSites).await?;
    let counts = app.store.content_counts().await?;
    let rows = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| ctx.can(Action::ViewSite(s.id)))
        .map(|site| {
            let (posts, comments) = counts
                .iter()
                .find(|c| c.0 == site.id)
                .map(|c| (c.1, c.2))
                .unwrap_or((0, 0));
            SiteRow {
                site,
                posts,
                comments,
            }
        })
        .collect();
    let page = views::SitesPage {
        nav: Nav::staff(&app, &ctx).await,
        rows,
        all: ctx.principal.sees_all_sites() || ctx.person.has(Role::Moderator),
        can_propose: ctx.can(Action::ProposeSite),
    };
    views::html(&page)
}

pub async fn site_new(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ProposeSite).await?;
    let (_, policy) = app.store.policy().await?;
    views::html(&views::SiteNew {
        nav: Nav::staff(&app, &ctx).await,
        platforms: platforms(),
        domains: policy.settings.official_email_domains.join(", "),
        form: FormState::default(),
    })
}

/// The form again, filled in, with the error beside its field, answered 422; other errors
/// go to the error page.
fn refused(page: Result<Response, AppError>) -> Result<Response, AppError> {
    let mut r = page?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

const SITE_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("platform", "Platform"),
    ("handle", "Account handle"),
    ("url", "Address of the account"),
    ("department", "Department"),
    ("registration_email", "Registration email"),
    ("purpose", "Purpose"),
];

#[derive(Deserialize, Serialize)]
pub struct SiteForm {
    name: String,
    platform: String,
    handle: String,
    url: String,
    department: String,
    registration_email: String,
    #[serde(default)]
    purpose: String,
}

pub async fn site_create(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<SiteForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ProposeSite).await?;
    let (_, policy) = app.store.policy().await?;
    let domains = &policy.settings.official_email_domains;
    // checked, then stored; a field refused by either (a duplicate handle is refused by the
    // store) brings the form back
    let made: Result<i64, AppError> = async {
        let s = NewSite::parse(
            &f.name,
            &f.platform,
            &f.handle,
            &f.url,
            &f.department,
            &f.registration_email,
            &f.purpose,
            domains,
        )?;
        let mut tx = app.store.begin_write().await?;
        let id = tx.propose_site(ctx.person.id, &s).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match made {
        Ok(id) => Ok(Redirect::to(&format!("/staff/sites/{id}")).into_response()),
        Err(e) => {
            let form = FormState::refused(views::form_values(&f), e, SITE_LABELS)?;
            refused(views::html(&views::SiteNew {
                nav: Nav::staff(&app, &ctx).await,
                platforms: platforms(),
                domains: domains.join(", "),
                form,
            }))
        }
    }
}

pub async fn site_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewSite(id)).await?;
    let site = app.store.site(id).await?;
    let steps = steps_from(site.state)
        .into_iter()
        .filter(|st| ctx.can(Action::for_step(*st, id)))
        .map(|st| {
            (
                st.as_str(),
                st.label(),
                st.needs_reason() || (st == Step::Approve),
            )
        })
        .collect();
    let areas = if site.state == SiteState::Consultation {
        Area::ALL
            .into_iter()
            .filter(|a| ctx.can(Action::Consult(*a)))
            .map(|a| (a.as_str(), a.label()))
            .collect()
    } else {
        vec![]
    };
    let consultations = app
        .store
        .consultations(id)
        .await?
        .into_iter()
        .map(|c| ConsultView {
            area: c.area.label().into(),
            verdict: if c.verdict == Verdict::SignOff {
                "signed off".into()
            } else {
                "objected".into()
            },
            by: c.person_name,
            at: c.at.human(),
            note: c.note,
        })
        .collect();
    let see_all = ctx.can(Action::ViewAuthorizations);
    let auths = app
        .store
        .authorizations(None, Some(id))
        .await?
        .iter()
        .map(|a| AuthRow {
            link: see_all || a.person_id == ctx.person.id,
            ..AuthRow::from(a, ctx.now)
        })
        .collect();
    let (_, policy) = app.store.policy().await?;
    let content = app
        .store
        .content(id, 25)
        .await?
        .into_iter()
        .map(|c| ContentView {
            at: c.created_at.human(),
            kind: c.kind,
            author: format!("{} (@{})", c.author_name, c.author_handle),
            text: c.body,
            seq: c.record_seq,
            status: format!(
                "{}{}{}",
                match c.state.as_str() {
                    "hidden" => "hidden by the city",
                    "deleted_by_author" => "deleted by its author",
                    "removed_by_city" => "removed by the city",
                    _ => "on the platform",
                },
                match c.audience.as_str() {
                    "followers" => ", visible to its author's followers only",
                    "mentioned" => ", visible only to the accounts it mentions",
                    _ => "",
                },
                if c.versions > 1 {
                    format!(", {} versions", c.versions)
                } else {
                    String::new()
                }
            ),
            decision: match (c.decision, c.clauses.is_empty()) {
                (Some(d), true) => d,
                // each clause with its title, so the moderator reads what it means
                (Some(d), false) => format!(
                    "{d}: {}",
                    c.clauses
                        .iter()
                        .map(|id| match policy.clause(id) {
                            Some(cl) => format!("{id} {}", cl.title),
                            None => id.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                (None, _) => String::new(),
            },
        })
        .collect();
    let names = views::actor_names(&app).await?;
    let answered = app.store.consultations(id).await?;
    let waiting = match site.state {
        SiteState::Proposed => {
            "Waiting for the PIO or the City Manager to open consultation (B.3).".to_string()
        }
        SiteState::Consultation => {
            let missing: Vec<&str> = Area::ALL
                .into_iter()
                .filter(|a| !answered.iter().any(|c| c.area == *a))
                .map(|a| a.label())
                .collect();
            if missing.is_empty() {
                "Every consultation has answered: waiting for the City Manager's decision (B.3, B.8).".to_string()
            } else {
                format!(
                    "Waiting for consultation by: {}. Then the City Manager decides (B.3, B.8).",
                    missing.join(", ")
                )
            }
        }
        SiteState::Approved => {
            "Approved by the City Manager: waiting for the PIO to activate it.".to_string()
        }
        _ => String::new(),
    };
    let history = app
        .store
        .records(&RecordFilter {
            subject: Some(format!("site:{id}")),
            limit: 200,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|e| e.header.kind.starts_with("site."))
        .map(|e| HistoryView {
            seq: e.header.seq,
            at: e.header.at.human(),
            actor: views::actor_label(&names, &e.header.actor),
            kind: e.header.kind,
        })
        .collect();
    let page = views::SitePage {
        nav: Nav::staff(&app, &ctx).await,
        created: site.created_at.human(),
        site,
        steps,
        waiting,
        areas,
        consultations,
        can_grant: ctx.can(Action::GrantAuthorization),
        auths,
        content,
        history,
        records: ctx.can(Action::ViewRecord),
    };
    views::html(&page)
}

#[derive(Deserialize)]
pub struct StepForm {
    step: String,
    #[serde(default)]
    reason: String,
}

pub async fn site_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    let step = Step::parse(&f.step)?;
    ctx.require(&app, Action::for_step(step, id)).await?;
    let mut tx = app.store.begin_write().await?;
    tx.step_site(ctx.person.id, id, step, &f.reason).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/sites/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct ConsultForm {
    area: String,
    verdict: String,
    #[serde(default)]
    note: String,
}

pub async fn site_consult(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ConsultForm>,
) -> Result<Response, AppError> {
    let area = Area::parse(&f.area)?;
    ctx.require(&app, Action::Consult(area)).await?;
    let verdict = Verdict::parse(&f.verdict)?;
    let mut tx = app.store.begin_write().await?;
    tx.consult(ctx.person.id, id, area, verdict, &f.note)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/sites/{id}")).into_response())
}

pub async fn people(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewPeople).await?;
    let people = app.store.people().await?;
    let bodies = app
        .store
        .bodies()
        .await?
        .into_iter()
        .map(|b| {
            let members = people.iter().filter(|p| p.body_id == Some(b.id)).count();
            (b.name, b.seats, b.quorum, members)
        })
        .collect();
    let rows = people
        .iter()
        .map(|p| PersonRow {
            id: p.id,
            name: p.name.clone(),
            title: p.title.clone(),
            department: p.department.clone(),
            roles: p.role_labels(),
            disabled: p.disabled_at.is_some(),
        })
        .collect();
    views::html(&views::PeoplePage {
        nav: Nav::staff(&app, &ctx).await,
        rows,
        bodies,
        can_manage: ctx.can(Action::ManagePeople),
        can_bodies: ctx.can(Action::ManageBodies),
    })
}

pub async fn person_new(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManagePeople).await?;
    let (_, policy) = app.store.policy().await?;
    views::html(&views::PersonNew {
        nav: Nav::staff(&app, &ctx).await,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        bodies: app.store.bodies().await?,
        domains: policy.settings.official_email_domains.join(", "),
        form: FormState::default(),
    })
}

const PERSON_LABELS: &[(&str, &str)] = &[
    ("name", "Full name"),
    ("title", "Title"),
    ("email", "Official email"),
    ("department", "Department"),
    ("roles", "Roles"),
    ("body", "Legislative body"),
    ("password", "Initial password"),
];

/// The person form: `roles` may repeat (checkboxes), so it is read as pairs.
pub async fn person_create(
    State(app): State<App>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManagePeople).await?;
    let (_, policy) = app.store.policy().await?;
    let domains = &policy.settings.official_email_domains;
    let made: Result<i64, AppError> = async {
        let (p, hash) = parse_person(&pairs, domains)?;
        let mut tx = app.store.begin_write().await?;
        let id = tx.create_person(&ctx.actor(), &p, hash.as_deref()).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match made {
        Ok(id) => Ok(Redirect::to(&format!("/staff/people/{id}")).into_response()),
        Err(e) => {
            let form = FormState::refused(pairs, e, PERSON_LABELS)?;
            refused(views::html(&views::PersonNew {
                nav: Nav::staff(&app, &ctx).await,
                roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
                bodies: app.store.bodies().await?,
                domains: domains.join(", "),
                form,
            }))
        }
    }
}

/// The add-a-person form checked: the person, and the password's hash if one was given.
fn parse_person(
    pairs: &[(String, String)],
    domains: &[String],
) -> Result<(NewPerson, Option<String>), Error> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let roles: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let body = get("body");
    let body_id = if body.trim().is_empty() {
        None
    } else {
        Some(
            body.trim()
                .parse::<i64>()
                .map_err(|_| Error::invalid("body", "is not a legislative body"))?,
        )
    };
    let p = NewPerson::parse(
        &get("name"),
        &get("title"),
        &get("email"),
        &get("department"),
        &roles.join(","),
        body_id,
        domains,
    )?;
    let password = get("password");
    let hash = if password.is_empty() {
        None
    } else {
        Some(crate::auth::hash_password(&password)?)
    };
    Ok((p, hash))
}

pub async fn person_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewPerson(id)).await?;
    let p = app.store.person(id).await?;
    let body = match p.body_id {
        Some(b) => app
            .store
            .bodies()
            .await?
            .into_iter()
            .find(|x| x.id == b)
            .map(|x| x.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let (pv, _) = app.store.policy().await?;
    let ack = match app.store.acknowledged(id, pv).await? {
        Some(t) => format!("current version, {}", t.human()),
        None => "not yet for the current version".into(),
    };
    let auths = app
        .store
        .authorizations(Some(id), None)
        .await?
        .iter()
        .map(|a| AuthRow::from(a, ctx.now))
        .collect();
    views::html(&views::PersonPage {
        nav: Nav::staff(&app, &ctx).await,
        is_official: p.has(Role::Official),
        accounts: app.store.official_accounts(id).await?,
        platforms: platforms(),
        body,
        ack,
        auths,
        can_manage: ctx.can(Action::ManagePeople) && ctx.person.id != id,
        p,
    })
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn person_disable(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManagePeople).await?;
    if id == ctx.person.id {
        return Err(Error::Conflict("you cannot disable your own access".into()).into());
    }
    let mut tx = app.store.begin_write().await?;
    tx.disable_person(&ctx.actor(), id, &f.reason).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/people/{id}")).into_response())
}

pub async fn person_enable(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManagePeople).await?;
    let mut tx = app.store.begin_write().await?;
    tx.enable_person(&ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/people/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct AccountForm {
    platform: String,
    handle: String,
}

pub async fn person_account(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManagePeople).await?;
    let acct = NewOfficialAccount::parse(&f.platform, &f.handle)?;
    let mut tx = app.store.begin_write().await?;
    tx.add_official_account(&ctx.actor(), id, &acct).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/people/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct BodyForm {
    name: String,
    seats: String,
    quorum: String,
}

pub async fn body_create(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<BodyForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ManageBodies).await?;
    let seats = int_field("seats", &f.seats, "is not a number")?;
    let quorum = int_field("quorum", &f.quorum, "is not a number")?;
    let b = NewBody::parse(&f.name, seats, quorum)?;
    let mut tx = app.store.begin_write().await?;
    tx.create_body(&ctx.actor(), &b).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/people").into_response())
}

pub async fn authorizations(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewAuthorizations).await?;
    let rows = app
        .store
        .authorizations(None, None)
        .await?
        .iter()
        .map(|a| AuthRow::from(a, ctx.now))
        .collect();
    views::html(&views::AuthsPage {
        nav: Nav::staff(&app, &ctx).await,
        rows,
        can_grant: ctx.can(Action::GrantAuthorization),
    })
}

#[derive(Deserialize)]
pub struct NewAuthQuery {
    person: Option<i64>,
    site: Option<i64>,
}

pub async fn authorization_new(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<NewAuthQuery>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::GrantAuthorization).await?;
    views::html(
        &auth_form(
            &app,
            &ctx,
            q.person.unwrap_or(0),
            q.site.unwrap_or(0),
            FormState::default(),
        )
        .await?,
    )
}

/// The grant form, with `person` and `site` chosen (0 for none) and what was typed before.
async fn auth_form(
    app: &App,
    ctx: &Ctx,
    person_sel: i64,
    site_sel: i64,
    form: FormState,
) -> Result<views::AuthNew, AppError> {
    let people = app
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| p.disabled_at.is_none())
        .map(|p| (p.id, format!("{} ({})", p.name, p.title)))
        .collect();
    let sites = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| s.state != SiteState::Terminated)
        .map(|s| {
            (
                s.id,
                format!("{} ({}, {})", s.name, s.platform.label(), s.state.as_str()),
            )
        })
        .collect();
    Ok(views::AuthNew {
        nav: Nav::staff(app, ctx).await,
        people,
        sites,
        levels: Level::ALL
            .iter()
            .map(|l| (l.as_str(), l.description()))
            .collect(),
        person_sel,
        site_sel,
        form,
    })
}

const GRANT_LABELS: &[(&str, &str)] = &[
    ("person", "Person"),
    ("site", "Site"),
    ("level", "Level"),
    ("scope", "Scope"),
    ("starts", "Starts"),
    ("ends", "Ends"),
];

#[derive(Deserialize, Serialize)]
pub struct GrantForm {
    person: String,
    site: String,
    level: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
}

pub async fn authorization_create(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<GrantForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::GrantAuthorization).await?;
    let made: Result<i64, AppError> = async {
        let person = int_field("person", &f.person, "is not a person")?;
        let site = int_field("site", &f.site, "is not a site")?;
        let g = NewGrant::parse(
            person, site, &f.level, &f.scope, &f.starts, &f.ends, ctx.now,
        )?;
        let mut tx = app.store.begin_write().await?;
        let id = tx.grant(ctx.person.id, &g).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match made {
        Ok(id) => Ok(Redirect::to(&format!("/staff/authorizations/{id}")).into_response()),
        Err(e) => {
            let (person_sel, site_sel) = (
                f.person.trim().parse().unwrap_or(0),
                f.site.trim().parse().unwrap_or(0),
            );
            let form = FormState::refused(views::form_values(&f), e, GRANT_LABELS)?;
            refused(views::html(
                &auth_form(&app, &ctx, person_sel, site_sel, form).await?,
            ))
        }
    }
}

async fn load_auth(app: &App, ctx: &Ctx, id: i64) -> Result<plaza_store::Authorization, AppError> {
    let a = app.store.authorization(id).await?;
    if a.person_id != ctx.person.id {
        ctx.require(app, Action::ViewAuthorizations).await?;
    }
    Ok(a)
}

pub async fn authorization_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load_auth(&app, &ctx, id).await?;
    let open = a.revoked_at.is_none();
    views::html(&views::AuthPage {
        nav: Nav::staff(&app, &ctx).await,
        status: a.status(ctx.now).to_string(),
        granted: a.granted_at.human(),
        from: a.starts_at.date(),
        until: a
            .ends_at
            .map(|t| t.date())
            .unwrap_or_else(|| "until revoked".into()),
        signed: match a.attested_at {
            Some(t) => format!(
                "{} ({})",
                t.human(),
                a.attestation.clone().unwrap_or_default()
            ),
            None => "awaiting signature".into(),
        },
        revoked: a.revoked_at.map(|t| t.human()).unwrap_or_default(),
        can_attest: open
            && a.attested_at.is_none()
            && ctx.can(Action::AttestAuthorization {
                grantee: a.person_id,
            }),
        can_attest_copy: open
            && a.signed_copy_sha256.is_none()
            && app.config.blob_dir.is_some()
            && ctx.can(Action::AttestAuthorization {
                grantee: a.person_id,
            }),
        can_revoke: open && ctx.can(Action::RevokeAuthorization),
        site_link: ctx.can(Action::ViewSite(a.site_id)),
        person_link: ctx.can(Action::ViewPerson(a.person_id)),
        a,
    })
}

pub async fn authorization_letter(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load_auth(&app, &ctx, id).await?;
    let lines = crate::letter::text(&app, &a).await?;
    views::html(&views::LetterPage {
        nav: Nav::staff(&app, &ctx).await,
        l: views::LetterText { id, lines },
    })
}

pub async fn authorization_pdf(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load_auth(&app, &ctx, id).await?;
    let lines = crate::letter::text(&app, &a).await?;
    let pdf = crate::letter::pdf(&format!("Written authorization {id}"), &lines);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"authorization-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct AttestForm {
    #[serde(default)]
    attestation: String,
}

pub async fn authorization_attest(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AttestForm>,
) -> Result<Response, AppError> {
    let a = app.store.authorization(id).await?;
    ctx.require(
        &app,
        Action::AttestAuthorization {
            grantee: a.person_id,
        },
    )
    .await?;
    let mut tx = app.store.begin_write().await?;
    tx.attest(ctx.person.id, id, &f.attestation).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/authorizations/{id}")).into_response())
}

pub async fn authorization_revoke(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::RevokeAuthorization).await?;
    let mut tx = app.store.begin_write().await?;
    tx.revoke(ctx.person.id, id, &f.reason).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/authorizations/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl RecordQuery {
    /// The store filter, with each field checked.
    pub fn filter(&self) -> Result<RecordFilter, Error> {
        let opt = |s: &str| {
            if s.trim().is_empty() {
                None
            } else {
                Some(s.trim().to_string())
            }
        };
        let time = |field: &str, s: &str| -> Result<Option<Timestamp>, Error> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            Timestamp::parse(s).map(Some).ok_or_else(|| {
                Error::invalid(
                    field,
                    format!("{s:?} is not a date (YYYY-MM-DD) or RFC 3339 time"),
                )
            })
        };
        Ok(RecordFilter {
            kind: opt(&self.kind),
            subject: opt(&self.subject),
            actor: opt(&self.actor),
            from: time("from", &self.from)?,
            to: time("to", &self.to)?,
            before: self.before,
            limit: self.limit.unwrap_or(50),
        })
    }
}

const KINDS: &[&str] = &[
    kinds::INSTANCE_INITIALISED,
    kinds::POLICY_LOADED,
    kinds::POLICY_ACKNOWLEDGED,
    kinds::PERSON_CREATED,
    kinds::PERSON_DISABLED,
    kinds::PERSON_ENABLED,
    kinds::PERSON_PASSWORD_SET,
    kinds::BODY_CREATED,
    kinds::OFFICIAL_ACCOUNT_ADDED,
    kinds::SITE_PROPOSED,
    kinds::SITE_CONSULTATION,
    kinds::SITE_APPROVED,
    kinds::SITE_ACTIVATED,
    kinds::SITE_SUSPENDED,
    kinds::SITE_REACTIVATED,
    kinds::SITE_TERMINATED,
    kinds::AUTHORIZATION_GRANTED,
    kinds::AUTHORIZATION_REVOKED,
    kinds::AUTHORIZATION_ATTESTED,
    kinds::LOGIN_SUCCEEDED,
    kinds::LOGIN_FAILED,
    kinds::LOGOUT,
    kinds::ACCESS_DENIED,
    kinds::CAPTURE_POST,
    kinds::CAPTURE_COMMENT,
];

pub async fn records(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<RecordQuery>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewRecord).await?;
    let f = q.filter()?;
    let entries = app.store.records(&f).await?;
    let next = match entries.last() {
        Some(last) if entries.len() as i64 == f.limit.clamp(1, 1000) && last.header.seq > 1 => {
            format!(
                "/staff/records?kind={}&subject={}&actor={}&from={}&to={}&before={}",
                crate::auth::urlencode(&q.kind),
                crate::auth::urlencode(&q.subject),
                crate::auth::urlencode(&q.actor),
                crate::auth::urlencode(&q.from),
                crate::auth::urlencode(&q.to),
                last.header.seq
            )
        }
        _ => String::new(),
    };
    views::html(&views::RecordsPage {
        nav: Nav::staff(&app, &ctx).await,
        total: app.store.tree_size().await?,
        rows: {
            let names = views::actor_names(&app).await?;
            entries
                .iter()
                .map(|e| RecordRow::named(e, &names))
                .collect()
        },
        kinds: KINDS.to_vec(),
        kind: q.kind,
        subject: q.subject,
        actor: q.actor,
        from: q.from,
        to: q.to,
        next,
    })
}

pub async fn record_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(seq): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::ViewRecord).await?;
    let e = app.store.record(seq).await?;
    let payload = match &e.payload {
        Some(p) => serde_json::from_str::<serde_json::Value>(p)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| p.clone()),
        None => "(destroyed under a recorded retention decision; its hash remains)".into(),
    };
    let proof = match app.store.latest_checkpoint().await? {
        Some(cp) if cp.checkpoint.tree_size as i64 >= seq => {
            let p = app
                .store
                .inclusion_proof(seq, cp.checkpoint.tree_size as i64)
                .await?;
            let verified = plaza_core::merkle::verify_inclusion(
                (seq - 1) as u64,
                cp.checkpoint.tree_size,
                &e.leaf_hash,
                &p.path,
                &cp.checkpoint.root,
            );
            Some(views::ProofView {
                tree_size: p.tree_size,
                at: cp.checkpoint.at.human(),
                root: plaza_core::hex(&cp.checkpoint.root),
                path: p.path.iter().map(|h| plaza_core::hex(h)).collect(),
                verified,
            })
        }
        _ => None,
    };
    views::html(&views::RecordPage {
        nav: Nav::staff(&app, &ctx).await,
        e: RecordRow::named(&e, &views::actor_names(&app).await?),
        payload,
        proof,
    })
}

pub async fn policy_admin(State(app): State<App>, ctx: Ctx) -> Result<Response, AppError> {
    views::html(&policy_page(&app, &ctx, None).await?)
}

/// The policy page; `refused` is a pasted policy file and the error that refused it.
async fn policy_page(
    app: &App,
    ctx: &Ctx,
    refused: Option<(String, FormState)>,
) -> Result<views::PolicyAdmin, AppError> {
    ctx.require(app, Action::ViewPolicy).await?;
    let (pv, policy) = app.store.policy().await?;
    let can_load = ctx.can(Action::LoadPolicy);
    let versions = app
        .store
        .policy_versions()
        .await?
        .into_iter()
        .map(|v| views::VersionRow {
            id: v.id,
            label: v.label,
            at: v.loaded_at.human(),
            by: v.loaded_by,
            sha: v.sha256[..16].to_string(),
        })
        .collect();
    let (text, form) = match refused {
        Some(r) => r,
        None if can_load => (app.store.policy_text(pv).await?, FormState::default()),
        None => (String::new(), FormState::default()),
    };
    Ok(views::PolicyAdmin {
        nav: Nav::staff(app, ctx).await,
        current: format!(
            "{} (version {}, #{pv})",
            policy.meta.name, policy.meta.version
        ),
        versions,
        ack_needed: app.store.acknowledged(ctx.person.id, pv).await?.is_none(),
        can_load,
        text,
        form,
    })
}

#[derive(Deserialize)]
pub struct PolicyForm {
    text: String,
}

pub async fn policy_load(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<PolicyForm>,
) -> Result<Response, AppError> {
    ctx.require(&app, Action::LoadPolicy).await?;
    let text = f.text.replace("\r\n", "\n");
    let loaded: Result<(), AppError> = async {
        let mut tx = app.store.begin_write().await?;
        tx.load_policy(&ctx.actor(), &text).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match loaded {
        Ok(()) => Ok(Redirect::to("/staff/policy").into_response()),
        // the pasted file comes back with its line errors, so nothing typed is lost
        Err(e) => {
            let form = FormState::refused(Vec::new(), e, &[("policy", "Policy file")])?;
            refused(views::html(
                &policy_page(&app, &ctx, Some((text, form))).await?,
            ))
        }
    }
}

/// What kind of file a signed letter is, by its first bytes.
fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Files the scanned, signed letter of an authorization (B.9): stored by its SHA-256 in the
/// data directory, its hash, name and type recorded.
pub async fn authorization_copy_upload(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let a = app.store.authorization(id).await?;
    ctx.require(
        &app,
        Action::AttestAuthorization {
            grantee: a.person_id,
        },
    )
    .await?;
    let Some(dir) = app.config.blob_dir.clone() else {
        return Err(Error::Conflict("this server has no file store configured".into()).into());
    };
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| Error::invalid("file", e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("signed-letter").to_string();
            let data = field
                .bytes()
                .await
                .map_err(|e| Error::invalid("file", e.body_text()))?;
            file = Some((name, data));
        }
    }
    let Some((name, data)) = file.filter(|(_, d)| !d.is_empty()) else {
        return Err(Error::invalid(
            "file",
            "choose the scanned, signed letter (PDF, PNG or JPEG)",
        )
        .into());
    };
    let media = sniff(&data)
        .ok_or_else(|| Error::invalid("file", format!("{name} is not a PDF, PNG or JPEG file")))?;
    let sha = plaza_core::hex(&plaza_core::record::sha256(&data));
    let path = dir.join(&sha);
    if !path.exists() {
        let tmp = dir.join(format!("{sha}.tmp"));
        let write = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::write(&tmp, &data).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        write
            .await
            .map_err(|e| AppError::Internal(format!("storing {}: {e}", path.display())))?;
    }
    let mut tx = app.store.begin_write().await?;
    tx.file_signed_copy(ctx.person.id, id, &sha, &name, media, data.len() as i64)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/staff/authorizations/{id}")).into_response())
}

/// The filed signed letter, checked against its recorded SHA-256 before it is served.
pub async fn authorization_copy_download(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load_auth(&app, &ctx, id).await?;
    let (Some(sha), Some(dir)) = (a.signed_copy_sha256.clone(), app.config.blob_dir.clone()) else {
        return Err(Error::not_found("signed copy of authorization", id).into());
    };
    let data = tokio::fs::read(dir.join(&sha))
        .await
        .map_err(|e| AppError::Internal(format!("reading signed copy {sha}: {e}")))?;
    if plaza_core::hex(&plaza_core::record::sha256(&data)) != sha {
        return Err(AppError::Internal(format!(
            "the stored signed copy {sha} does not match its hash"
        )));
    }
    let name = a
        .signed_copy_name
        .unwrap_or_else(|| "signed-letter".into())
        .replace(['"', '\\', '\r', '\n'], "_");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                a.signed_copy_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        data,
    )
        .into_response())
}
