//! Hashed features of normalised text: word unigrams and bigrams, and character 3- to 5-grams
//! inside words (with boundary marks), hashed with FNV-1a into a fixed number of buckets.
//! Every occurrence has the value 1/sqrt(n) for n occurrences in all, so repeats add up. FNV-1a is stable across runs and
//! platforms, so a saved model keeps meaning the same thing.

use crate::detect::repeats::{fnv1a, fnv1a_extend};

/// A sparse vector: (bucket, value) pairs; a bucket may repeat (the values add up).
pub type Sparse = Vec<(u32, f32)>;

/// The feature hasher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hasher {
    /// Number of buckets (a power of two).
    pub dims: u32,
}

impl Hasher {
    /// A hasher with `2^bits` buckets.
    pub fn new(bits: u32) -> Self {
        Hasher {
            dims: 1 << bits.clamp(8, 26),
        }
    }

    /// The bucket of a hash: a mask for a power of two (every hasher `new` makes), which
    /// gives the same bucket as the remainder without a division per n-gram.
    fn fold(&self, h: u64) -> u32 {
        let dims = u64::from(self.dims);
        if dims.is_power_of_two() {
            (h & (dims - 1)) as u32
        } else {
            (h % dims) as u32
        }
    }

    /// The bucket of several parts joined by single spaces (no allocation).
    fn bucket_joined(&self, namespace: u8, parts: &[&str]) -> u32 {
        let mut h = fnv1a(&[namespace]);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                h = fnv1a_extend(h, b" ");
            }
            h = fnv1a_extend(h, part.as_bytes());
        }
        self.fold(h)
    }

    fn bucket(&self, namespace: u8, gram: &str) -> u32 {
        self.fold(fnv1a_extend(fnv1a(&[namespace]), gram.as_bytes()))
    }

    /// The feature vector of normalised text.
    pub fn features(&self, normalized: &str) -> Sparse {
        self.build(normalized, true)
    }

    /// The n-gram features of normalised text alone, without the length and link features:
    /// what one word contributes, to find the words that explain a score.
    pub fn ngram_features(&self, normalized: &str) -> Sparse {
        self.build(normalized, false)
    }

    fn build(&self, normalized: &str, whole_text: bool) -> Sparse {
        let mut raw: Sparse = Vec::with_capacity(normalized.len() * 4);
        let char_seed = fnv1a(b"c");
        let mut word_count = 0usize;
        SCRATCH.with_borrow_mut(
            |Scratch {
                 padded,
                 bounds,
                 running,
             }| {
                for w in words(normalized) {
                    word_count += 1;
                    raw.push((self.bucket(b'w', w), 0.0));
                    // character n-grams as slices of one padded buffer: no allocation per gram,
                    // and each n-gram's hash extends the (n-1)-gram's at the same start by one
                    // character
                    padded.clear();
                    padded.push('<');
                    padded.push_str(w);
                    padded.push('>');
                    bounds.clear();
                    bounds.extend(padded.char_indices().map(|(i, _)| i));
                    bounds.push(padded.len());
                    let chars = bounds.len() - 1;
                    running.clear();
                    running.extend((0..chars.saturating_sub(1)).map(|start| {
                        fnv1a_extend(
                            char_seed,
                            &padded.as_bytes()[bounds[start]..bounds[start + 2]],
                        )
                    }));
                    for n in 3..=5 {
                        if chars < n {
                            break;
                        }
                        for start in 0..=chars - n {
                            let h = fnv1a_extend(
                                running[start],
                                &padded.as_bytes()[bounds[start + n - 1]..bounds[start + n]],
                            );
                            running[start] = h;
                            raw.push((self.fold(h), 0.0));
                        }
                    }
                }
            },
        );
        let mut previous = None;
        for w in words(normalized) {
            if let Some(p) = previous {
                raw.push((self.bucket_joined(b'b', &[p, w]), 0.0));
            }
            previous = Some(w);
        }
        // links, and the length in words (bucketed), as their own features: without the
        // length, a comment of one or two words carries almost nothing but the bias, and the
        // bias of a label trained on long spam sits near its threshold
        if whole_text {
            let (inside, links) = link_words(normalized);
            let prose = word_count.saturating_sub(inside);
            if links > 0 {
                raw.push((self.bucket(b'm', "has_link"), 0.0));
                if prose <= 2 {
                    raw.push((self.bucket(b'm', "bare_link"), 0.0));
                }
            }
            raw.push((self.bucket(b'l', length_bucket(prose)), 0.0));
        }
        // every occurrence counts the same: repeated n-grams add up in the dot product, and
        // the vector is scaled to unit length as if all were distinct (no sort needed)
        let value = if raw.is_empty() {
            0.0
        } else {
            1.0 / (raw.len() as f32).sqrt()
        };
        for entry in &mut raw {
            entry.1 = value;
        }
        raw
    }
}

