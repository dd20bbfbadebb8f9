//! Plaza's moderation engine (issue 3, in progress). No database, network or file I/O: capture,
//! the moderation desk and the publishing checks call it as a library.
//!
//! - [`normalize`] undoes the tricks people use to slip words past filters, keeping for every
//!   character it produces the byte span of the original, so evidence is always shown in the
//!   commenter's own words.
//! - [`markup`] reads the HTML platforms put in comment text (YouTube's `<br>`, `&#39;`).
//! - [`detect`] holds the rule-based detectors.
//! - [`features`], [`linear`] and [`metrics`] are the learned signals' parts: hashed n-gram
//!   features, a multi-label logistic regression, and the quality figures. [`data`] parses the
//!   labelled public data sets.

pub mod data;
pub mod detect;
pub mod engine;
pub mod features;
pub mod lexicon;
pub mod linear;
pub mod markup;
pub mod metrics;
pub mod normalize;
pub mod train;

pub use normalize::{Normalized, normalize};

/// The trained model shipped with Plaza (`scripts/train-model` rebuilds it reproducibly).
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../model/moderation.plzm");

/// The shipped model, parsed.
pub fn default_model() -> Result<linear::Linear, String> {
    linear::Linear::from_bytes(DEFAULT_MODEL)
}

/// A model file's identity: the SHA-256 of its bytes in hexadecimal, as `sha256sum` prints it
/// (and as docs/moderation.md and `scripts/train-model` name the shipped model).
pub fn model_id(bytes: &[u8]) -> String {
    plaza_core::hex(&plaza_core::record::sha256(bytes))
}

/// The shipped model's identity ([`model_id`] of [`DEFAULT_MODEL`]).
pub fn default_model_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| model_id(DEFAULT_MODEL))
}
