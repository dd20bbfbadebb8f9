//! Thread takeover (C.7.xxi) and repeated posts (C.7.v): near-duplicate posts by one author on
//! a site and floods of posts by one author in one thread, within a time window. Near-duplicates
//! are posts whose word 2-shingles overlap by a Jaccard similarity of 0.7 or more; shingles are
//! hashed with FNV-1a (stable across runs, so the same input always gives the same answer). A
//! 64-bit SimHash over the same shingles is provided for indexing exact and near copies across
//! a site. Time comes from the caller.

use std::collections::{HashMap, VecDeque};

/// FNV-1a, 64 bit.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(0xcbf2_9ce4_8422_2325, bytes)
}

/// Continues an FNV-1a hash over more bytes (so pieces hash as if joined).
pub fn fnv1a_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The hashed word 2-shingles of a normalised text (single words for very short texts), sorted
/// and without repeats.
pub fn shingles(normalized: &str) -> Vec<u64> {
    let words: Vec<&str> = normalized
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<u64> = if words.len() < 3 {
        words.iter().map(|w| fnv1a(w.as_bytes())).collect()
    } else {
        words
            .windows(2)
            .map(|p| fnv1a(format!("{} {}", p[0], p[1]).as_bytes()))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard similarity of two sorted shingle sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f32 / (a.len() + b.len() - both) as f32
}

/// SimHash of a normalised text over its shingles.
pub fn simhash(normalized: &str) -> u64 {
    let mut counts = [0i32; 64];
    let mut add = |h: u64| {
        for (bit, c) in counts.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *c += 1;
            } else {
                *c -= 1;
            }
        }
    };
    for h in shingles(normalized) {
        add(h);
    }
    counts.iter().enumerate().fold(
        0u64,
        |acc, (bit, c)| if *c > 0 { acc | 1 << bit } else { acc },
    )
}

/// What the tracker saw for one new post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Earlier near-duplicates by the same author on the same site within the window.
    pub repeats: usize,
    /// Earlier posts by the same author in the same thread within the window.
    pub in_thread: usize,
}

impl Seen {
    /// A score in [0, 1] for thread takeover: two repeats, or six posts in one thread within
    /// the window, reach 0.5.
    pub fn score(&self) -> f32 {
        let r = self.repeats as f32 / 4.0;
        let f = self.in_thread.saturating_sub(1) as f32 / 10.0;
        (r + f).min(1.0)
    }
}

/// Posts remembered per author and site.
const MAX_RECENT: usize = 32;

/// A recent post: its time and its shingles.
type Recent = (i64, Vec<u64>);

/// Remembers recent posts per author, per site and thread.
#[derive(Debug, Clone)]
pub struct Tracker {
    window_ms: i64,
    by_site: HashMap<(String, String), VecDeque<Recent>>,
    by_thread: HashMap<(String, String, String), VecDeque<i64>>,
}

impl Tracker {
    /// A tracker that looks back `window_ms` milliseconds.
    pub fn new(window_ms: i64) -> Self {
        Tracker {
            window_ms,
            by_site: HashMap::new(),
            by_thread: HashMap::new(),
        }
    }

    /// Records a post and says what it repeats. `at_ms` is the post's time.
    pub fn observe(
        &mut self,
        site: &str,
        thread: &str,
        author: &str,
        at_ms: i64,
        normalized: &str,
    ) -> Seen {
        let these = shingles(normalized);
        let from = at_ms - self.window_ms;
        let posts = self
            .by_site
            .entry((site.to_string(), author.to_string()))
            .or_default();
        while posts.front().is_some_and(|(t, _)| *t < from) {
            posts.pop_front();
        }
        let repeats = posts
            .iter()
            .filter(|(_, s)| jaccard(s, &these) >= 0.7)
            .count();
        posts.push_back((at_ms, these));
        // Bounded: an author's last posts are enough to see a repeat, and the cost of a
        // comment must not grow with an author's history.
        if posts.len() > MAX_RECENT {
            posts.pop_front();
        }
        let times = self
            .by_thread
            .entry((site.to_string(), thread.to_string(), author.to_string()))
            .or_default();
        while times.front().is_some_and(|t| *t < from) {
            times.pop_front();
        }
        let in_thread = times.len();
        times.push_back(at_ms);
        Seen { repeats, in_thread }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn near_duplicates_by_one_author_are_counted() {
        let mut t = Tracker::new(60 * MIN);
        let spam = "check out my channel for free giveaways and prizes every day";
        assert_eq!(t.observe("s", "p1", "bob", 0, spam).repeats, 0);
        assert_eq!(t.observe("s", "p2", "bob", MIN, spam).repeats, 1);
        let near = "check out my channel for free giveaways and prizes every week";
        let seen = t.observe("s", "p3", "bob", 2 * MIN, near);
        assert_eq!(seen.repeats, 2);
        assert!(seen.score() >= 0.5);
        // another author, or after the window: not repeats
        assert_eq!(t.observe("s", "p3", "ann", 3 * MIN, spam).repeats, 0);
        assert_eq!(t.observe("s", "p4", "bob", 200 * MIN, spam).repeats, 0);
    }

    #[test]
    fn floods_in_one_thread_are_counted() {
        let mut t = Tracker::new(10 * MIN);
        let mut last = Seen {
            repeats: 0,
            in_thread: 0,
        };
        for i in 0..7 {
            last = t.observe(
                "s",
                "p1",
                "eve",
                i * 1000,
                &format!("point number {i} about something else entirely {}", i * 7),
            );
        }
        assert_eq!(last.in_thread, 6);
        assert!(last.score() >= 0.5);
        assert!(
            Seen {
                repeats: 0,
                in_thread: 1
            }
            .score()
                < 0.5
        );
    }

    #[test]
    fn simhash_is_stable_and_similar_texts_are_close() {
        assert_eq!(
            simhash("the city council meets tonight"),
            simhash("the city council meets tonight")
        );
        let a = simhash("the city council meets tonight at seven in the chambers downtown");
        let b = simhash("the city council meets tonight at seven in the chambers uptown");
        let c = simhash("completely different words about the library summer reading program");
        assert!((a ^ b).count_ones() < (a ^ c).count_ones());
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
