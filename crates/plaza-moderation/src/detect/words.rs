//! Whole-word matching of a phrase automaton over normalised text, shared by the phrase
//! detectors and Plaza's word lists.

use crate::normalize::Normalized;
use aho_corasick::AhoCorasick;

/// Every whole-word hit of `ac` in the normalised text: the pattern's index and the span of
/// the original text it came from. A pattern for which `stem` is true matches any word it
/// begins (and the span runs to the end of that word).
pub fn whole_word_hits(
    ac: &AhoCorasick,
    norm: &Normalized,
    stem: impl Fn(usize) -> bool,
) -> Vec<(usize, (usize, usize))> {
    let text = &norm.text;
    let mut out = Vec::new();
    for hit in ac.find_overlapping_iter(text.as_str()) {
        let pattern = hit.pattern().as_usize();
        let (at, mut end) = (hit.start(), hit.end());
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        if stem(pattern) {
            end += text[end..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .map(char::len_utf8)
                .sum::<usize>();
        } else if text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        let from = text[..at].chars().count();
        let to = from + text[at..end].chars().count();
        if let Some(span) = norm.original_span(from, to) {
            out.push((pattern, span));
        }
    }
    out
}
