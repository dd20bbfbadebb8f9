//! Personal information (doxxing, C.7.xi and C.7.xii): phone numbers, email addresses, Social
//! Security numbers, payment card numbers, dates of birth and street addresses. Each is
//! validated (numbering rules, the Luhn check, a keyword before a birth date) to keep false
//! positives low: dates, prices, years, ZIP codes and times are not personal information.

use super::Finding;

/// What kind of personal information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pii {
    Phone,
    Email,
    Ssn,
    CardNumber,
    DateOfBirth,
    StreetAddress,
}

impl Pii {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Pii::Phone => "phone",
            Pii::Email => "email",
            Pii::Ssn => "ssn",
            Pii::CardNumber => "card_number",
            Pii::DateOfBirth => "date_of_birth",
            Pii::StreetAddress => "street_address",
        }
    }
}

/// Every piece of personal information in `text`, in order of position.
pub fn find(text: &str) -> Vec<Finding<Pii>> {
    let mut out = Vec::new();
    // every finder but the email one needs an ASCII digit (a number, a date, a house number):
    // most comments have none, and skip them
    let digits = text.bytes().any(|b| b.is_ascii_digit());
    if digits {
        cards(text, &mut out);
        ssns(text, &mut out);
        phones(text, &mut out);
    }
    emails(text, &mut out);
    if digits {
        births(text, &mut out);
        addresses(text, &mut out);
    }
    out.sort_by_key(|f| (f.start, f.end));
    // a number found as a card or an SSN is not also a phone
    let mut kept: Vec<Finding<Pii>> = Vec::with_capacity(out.len());
    for f in out {
        if kept
            .iter()
            .any(|k| f.start < k.end && k.start < f.end && k.kind != f.kind && f.kind == Pii::Phone)
        {
            continue;
        }
        kept.push(f);
    }
    kept
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Digits and single separators from `start`: puts the digits in `digits` (cleared first) and
/// returns the end, where the run stops at anything that is not a digit or one of `seps`
/// between digits.
fn digit_run(bytes: &[u8], start: usize, seps: &[u8], digits: &mut Vec<u8>) -> usize {
    digits.clear();
    let mut i = start;
    let mut end = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            digits.push(b - b'0');
            i += 1;
            end = i;
        } else if seps.contains(&b)
            && i + 1 < bytes.len()
            && bytes[i + 1].is_ascii_digit()
            && i > start
        {
            i += 1;
        } else {
            break;
        }
    }
    end
}

fn starts_run(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_digit()
        && (i == 0
            || !(is_word(bytes[i - 1])
                || bytes[i - 1] == b'.' && i >= 2 && bytes[i - 2].is_ascii_digit()))
}

fn ends_run(bytes: &[u8], end: usize) -> bool {
    end >= bytes.len()
        || !(is_word(bytes[end])
            || (bytes[end] == b'.' || bytes[end] == b',')
                && bytes.get(end + 1).is_some_and(|b| b.is_ascii_digit()))
}

/// The Luhn check of card numbers.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn card_prefix(d: &[u8]) -> bool {
    let n = |k: usize| {
        d.iter()
            .take(k)
            .fold(0u32, |acc, x| acc * 10 + u32::from(*x))
    };
    match d.len() {
        13..=19 => {
            d[0] == 4
                || (16 == d.len() && ((51..=55).contains(&n(2)) || (2221..=2720).contains(&n(4))))
                || (15 == d.len() && (n(2) == 34 || n(2) == 37))
                || (n(4) == 6011 || n(2) == 65)
        }
        _ => false,
    }
}

