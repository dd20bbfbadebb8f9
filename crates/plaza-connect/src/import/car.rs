//! Bluesky repository CAR (stub).
use super::{ImportError, Sink};
use plaza_core::capture::Item;
use std::path::Path;

/// The largest CAR read.
pub const MAX_CAR_BYTES: u64 = 1 << 30;

pub(crate) fn looks_like_car(_b: &[u8]) -> bool {
    false
}

/// Parses a CAR.
pub fn parse_car(_bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    Err(todo_err())
}

pub(crate) fn read_path(_path: &Path, _sink: Sink<'_>) -> Result<(), ImportError> {
    Err(todo_err())
}

fn todo_err() -> ImportError {
    ImportError::Unsupported {
        file: String::new(),
        reason: "Bluesky CAR import is not written yet".into(),
    }
}
