//! Plaza's moderation engine (issue 3, in progress). No database, network or file I/O: capture,
//! the moderation desk and the publishing checks call it as a library.
//!
//! Today: [`normalize`], which undoes the tricks people use to slip words past filters while
//! keeping, for every character it produces, the byte span of the original text it came from,
//! so evidence can always be shown in the words the commenter wrote.

pub mod detect;
pub mod normalize;

pub use normalize::{Normalized, normalize};
