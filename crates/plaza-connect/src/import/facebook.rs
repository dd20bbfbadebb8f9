//! Facebook (stub).
use super::{ImportError, Sink};
use plaza_core::capture::Item;
use std::path::Path;

pub(crate) fn is_export_json(_n: &str) -> bool {
    false
}

/// Parses posts.
pub fn parse_facebook_posts(_bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    Err(todo_err())
}

/// Parses a download.
pub fn parse_facebook_download(_bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    Err(todo_err())
}

pub(crate) fn read_path(_path: &Path, _sink: Sink<'_>) -> Result<(), ImportError> {
    Err(todo_err())
}

fn todo_err() -> ImportError {
    ImportError::Unsupported {
        file: String::new(),
        reason: "Facebook Page import is not written yet".into(),
    }
}