fn cards(text: &str, out: &mut Vec<Finding<Pii>>) {
    let bytes = text.as_bytes();
    let mut digits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if starts_run(bytes, i) {
            let end = digit_run(bytes, i, b" -", &mut digits);
            if ends_run(bytes, end) && card_prefix(&digits) && luhn(&digits) {
                out.push(Finding {
                    kind: Pii::CardNumber,
                    start: i,
                    end,
                });
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

fn ssns(text: &str, out: &mut Vec<Finding<Pii>>) {
    let bytes = text.as_bytes();
    let mut digits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !starts_run(bytes, i) {
            i += 1;
            continue;
        }
        let end = digit_run(bytes, i, b" -", &mut digits);
        let run = &bytes[i..end];
        let grouped = run.len() == 11
            && (run[3] == b'-' && run[6] == b'-' || run[3] == b' ' && run[6] == b' ');
        // the keyword is looked for only before a nine-digit number that is not grouped
        let keyword = || {
            let before = &bytes[i.saturating_sub(30)..i];
            [&b"ssn"[..], b"social security", b"ss#"]
                .iter()
                .any(|k| before.windows(k.len()).any(|w| w.eq_ignore_ascii_case(k)))
        };
        if digits.len() == 9 && ends_run(bytes, end) && (grouped || keyword()) {
            let area =
                u32::from(digits[0]) * 100 + u32::from(digits[1]) * 10 + u32::from(digits[2]);
            let group = u32::from(digits[3]) * 10 + u32::from(digits[4]);
            let serial = digits[5..].iter().fold(0u32, |a, d| a * 10 + u32::from(*d));
            if area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 {
                out.push(Finding {
                    kind: Pii::Ssn,
                    start: i,
                    end,
                });
            }
        }
        i = end.max(i + 1);
    }
}

/// North American numbers: optional +1, area code and exchange starting 2-9 and not N11.
fn phones(text: &str, out: &mut Vec<Finding<Pii>>) {
    let bytes = text.as_bytes();
    let mut digits: Vec<u8> = Vec::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary = i == 0 || !is_word(bytes[i - 1]);
        if !(boundary && (b.is_ascii_digit() || b == b'(' || b == b'+')) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        digits.clear();
        groups.clear();
        let mut current = 0;
        while j < bytes.len() {
            let c = bytes[j];
            if c.is_ascii_digit() {
                digits.push(c - b'0');
                current += 1;
                j += 1;
            } else if matches!(c, b'(' | b')' | b'-' | b'.' | b' ' | b'+') && digits.len() < 11 {
                if current > 0 {
                    groups.push(current);
                    current = 0;
                }
                // at most one space or punctuation between groups, ") " allowed
                if c == b' ' && j > 0 && bytes[j - 1] == b' ' {
                    break;
                }
                j += 1;
            } else {
                break;
            }
        }
        if current > 0 {
            groups.push(current);
        }
        // trim trailing separators from the span
        let mut end = j;
        while end > start && !bytes[end - 1].is_ascii_digit() {
            end -= 1;
        }
        let digits_ok = match digits.len() {
            10 => Some(&digits[..]),
            11 if digits[0] == 1 => Some(&digits[1..]),
            _ => None,
        };
        let shape_ok = matches!(groups.as_slice(), [3, 3, 4] | [1, 3, 3, 4] | [10] | [11]);
        if let Some(d) = digits_ok
            && shape_ok
            && ends_run(bytes, end)
            && d[0] >= 2
            && d[3] >= 2
            && !(d[1] == 1 && d[2] == 1)
            && !(d[4] == 1 && d[5] == 1)
        {
            out.push(Finding {
                kind: Pii::Phone,
                start,
                end,
            });
            i = end;
            continue;
        }
        i = j.max(i + 1);
    }
}

fn emails(text: &str, out: &mut Vec<Finding<Pii>>) {
    let bytes = text.as_bytes();
    let local_ok = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let domain_ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    // plain addresses
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local_ok(bytes[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < bytes.len() && domain_ok(bytes[e]) {
            e += 1;
        }
        while e > at + 1 && bytes[e - 1] == b'.' {
            e -= 1;
        }
        let domain = &text[at + 1..e];
        let tld_ok = domain
            .rsplit('.')
            .next()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
        if s < at && domain.contains('.') && tld_ok {
            out.push(Finding {
                kind: Pii::Email,
                start: s,
                end: e,
            });
        }
    }
    // "name [at] domain [dot] com" and similar (only where one of the markers occurs, in any
    // case: "at" between spaces or brackets)
    if !bytes.windows(4).any(|w| {
        b" [({".contains(&w[0])
            && w[1] | 0x20 == b'a'
            && w[2] | 0x20 == b't'
            && b" ])}".contains(&w[3])
    }) {
        return;
    }
    let lower = text.to_ascii_lowercase();
    for marker in ["[at]", "(at)", "{at}", " at "] {
        for (pos, _) in lower.match_indices(marker) {
            let mut s = pos;
            while s > 0 && bytes[s - 1] == b' ' {
                s -= 1;
            }
            let local_end = s;
            while s > 0 && local_ok(bytes[s - 1]) {
                s -= 1;
            }
            let rest = &lower[pos + marker.len()..];
            let rest_trim = rest.trim_start();
            let offset = pos + marker.len() + (rest.len() - rest_trim.len());
            let name_len = rest_trim
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
                .count();
            let after = &rest_trim[name_len..];
            let Some((skip, dot)) = dot_at(after, true) else {
                continue;
            };
            let tail = &after[skip..];
            let tld_len = tail.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
            let tld = &tail[..tld_len];
            let common = [
                "com", "org", "net", "gov", "edu", "io", "us", "co", "me", "info",
            ];
            let needs_common = marker == " at " || dot == " dot ";
            // "info for this year is at example-city.org" names a site, not a mailbox
            let prose = marker == " at "
                && [
                    "is",
                    "are",
                    "was",
                    "were",
                    "be",
                    "it",
                    "me",
                    "us",
                    "him",
                    "her",
                    "them",
                    "we",
                    "you",
                    "they",
                    "he",
                    "she",
                    "i",
                    "here",
                    "there",
                    "look",
                    "find",
                    "online",
                    "posted",
                    "available",
                    "found",
                    "out",
                    "up",
                    "more",
                    "details",
                ]
                .contains(&&lower[s..local_end]);
            let mut end = offset + name_len + skip + tld_len;
            // more labels: "clerk [at] ci.claremont [dot] ca.us" (a plain "." only with no
            // space around it, so "gmail.com. Thanks" ends at "com")
            let mut tld = tld;
            while let Some((skip, _)) = dot_at(&lower[end..], false) {
                let label = &lower[end + skip..];
                let n = label
                    .bytes()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                let whole = label
                    .as_bytes()
                    .get(n)
                    .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-');
                if n < 2 || !whole {
                    break;
                }
                end += skip + n;
                tld = &lower[end - n..end];
            }
            // "alerts at arborvale.gov/alerts": a domain with a path after " at " is a web address
            let path_follows = marker == " at " && lower[end..].starts_with('/');
            if s < local_end
                && !prose
                && !path_follows
                && name_len > 0
                && tld_len >= 2
                && (!needs_common || common.contains(&tld))
            {
                out.push(Finding {
                    kind: Pii::Email,
                    start: s,
                    end,
                });
            }
        }
    }
}

/// The dot of a domain at the start of lower-cased `s`: " dot ", or "[dot]", "(dot)" or
/// "{dot}" with spaces around, or "." (with spaces around only where `loose`). Returns the bytes
/// up to the next label and which dot it was.
fn dot_at(s: &str, loose: bool) -> Option<(usize, &'static str)> {
    let (dot, rest) = if let Some(r) = s.strip_prefix(" dot ") {
        (" dot ", r)
    } else if let (false, Some(r)) = (loose, s.strip_prefix('.')) {
        return Some((s.len() - r.len(), "."));
    } else {
        let t = s.trim_start();
        let dots: &[&'static str] = if loose {
            &["[dot]", "(dot)", "{dot}", "."]
        } else {
            &["[dot]", "(dot)", "{dot}"]
        };
        let d = dots.iter().find(|d| t.starts_with(**d))?;
        (*d, &t[d.len()..])
    };
    Some((s.len() - rest.trim_start().len(), dot))
}

/// The domain of an email address found by [`find`], plain (`name@city.gov`) or written out
/// (`name [at] city [dot] gov`), lower-cased.
pub fn mail_domain(address: &str) -> Option<String> {
    let lower = address.to_ascii_lowercase();
    let dotted = ["[dot]", "(dot)", "{dot}", " dot "]
        .iter()
        .fold(lower, |s, d| s.replace(d, "."));
    ["@", "[at]", "(at)", "{at}", " at "]
        .iter()
        .find_map(|m| dotted.rsplit_once(m))
        .map(|(_, domain)| domain.split_whitespace().collect::<String>())
        .filter(|d| !d.is_empty())
}

fn month(word: &str) -> bool {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]
    .iter()
    .any(|m| w.starts_with(m) && w.len() <= 9)
}

/// A date right at the start of `s`: `1/2/1980`, `01-02-80`, `1980-01-02`, `January 2, 1980`.
fn date_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let num = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n1 = num(0);
    if n1 > 0 {
        let sep = *b.get(n1)?;
        if !matches!(sep, b'/' | b'-' | b'.') {
            return None;
        }
        let n2 = num(n1 + 1);
        if n2 == 0 || b.get(n1 + 1 + n2) != Some(&sep) {
            return None;
        }
        let n3 = num(n1 + 2 + n2);
        let ok = (n1 <= 2 && n2 <= 2 && (n3 == 2 || n3 == 4))
            || (n1 == 4 && n2 <= 2 && n3 <= 2 && n3 > 0);
        return ok.then_some(n1 + n2 + n3 + 2);
    }
    let word: String = s
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '.')
        .collect();
    if !month(&word) {
        return None;
    }
    let rest = &s[word.len()..];
    let rest_t = rest.trim_start();
    let day = rest_t.bytes().take_while(|c| c.is_ascii_digit()).count();
    if day == 0 || day > 2 {
        return None;
    }
    let after =
        rest_t[day..].trim_start_matches(|c: char| c == ',' || c == ' ' || c.is_ascii_alphabetic());
    let year = after.bytes().take_while(|c| c.is_ascii_digit()).count();
    if year != 4 {
        return None;
    }
    Some(s.len() - after.len() + year)
}

