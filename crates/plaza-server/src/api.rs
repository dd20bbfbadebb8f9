//! The JSON API under `/api/v1`. Signed-in routes use the session cookie and, for changes,
//! the `X-CSRF-Token` header (from `GET /api/v1/session`). Errors are
//! `{"error": {"code", "message", "field", "request_id"}}` with stable codes.

use crate::App;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::RecordQuery;
use axum::Json;
use axum::extract::{Path, Query, State};
use plaza_core::authz::Action;
use plaza_core::checkpoint::b64;
use plaza_core::record::StoredEntry;
use plaza_core::sites::{NewSite, Step};
use plaza_core::{Error, hex};
use plaza_store::{NewGrant, SignedCheckpoint};
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult = Result<Json<Value>, AppError>;

fn entry_json(e: &StoredEntry) -> Value {
    json!({
        "seq": e.header.seq,
        "at": e.header.at.rfc3339(),
        "at_ms": e.header.at.0,
        "actor": e.header.actor,
        "kind": e.header.kind,
        "subject": e.header.subject,
        "policy_version": e.header.policy_version,
        "payload_sha256": hex(&e.header.payload_sha256),
        "leaf_hash": hex(&e.leaf_hash),
        "chain_hash": hex(&e.chain_hash),
        "payload": e.payload.as_ref().and_then(|p| serde_json::from_str::<Value>(p).ok()),
    })
}

fn checkpoint_json(cp: &SignedCheckpoint) -> Value {
    json!({
        "origin": cp.checkpoint.origin,
        "tree_size": cp.checkpoint.tree_size,
        "root": b64(&cp.checkpoint.root),
        "root_hex": hex(&cp.checkpoint.root),
        "at": cp.checkpoint.at.rfc3339(),
        "at_ms": cp.checkpoint.at.0,
        "key_id": cp.key_id,
        "signature": b64(&cp.signature),
        "signed_body": cp.checkpoint.body(),
    })
}

pub async fn public_sites(State(app): State<App>) -> ApiResult {
    let sites: Vec<_> = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| s.state.is_public())
        .collect();
    Ok(Json(json!({"sites": sites.iter().map(|s| json!({
        "name": s.name, "platform": s.platform, "handle": s.handle, "url": s.url, "department": s.department, "state": s.state
    })).collect::<Vec<_>>()})))
}

pub async fn policy(State(app): State<App>) -> ApiResult {
    let (id, p) = app.store.policy().await?;
    Ok(Json(json!({"version_id": id, "policy": &*p})))
}

pub async fn checkpoints(State(app): State<App>) -> ApiResult {
    let cps = app.store.checkpoints(50).await?;
    let keys: Vec<Value> = app
        .store
        .public_keys()
        .await?
        .into_iter()
        .map(|(id, k)| json!({"key_id": id, "public_key": b64(&k)}))
        .collect();
    Ok(Json(
        json!({"keys": keys, "checkpoints": cps.iter().map(checkpoint_json).collect::<Vec<_>>()}),
    ))
}

pub async fn latest_checkpoint(State(app): State<App>) -> ApiResult {
    match app.store.latest_checkpoint().await? {
        Some(cp) => Ok(Json(checkpoint_json(&cp))),
        None => Err(Error::not_found("checkpoint", "latest").into()),
    }
}

#[derive(Deserialize)]
pub struct InclusionQuery {
    seq: i64,
    tree_size: i64,
}

