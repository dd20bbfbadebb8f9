//! Plaza's web server: the staff UI and public pages (server-rendered HTML that works without
//! JavaScript) and the JSON API under `/api/v1` with its OpenAPI document.
//!
//! Every staff route asks the one authorization module (`plaza_core::authz::decide`) through
//! [`ctx::Ctx::require`]; a denial is recorded. Every non-GET request passes the CSRF check
//! in [`security`]. Errors are one type, rendered as JSON under `/api/` and as HTML elsewhere.

mod api;
mod auth;
pub mod ctx;
mod error;
mod hooks;
mod letter;
mod openapi;
mod pages;
mod public;
pub mod routes;
mod security;
mod views;

pub use auth::{hash_password, verify_password};
pub use error::AppError;

use axum::Router;
use plaza_core::checkpoint::SigningKey;
use plaza_store::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (on unless serving plain HTTP on loopback).
    pub secure_cookies: bool,
    /// Session lifetime in milliseconds.
    pub session_ms: i64,
    /// Failed sign-ins per email before throttling, and the window in milliseconds.
    pub max_failures: i64,
    pub failure_window_ms: i64,
    /// Where uploaded files (signed authorization letters) are kept, by SHA-256.
    pub blob_dir: Option<std::path::PathBuf>,
    /// Where site secrets are kept (webhook app secrets and verify tokens).
    pub secrets_dir: Option<std::path::PathBuf>,
    /// Asks the capture engine to run a pass over a site now (a webhook said it changed).
    pub capture_now: Option<tokio::sync::mpsc::UnboundedSender<i64>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: true,
            session_ms: 12 * 3_600_000,
            max_failures: 5,
            failure_window_ms: 15 * 60_000,
            blob_dir: None,
            secrets_dir: None,
            capture_now: None,
        }
    }
}

/// Shared state of the server.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub key: Arc<SigningKey>,
    pub config: Arc<ServerConfig>,
}

/// The whole router.
pub fn router(app: App) -> Router {
    routes::build(app)
}

/// Serves on a bound listener until `shutdown` resolves. Signs a checkpoint every minute when
/// the record grew, and once more on shutdown.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker_app = app.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = ticker_app.store.make_checkpoint(&ticker_app.key).await {
                tracing::error!(error = %e, "could not sign a checkpoint");
            }
        }
    });
    let result = axum::serve(listener, router(app.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    ticker.abort();
    if let Err(e) = app.store.make_checkpoint(&app.key).await {
        tracing::error!(error = %e, "could not sign the closing checkpoint");
    }
    result
}
