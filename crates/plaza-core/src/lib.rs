//! Plaza's domain: the policy, people, sites, written authorizations, the authorization
//! decision, and the tamper-evident record (canonical payloads, hash chain, RFC 9162 Merkle
//! tree, signed checkpoints and the verifier).
//!
//! This crate does no I/O: no database, no network, no files. Time comes in through [`Clock`],
//! randomness as bytes from the caller. Storage, server and CLI depend on it, never the reverse.

pub mod authz;
pub mod capture;
pub mod checkpoint;
pub mod error;
pub mod merkle;
pub mod people;
pub mod policy;
pub mod record;
pub mod sites;
pub mod time;
pub mod valid;
pub mod verify;

pub use error::{Error, Result};
pub use time::{Clock, FixedClock, SystemClock, Timestamp};

/// The HTML character reference at the start of `s` (`&amp;`, `&#39;`, `&#x27;`, ...): its
/// length in bytes and the character it stands for. Named references are the few platforms
/// use in comment text (`amp`, `lt`, `gt`, `quot`, `apos`, `nbsp`); numeric ones must be
/// plain digits and name a character that is not a control character (a tab or a line break
/// is allowed). Anything else is not a reference: the `&` is text.
pub fn char_reference(s: &str) -> Option<(usize, char)> {
    let rest = s.strip_prefix('&')?;
    let semi = rest.bytes().take(10).position(|b| b == b';')?;
    let body = &rest[..semi];
    let c = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = body.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                    number.parse().ok()?
                }
                _ => return None,
            };
            char::from_u32(code).filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))?
        }
    };
    Some((1 + semi + 1, c))
}

/// Lower-case hexadecimal encoding of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// A small deterministic generator (xorshift64) for reproducible demo data, training shuffles
/// and benchmark corpora. Never for secrets: those come from the operating system.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (made odd, so it is never zero).
    pub fn new(seed: u64) -> Self {
        XorShift(seed | 1)
    }

    /// The next value below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 {
            0
        } else {
            (self.0 % n as u64) as usize
        }
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes lower- or upper-case hexadecimal; `None` if the text is not hex of even length.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

/// Decodes exactly 64 hex digits (a SHA-256) without allocating; `None` otherwise.
pub fn unhex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = nibble(bytes[2 * i])? << 4 | nibble(bytes[2 * i + 1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn character_references_decode_and_others_are_text() {
        for (text, c) in [
            ("&amp; more", '&'),
            ("&#39;", '\''),
            ("&#x27;", '\''),
            ("&quot;", '"'),
            ("&gt;", '>'),
            ("&nbsp;", '\u{a0}'),
            ("&#128512;", '😀'),
        ] {
            let len = text.find(' ').unwrap_or(text.len());
            assert_eq!(char_reference(text), Some((len, c)), "{text}");
        }
        for text in [
            "&",
            "&amp",
            "& amp;",
            "&#0;",
            "&#xD800;",
            "&#99999999;",
            "&bogus;",
            "&#;",
            "&#x;",
            "&#+39;",
            "&#x+27;",
            "x&amp;",
        ] {
            assert_eq!(char_reference(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        }
    }

    #[test]
    fn unhex32_takes_exactly_a_sha256() {
        let h = [0xab_u8; 32];
        assert_eq!(unhex32(&hex(&h)), Some(h));
        assert_eq!(unhex32(&hex(&h).to_uppercase()), Some(h));
        assert_eq!(unhex32("ab"), None);
        assert_eq!(unhex32(&"zz".repeat(32)), None);
    }

    #[test]
    fn unhex_rejects_odd_and_non_hex() {
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