pub async fn inclusion(State(app): State<App>, Query(q): Query<InclusionQuery>) -> ApiResult {
    let p = app.store.inclusion_proof(q.seq, q.tree_size).await?;
    Ok(Json(json!({
        "seq": p.seq, "leaf_index": p.seq - 1, "tree_size": p.tree_size,
        "leaf_hash": b64(&p.leaf_hash), "root": b64(&p.root),
        "path": p.path.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    first: i64,
    second: i64,
}

pub async fn consistency(State(app): State<App>, Query(q): Query<ConsistencyQuery>) -> ApiResult {
    let p = app.store.consistency_proof(q.first, q.second).await?;
    Ok(Json(json!({
        "first": p.first, "second": p.second, "first_root": b64(&p.first_root), "second_root": b64(&p.second_root),
        "path": p.path.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    })))
}

pub async fn session(State(app): State<App>, ctx: Ctx) -> ApiResult {
    ctx.require(&app, Action::ViewDashboard).await?;
    Ok(Json(json!({"person": ctx.person, "csrf_token": ctx.csrf})))
}

pub async fn sites(State(app): State<App>, ctx: Ctx) -> ApiResult {
    ctx.require(&app, Action::ListSites).await?;
    let sites: Vec<_> = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| ctx.can(Action::ViewSite(s.id)))
        .collect();
    Ok(Json(json!({"sites": sites})))
}

pub async fn site(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    ctx.require(&app, Action::ViewSite(id)).await?;
    let site = app.store.site(id).await?;
    let consultations = app.store.consultations(id).await?;
    let authorizations = app.store.authorizations(None, Some(id)).await?;
    Ok(Json(
        json!({"site": site, "consultations": consultations, "authorizations": authorizations}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteBody {
    name: String,
    platform: String,
    handle: String,
    url: String,
    department: String,
    registration_email: String,
    #[serde(default)]
    purpose: String,
}

pub async fn site_create(State(app): State<App>, ctx: Ctx, Json(b): Json<SiteBody>) -> ApiResult {
    ctx.require(&app, Action::ProposeSite).await?;
    let (_, policy) = app.store.policy().await?;
    let s = NewSite::parse(
        &b.name,
        &b.platform,
        &b.handle,
        &b.url,
        &b.department,
        &b.registration_email,
        &b.purpose,
        &policy.settings.official_email_domains,
    )?;
    let mut tx = app.store.begin_write().await?;
    let id = tx.propose_site(ctx.person.id, &s).await?;
    tx.commit().await?;
    Ok(Json(json!({"site": app.store.site(id).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    step: String,
    #[serde(default)]
    reason: String,
}

pub async fn site_step(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> ApiResult {
    let step = Step::parse(&b.step)?;
    let action = Action::for_step(step, id);
    ctx.require(&app, action).await?;
    let mut tx = app.store.begin_write().await?;
    tx.step_site(ctx.person.id, id, step, &b.reason).await?;
    tx.commit().await?;
    Ok(Json(json!({"site": app.store.site(id).await?})))
}

pub async fn people(State(app): State<App>, ctx: Ctx) -> ApiResult {
    ctx.require(&app, Action::ViewPeople).await?;
    Ok(Json(
        json!({"people": app.store.people().await?, "bodies": app.store.bodies().await?}),
    ))
}

pub async fn person(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    ctx.require(&app, Action::ViewPerson(id)).await?;
    let p = app.store.person(id).await?;
    Ok(Json(
        json!({"person": p, "official_accounts": app.store.official_accounts(id).await?, "authorizations": app.store.authorizations(Some(id), None).await?}),
    ))
}

pub async fn authorizations(State(app): State<App>, ctx: Ctx) -> ApiResult {
    ctx.require(&app, Action::ViewAuthorizations).await?;
    Ok(Json(
        json!({"authorizations": app.store.authorizations(None, None).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    person_id: i64,
    site_id: i64,
    level: String,
    scope: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
}

pub async fn authorization_create(
    State(app): State<App>,
    ctx: Ctx,
    Json(b): Json<GrantBody>,
) -> ApiResult {
    ctx.require(&app, Action::GrantAuthorization).await?;
    let g = NewGrant::parse(
        b.person_id,
        b.site_id,
        &b.level,
        &b.scope,
        &b.starts,
        &b.ends,
        ctx.now,
    )?;
    let mut tx = app.store.begin_write().await?;
    let id = tx.grant(ctx.person.id, &g).await?;
    tx.commit().await?;
    Ok(Json(
        json!({"authorization": app.store.authorization(id).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    reason: String,
}

pub async fn authorization_revoke(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<RevokeBody>,
) -> ApiResult {
    ctx.require(&app, Action::RevokeAuthorization).await?;
    let mut tx = app.store.begin_write().await?;
    tx.revoke(ctx.person.id, id, &b.reason).await?;
    tx.commit().await?;
    Ok(Json(
        json!({"authorization": app.store.authorization(id).await?}),
    ))
}

pub async fn records(State(app): State<App>, ctx: Ctx, Query(q): Query<RecordQuery>) -> ApiResult {
    ctx.require(&app, Action::ViewRecord).await?;
    let entries = app.store.records(&q.filter()?).await?;
    Ok(Json(
        json!({"tree_size": app.store.tree_size().await?, "records": entries.iter().map(entry_json).collect::<Vec<_>>()}),
    ))
}

pub async fn record(State(app): State<App>, ctx: Ctx, Path(seq): Path<i64>) -> ApiResult {
    ctx.require(&app, Action::ViewRecord).await?;
    Ok(Json(entry_json(&app.store.record(seq).await?)))
}

pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}