/// Buffers for one word's character n-grams, kept per thread so that hashing a comment (and
/// each word of it, to explain a score) allocates only its feature vector.
#[derive(Default)]
struct Scratch {
    padded: String,
    bounds: Vec<usize>,
    running: Vec<u64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// The words of normalised text, as the model reads them: runs of letters, digits and
/// apostrophes. Rules that take a word's learned weight out (the engine's `without_words`) read
/// words the same way, or the weight they take out would not be the word's.
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
}

/// The words inside the text's links, and the number of links: a token with a scheme
/// (`://`), one starting `www.`, or a host followed by a path whose last label is two or more
/// letters (`example.org/x`, not `4.5/5`). Text without a dot or a colon is not scanned.
fn link_words(text: &str) -> (usize, usize) {
    if !text.bytes().any(|b| b == b'.' || b == b':') {
        return (0, 0);
    }
    let (mut inside, mut links) = (0, 0);
    for token in text.split_whitespace() {
        let looks_like_link = token.contains("://")
            || token.starts_with("www.")
            || token.split_once('/').is_some_and(|(host, _)| {
                host.rsplit_once('.').is_some_and(|(name, tld)| {
                    !name.is_empty()
                        && tld.len() >= 2
                        && tld.bytes().all(|b| b.is_ascii_alphabetic())
                })
            });
        if looks_like_link {
            links += 1;
            inside += words(token).count();
        }
    }
    (inside, links)
}

/// The length feature's name for `n` words: 0, 1, 2, 3-4, 5-8, 9-16, 17-32, 33 or more.
fn length_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=8 => "5-8",
        9..=16 => "9-16",
        17..=32 => "17-32",
        _ => "33+",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_buckets_equal_the_joined_string() {
        let h = Hasher::new(18);
        assert_eq!(
            h.bucket_joined(b'b', &["city", "council"]),
            h.bucket(b'b', "city council")
        );
    }

    #[test]
    fn char_grams_hash_as_whole_slices() {
        // the incremental hashes are the hashes of the n-grams themselves, in the same order
        let h = Hasher::new(18);
        for word in ["council", "café", "ok", "a", "señorita", "日本語です"] {
            let padded = format!("<{word}>");
            let chars: Vec<usize> = padded
                .char_indices()
                .map(|(i, _)| i)
                .chain([padded.len()])
                .collect();
            let mut expected = vec![h.bucket(b'w', word)];
            for n in 3..=5 {
                for start in 0..chars.len().saturating_sub(n) {
                    expected.push(h.bucket(b'c', &padded[chars[start]..chars[start + n]]));
                }
            }
            let got: Vec<u32> = h.ngram_features(word).iter().map(|(b, _)| *b).collect();
            assert_eq!(got, expected, "{word}");
        }
        // a hasher of any other size still folds by the remainder
        let odd = Hasher { dims: 1000 };
        assert_eq!(
            odd.bucket(b'w', "city"),
            (fnv1a_extend(fnv1a(b"w"), b"city") % 1000) as u32
        );
    }

    #[test]
    fn stable_sorted_and_normalised() {
        let h = Hasher::new(18);
        let a = h.features("the council meets tonight");
        assert_eq!(a, h.features("the council meets tonight"));
        let norm: f32 = a.iter().map(|(_, v)| v * v).sum();
        assert!(
            (norm - 1.0).abs() < 1e-4,
            "unit length when all n-grams are distinct: {norm}"
        );
        // the empty text has only its length
        assert_eq!(h.features("").len(), 1);
        // (words inside links, links)
        assert_eq!(link_words("see https://a.example/x now"), (4, 1));
        assert_eq!(link_words("www.a.example"), (3, 1));
        assert_eq!(link_words("a.example/path and more"), (3, 1));
        assert_eq!(link_words("the end. really"), (0, 0));
        assert_eq!(link_words("no dot here"), (0, 0));
        assert_eq!(link_words("rated 4.5/5 by 1.2/10 people"), (0, 0));
        assert_eq!(link_words("http://localhost/x"), (3, 1));
        // evidence scores a word by its n-grams alone
        let h = Hasher::new(18);
        assert_eq!(h.ngram_features("ok").len() + 1, h.features("ok").len());
        assert!(a.iter().all(|(b, _)| *b < h.dims));
    }
}
