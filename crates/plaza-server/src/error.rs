//! One error type for every handler. It becomes a bare response carrying [`ErrorInfo`]; the
//! `render_errors` middleware turns that into JSON under `/api/` and HTML elsewhere. 5xx
//! bodies are opaque and carry a request id; the cause goes to the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plaza_core::Error;
use plaza_store::StoreError;

/// A handler error.
#[derive(Debug)]
pub enum AppError {
    Domain(Error),
    Internal(String),
    NotFound,
    Csrf,
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Domain(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => AppError::Domain(d),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// What the renderer needs.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub request_id: Option<String>,
}

impl AppError {
    /// The rendered facts of this error.
    pub fn info(&self) -> ErrorInfo {
        match self {
            AppError::Domain(e) => {
                let status = match e {
                    Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                    Error::NotFound { .. } => StatusCode::NOT_FOUND,
                    Error::Unauthenticated => StatusCode::UNAUTHORIZED,
                    Error::Forbidden(_) => StatusCode::FORBIDDEN,
                    Error::Conflict(_) => StatusCode::CONFLICT,
                    Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                };
                ErrorInfo {
                    status,
                    code: e.code(),
                    message: e.to_string(),
                    field: e.field().map(str::to_string),
                    request_id: None,
                }
            }
            AppError::NotFound => ErrorInfo {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: "there is no page at this address".into(),
                field: None,
                request_id: None,
            },
            AppError::Csrf => ErrorInfo {
                status: StatusCode::FORBIDDEN,
                code: "csrf_failed",
                message:
                    "the form's security token is missing or stale: reload the page and try again"
                        .into(),
                field: None,
                request_id: None,
            },
            AppError::Internal(cause) => {
                let mut b = [0u8; 6];
                let _ = getrandom::fill(&mut b);
                let id = plaza_core::hex(&b);
                tracing::error!(request_id = %id, cause = %cause, "internal error");
                ErrorInfo {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "internal",
                    message: format!("something went wrong on our side (request id {id})"),
                    field: None,
                    request_id: Some(id),
                }
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let info = self.info();
        let mut r = info.status.into_response();
        r.extensions_mut().insert(info);
        r
    }
}