/// Whether the text has one of the birth keywords' stems (born, birth, dob, d.o.b), in any
/// case: a pass without allocation that lets most comments skip the keyword search.
fn mentions_birth(bytes: &[u8]) -> bool {
    let at = |i: usize, word: &[u8]| {
        bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    (0..bytes.len()).any(|i| {
        bytes[i] | 0x20 == b'b'
            && (at(i, b"born")
                || at(i, b"birth")
                || (i >= 2 && at(i - 2, b"do"))
                || (i >= 4 && at(i - 4, b"d.o.")))
    })
}

fn births(text: &str, out: &mut Vec<Finding<Pii>>) {
    if !mentions_birth(text.as_bytes()) {
        return;
    }
    let lower = text.to_ascii_lowercase();
    for key in [
        "date of birth",
        "d.o.b",
        "dob",
        "born on",
        "birthday is",
        "birthdate",
        "born",
    ] {
        for (pos, _) in lower.match_indices(key) {
            let before_ok = pos == 0 || !lower.as_bytes()[pos - 1].is_ascii_alphanumeric();
            if !before_ok
                || out
                    .iter()
                    .any(|f| f.kind == Pii::DateOfBirth && f.start <= pos && pos < f.end)
            {
                continue;
            }
            // the date within 15 characters after the keyword
            let from = pos + key.len();
            for k in 0..15 {
                let at = from + k;
                if at >= text.len() || !text.is_char_boundary(at) {
                    break;
                }
                if let Some(len) = date_len(&text[at..]) {
                    out.push(Finding {
                        kind: Pii::DateOfBirth,
                        start: pos,
                        end: at + len,
                    });
                    break;
                }
            }
        }
    }
}

fn addresses(text: &str, out: &mut Vec<Finding<Pii>>) {
    const SUFFIXES: &[&str] = &[
        "st",
        "street",
        "ave",
        "avenue",
        "blvd",
        "boulevard",
        "rd",
        "road",
        "dr",
        "drive",
        "ln",
        "lane",
        "way",
        "ct",
        "court",
        "pl",
        "place",
        "ter",
        "terrace",
        "pkwy",
        "parkway",
        "hwy",
        "highway",
        "cir",
        "circle",
    ];
    // a house number: 1 to 5 digits, not starting with 0 (most comments have none)
    let house_number = |w: &str| {
        let num = w.trim_end_matches(',');
        (1..=5).contains(&num.len())
            && num.bytes().all(|b| b.is_ascii_digit())
            && !num.starts_with('0')
    };
    if !text.split_whitespace().any(house_number) {
        return;
    }
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    for (i, (start, w)) in words.iter().enumerate() {
        if !house_number(w) {
            continue;
        }
        // 1 to 4 name words starting with a capital (or a number like 5th), then a suffix
        for n in 1..=4 {
            let Some((s_pos, suffix)) = words.get(i + n + 1) else {
                break;
            };
            let names = &words[i + 1..=i + n];
            let names_ok = names.iter().all(|(_, w)| {
                let first = w.chars().next().unwrap_or(' ');
                first.is_uppercase()
                    || (first.is_ascii_digit()
                        && ["st", "nd", "rd", "th"]
                            .iter()
                            .any(|x| w.to_ascii_lowercase().ends_with(x)))
            });
            if !names_ok {
                break;
            }
            let bare = suffix
                .trim_end_matches(['.', ',', ';', '!', '?'])
                .to_ascii_lowercase();
            if SUFFIXES.contains(&bare.as_str()) {
                let end = s_pos + suffix.trim_end_matches([',', ';', '!', '?']).len();
                out.push(Finding {
                    kind: Pii::StreetAddress,
                    start: *start,
                    end,
                });
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Pii, String)> {
        find(text)
            .into_iter()
            .map(|f| (f.kind, text[f.start..f.end].to_string()))
            .collect()
    }

    #[test]
    fn phones() {
        assert_eq!(
            kinds("call her at (909) 555-0188 tonight"),
            vec![(Pii::Phone, "(909) 555-0188".into())]
        );
        assert_eq!(
            kinds("cell 909.399.5411."),
            vec![(Pii::Phone, "909.399.5411".into())]
        );
        assert_eq!(
            kinds("+1 212-555-0100"),
            vec![(Pii::Phone, "+1 212-555-0100".into())]
        );
        assert_eq!(kinds("2125550100"), vec![(Pii::Phone, "2125550100".into())]);
        // not phones: dates, years, prices, invalid area codes, too many digits
        for not in [
            "2026-11-23",
            "in 2026 we paid $1,250,000",
            "123-456-7890",
            "911",
            "Meeting 6:30-8:00",
            "ID 12345678901234",
        ] {
            assert!(
                kinds(not).iter().all(|(k, _)| *k != Pii::Phone),
                "{not}: {:?}",
                kinds(not)
            );
        }
    }

    #[test]
    fn cards_need_a_valid_prefix_and_the_luhn_check() {
        assert_eq!(
            kinds("card 4111 1111 1111 1111 exp 12/29"),
            vec![(Pii::CardNumber, "4111 1111 1111 1111".into())]
        );
        assert_eq!(
            kinds("5500-0000-0000-0004"),
            vec![(Pii::CardNumber, "5500-0000-0000-0004".into())]
        );
        assert!(kinds("4111 1111 1111 1112").is_empty(), "fails Luhn");
        assert!(luhn(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
    }

    #[test]
    fn ssns_follow_the_numbering_rules() {
        assert_eq!(
            kinds("my ssn is 123-45-6789"),
            vec![(Pii::Ssn, "123-45-6789".into())]
        );
        assert_eq!(
            kinds("SSN: 123456789"),
            vec![(Pii::Ssn, "123456789".into())]
        );
        // the keyword counts however the 30 bytes before the number start (here inside a
        // two-byte letter), in any case, and not further back
        let accented = format!("{} Social Security 123456789", "é".repeat(20));
        assert_eq!(kinds(&accented), vec![(Pii::Ssn, "123456789".into())]);
        assert!(kinds("ss# is not given here, the order is 123456789").is_empty());
        for not in [
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "123-00-4567",
            "123-45-0000",
            "order 123456789",
        ] {
            assert!(kinds(not).iter().all(|(k, _)| *k != Pii::Ssn), "{not}");
        }
    }

    #[test]
    fn a_web_address_after_at_is_not_an_email_but_a_written_out_one_is() {
        assert!(kinds("Sign up for alerts at arborvale.gov/alerts").is_empty());
        assert_eq!(kinds("jane [at] gmail [dot] com/").len(), 1);
        // a domain of several labels is read whole, written out or not
        for (text, address) in [
            (
                "Write to clerk [at] ci.claremont [dot] ca.us for records",
                "clerk [at] ci.claremont [dot] ca.us",
            ),
            (
                "cityclerk at ci dot claremont dot ca dot us",
                "cityclerk at ci dot claremont dot ca dot us",
            ),
            ("jane at gmail.com. Thanks", "jane at gmail.com"),
        ] {
            assert_eq!(
                kinds(text),
                vec![(Pii::Email, address.to_string())],
                "{text}"
            );
        }
        assert_eq!(
            mail_domain("clerk [at] ci.claremont [dot] ca.us").as_deref(),
            Some("ci.claremont.ca.us")
        );
        assert_eq!(
            mail_domain("Jane.Doe@City.GOV").as_deref(),
            Some("city.gov")
        );
        assert_eq!(mail_domain("no address"), None);
    }

    #[test]
    fn emails_plain_and_obfuscated() {
        assert_eq!(
            kinds("write to jane.doe+city@example.org."),
            vec![(Pii::Email, "jane.doe+city@example.org".into())]
        );
        assert_eq!(
            kinds("jane [at] example [dot] com"),
            vec![(Pii::Email, "jane [at] example [dot] com".into())]
        );
        assert_eq!(
            kinds("jane at gmail dot com"),
            vec![(Pii::Email, "jane at gmail dot com".into())]
        );
        assert!(
            kinds("meet at city hall dot org").is_empty(),
            "{:?}",
            kinds("meet at city hall dot org")
        );
        assert!(kinds("see you at noon").is_empty());
        assert!(kinds("Info for this year is at example-city.org/events").is_empty());
        assert!(kinds("details are posted at cityofexample.gov").is_empty());
        assert!(kinds("@user thanks").is_empty());
    }

    #[test]
    fn birth_dates_need_a_keyword() {
        assert_eq!(
            kinds("her DOB is 4/12/1987"),
            vec![(Pii::DateOfBirth, "DOB is 4/12/1987".into())]
        );
        assert_eq!(
            kinds("born on March 3, 1990 in Ohio"),
            vec![(Pii::DateOfBirth, "born on March 3, 1990".into())]
        );
        assert!(kinds("The meeting is on 4/12/2026").is_empty());
        // every keyword passes the quick check, in any case
        for (text, found) in [
            ("Date of Birth: 4/12/1987", "Date of Birth: 4/12/1987"),
            ("d.o.b 4/12/1987", "d.o.b 4/12/1987"),
            ("her BIRTHDAY IS 4/12/1987", "BIRTHDAY IS 4/12/1987"),
            ("birthdate 04/12/1987", "birthdate 04/12/1987"),
            ("Born 4/12/1987 in Fresno", "Born 4/12/1987"),
        ] {
            assert_eq!(
                kinds(text),
                vec![(Pii::DateOfBirth, found.into())],
                "{text}"
            );
        }
        assert!(mentions_birth(b"DoB"));
        assert!(mentions_birth(b"the cat was born"));
        assert!(!mentions_birth(b"a bobcat by the lab, 4/12/1987"));
    }

    #[test]
    fn street_addresses() {
        assert_eq!(
            kinds("he lives at 1234 Oak Hollow Rd, apt 3"),
            vec![(Pii::StreetAddress, "1234 Oak Hollow Rd".into())]
        );
        assert_eq!(
            kinds("1820 W 5th St."),
            vec![(Pii::StreetAddress, "1820 W 5th St.".into())]
        );
        assert!(kinds("we had 300 people at the park").is_empty());
        assert!(kinds("2026 was a good year for the street fair").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn spans_are_on_char_boundaries_for_any_input(s in "\\PC{0,120}") {
            for f in find(&s) {
                proptest::prop_assert!(f.start < f.end && f.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(f.start) && s.is_char_boundary(f.end));
            }
        }

        #[test]
        fn numbers_and_punctuation_never_panic(s in "[0-9 ()+.\\-/@a-zA-Z,]{0,60}") {
            let _ = find(&s);
        }
    }

    #[test]
    fn anything_goes_in_without_a_panic() {
        for s in [
            "",
            "@",
            "@@@.",
            "1",
            "((((",
            "4",
            "born",
            "dob 1/",
            "12 Ab",
            "\u{0}\u{FFFF}",
            "ｊａｎｅ＠ｅｘ．ｃｏｍ",
            "１２３-４５-６７８９",
        ] {
            let _ = find(s);
        }
    }
}
