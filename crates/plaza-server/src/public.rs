//! Public pages: no sign-in. The list of official sites (B.6), the Social Media Policy and the
//! Comments Policy (B.24), and the record's public key and latest signed checkpoint.

use crate::App;
use crate::ctx::MaybeCtx;
use crate::error::AppError;
use crate::views::{self, CpView, Nav};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use plaza_core::checkpoint::b64;
use plaza_core::policy::Clause;

pub async fn home(State(app): State<App>, MaybeCtx(ctx): MaybeCtx) -> Result<Response, AppError> {
    let (_, policy) = app.store.policy().await?;
    let sites = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| s.state.is_public())
        .count();
    let r = &policy.settings.police_referral;
    views::html(&views::Home {
        nav: Nav::any(&app, &ctx).await,
        website: policy.settings.official_website.clone(),
        sites,
        policy_version: policy.meta.version.clone(),
        issuer: policy.meta.issuer.clone(),
        checkpoint: app
            .store
            .latest_checkpoint()
            .await?
            .as_ref()
            .map(CpView::from),
        emergency: r.emergency.clone(),
        police_agency: r.agency.clone(),
        police_phone: r.phone.clone(),
    })
}

pub async fn sites(State(app): State<App>, MaybeCtx(ctx): MaybeCtx) -> Result<Response, AppError> {
    let sites = app
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| s.state.is_public())
        .collect();
    views::html(&views::PublicSites {
        nav: Nav::any(&app, &ctx).await,
        sites,
    })
}

fn sections<'a>(clauses: impl Iterator<Item = &'a Clause>) -> Vec<(String, Vec<Clause>)> {
    let mut out: Vec<(String, Vec<Clause>)> = Vec::new();
    for c in clauses {
        match out.last_mut() {
            Some((s, list)) if *s == c.section => list.push(c.clone()),
            _ => out.push((c.section.clone(), vec![c.clone()])),
        }
    }
    out
}

async fn policy_page(
    app: &App,
    ctx: &Option<crate::ctx::Ctx>,
    comments: bool,
) -> Result<Response, AppError> {
    let (pv, policy) = app.store.policy().await?;
    let secs = if comments {
        sections(policy.comments_policy())
    } else {
        sections(policy.clauses.iter())
    };
    views::html(&views::PolicyPage {
        nav: Nav::any(app, ctx).await,
        heading: if comments {
            "Comments Policy".to_string()
        } else {
            policy.meta.name.clone()
        },
        issuer: policy.meta.issuer.clone(),
        version: policy.meta.version.clone(),
        adopted: policy.meta.adopted.clone(),
        version_id: pv,
        comments,
        sections: secs,
    })
}

pub async fn policy(State(app): State<App>, MaybeCtx(ctx): MaybeCtx) -> Result<Response, AppError> {
    policy_page(&app, &ctx, false).await
}

pub async fn comments_policy(
    State(app): State<App>,
    MaybeCtx(ctx): MaybeCtx,
) -> Result<Response, AppError> {
    policy_page(&app, &ctx, true).await
}

pub async fn transparency(
    State(app): State<App>,
    MaybeCtx(ctx): MaybeCtx,
) -> Result<Response, AppError> {
    let keys = app
        .store
        .public_keys()
        .await?
        .into_iter()
        .map(|(id, k)| (id, b64(&k)))
        .collect();
    views::html(&views::Transparency {
        nav: Nav::any(&app, &ctx).await,
        keys,
        checkpoint: app
            .store
            .latest_checkpoint()
            .await?
            .as_ref()
            .map(CpView::from),
    })
}

pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/plaza.css"),
    )
        .into_response()
}

pub async fn healthz(State(app): State<App>) -> Result<Response, AppError> {
    let n = app.store.tree_size().await?;
    Ok(axum::Json(serde_json::json!({"status": "ok", "records": n})).into_response())
}
