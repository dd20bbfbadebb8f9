//! The one domain error. Every layer maps it to a stable snake_case code; the server renders
//! it as JSON or HTML, the CLI prints it.

use std::fmt;

/// A domain error with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A field of some input is invalid. `field` names it the way the user sees it.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The thing asked for does not exist.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// Not signed in.
    #[error("sign-in required")]
    Unauthenticated,
    /// Signed in, but this person may not do this.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// The action conflicts with the current state (a lifecycle step out of order, a duplicate).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; try again later.
    #[error("too many attempts; try again after {retry_after_secs} seconds")]
    Throttled { retry_after_secs: i64 },
}

/// Result with the domain error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an [`Error::Invalid`].
    pub fn invalid(field: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Error::Invalid {
            field: field.to_string(),
            reason: reason.to_string(),
        }
    }

    /// Builds an [`Error::NotFound`].
    pub fn not_found(what: &'static str, id: impl fmt::Display) -> Self {
        Error::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// The stable snake_case code clients can rely on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::NotFound { .. } => "not_found",
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden(_) => "forbidden",
            Error::Conflict(_) => "conflict",
            Error::Throttled { .. } => "throttled",
        }
    }

    /// The field at fault, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
