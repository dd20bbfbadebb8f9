//! Rule-based detectors, for the signals where rules are right. Each finding carries the byte
//! span of the original text, so the moderation desk shows the commenter's own words.

pub mod gibberish;
pub mod links;
pub mod phrases;
pub mod pii;
pub mod repeats;
pub mod wallets;
pub mod words;

/// A span of the original text a detector found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<K> {
    pub kind: K,
    pub start: usize,
    pub end: usize,
}
