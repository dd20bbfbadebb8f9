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
