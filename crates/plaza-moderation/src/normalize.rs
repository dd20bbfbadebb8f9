//! Text normalisation for moderation.
//!
//! In order: platform markup read ([`crate::markup`]: `&#39;` is an apostrophe, YouTube's
//! `<br>` a line break, its generated `<a href>` tags nothing), Unicode NFKC per grapheme-like cluster (a base character and its combining marks),
//! removal of zero-width and invisible characters, case folding, look-alike characters
//! (Cyrillic and Greek letters that look Latin) to their Latin letters and typographic
//! apostrophes (`you’re`) to `'`, leetspeak inside words
//! that contain letters (`sh1t`, `b!tch`, `@ss`), joining of spaced-out letters (`f u c k`,
//! `f.u.c.k`, `f-u-c-k`), and runs of one repeated letter cut to two (`fuuuuck` -> `fuuck`).
//!
//! Every output character carries the byte span of the original text it came from.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use crate::markup::{self, Markup};

/// Normalised text and, for each of its characters, the byte span in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// One `(start, end)` per character of `text`, in order.
    pub spans: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original byte span covering normalised characters `from..to` (character indices).
    pub fn original_span(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        if from >= to || to > self.spans.len() {
            return None;
        }
        Some((self.spans[from].0, self.spans[to - 1].1))
    }
}

/// Characters that render as nothing and are used to split words invisibly.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

/// Look-alike letters from other scripts, after lower-casing, to the Latin letter they imitate,
/// and typographic apostrophes to the ASCII one.
fn confusable(c: char) -> char {
    match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' => 't',
        'υ' => 'u',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'χ' => 'x',
        'γ' => 'y',
        'ѵ' => 'v',
        // Latin look-alikes
        'ı' => 'i',
        'ſ' => 's',
        'ɡ' => 'g',
        'ꜱ' => 's',
        // typographic apostrophes (phones type ’ by default): "you’re", "I’ll"
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' => '\'',
        c => c,
    }
}

/// Leetspeak digits and symbols to the letters they stand for.
fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => return None,
    })
}

fn separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | '-' | '_' | '*' | '+' | '~' | '/' | '\\' | ',' | ':' | ';'
    )
}

/// Characters (a cluster, or one decoded reference) NFKC-normalised, without invisible and
/// combining characters, case-folded and with look-alikes mapped, all for `span`.
fn push_folded(
    chars: &mut Vec<(char, (usize, usize))>,
    cluster: impl Iterator<Item = char> + Clone,
    span: (usize, usize),
) {
    if cluster.clone().all(|c| c.is_ascii()) {
        chars.extend(cluster.map(|c| (c.to_ascii_lowercase(), span)));
        return;
    }
    for n in cluster.nfkc() {
        if invisible(n) || is_combining_mark(n) {
            continue;
        }
        for l in n.to_lowercase() {
            chars.push((confusable(l), span));
        }
    }
}

/// Normalises text for matching, keeping a map to the original bytes.
pub fn normalize(original: &str) -> Normalized {
    // 1. NFKC per cluster (a base character with its combining marks), invisible characters
    //    dropped, case folded, look-alikes mapped.
    let mut chars: Vec<(char, (usize, usize))> = Vec::with_capacity(original.len());
    let mut iter = original.char_indices().peekable();
    let mut cluster = String::new();
    // opening anchors the platform generated; any other tag with attributes stays text, so
    // words hidden in a typed tag's attributes are still read
    let generated: Vec<usize> = if original.contains('<') {
        markup::generated_anchors(original)
            .iter()
            .map(|a| a.tag.0)
            .collect()
    } else {
        Vec::new()
    };
    while let Some((start, c)) = iter.next() {
        // platform markup: a character reference is its character, a bare or generated tag is
        // nothing (or a line break)
        let markup = if c == '<' || c == '&' {
            markup::at(original, start)
        } else {
            None
        };
        let end = match markup {
            Some(Markup::Tag { end, breaks, bare }) if bare || generated.contains(&start) => {
                if breaks {
                    chars.push(('\n', (start, end)));
                }
                Some(end)
            }
            Some(Markup::Char(end, ch)) => {
                push_folded(&mut chars, std::iter::once(ch), (start, end));
                Some(end)
            }
            _ => None,
        };
        if let Some(end) = end {
            while iter.next_if(|&(i, _)| i < end).is_some() {}
            continue;
        }
        // an ASCII character followed by ASCII (or nothing) is its own cluster: no ASCII
        // character is invisible or combining, and NFKC leaves ASCII as it is
        if c.is_ascii() && iter.peek().is_none_or(|&(_, m)| m.is_ascii()) {
            chars.push((c.to_ascii_lowercase(), (start, start + 1)));
            continue;
        }
        if invisible(c) {
            continue;
        }
        cluster.clear();
        cluster.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, m)) = iter.peek() {
            if !is_combining_mark(m) && !invisible(m) {
                break;
            }
            if !invisible(m) {
                cluster.push(m);
            }
            end = i + m.len_utf8();
            iter.next();
        }
        push_folded(&mut chars, cluster.chars(), (start, end));
    }
    // 2. Leetspeak inside words that contain at least one letter.
    let mut i = 0;
    while i < chars.len() {
        if chars[i].0.is_whitespace() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && !chars[j].0.is_whitespace() {
            j += 1;
        }
        // a word is a run without spaces; strip trailing punctuation from the test
        let has_letter = chars[i..j].iter().any(|(c, _)| c.is_alphabetic());
        let leety = chars[i..j]
            .iter()
            .filter(|(c, _)| leet(*c).is_some())
            .count();
        if has_letter && leety > 0 {
            let len = j - i;
            // exclamation marks after the word's last letter are punctuation ("out!!!"), not
            // the letter i ("a$$." is still "ass.")
            let last_letter = i + chars[i..j]
                .iter()
                .rposition(|(c, _)| c.is_alphabetic())
                .unwrap_or(0);
            for k in i..j {
                let c = chars[k].0;
                let inner = k > i && k + 1 < j;
                let next_is_letter = k + 1 < j && chars[k + 1].0.is_alphabetic();
                let prev_is_letter = k > i && chars[k - 1].0.is_alphabetic();
                // symbols only between letters ("b!tch"); digits anywhere in a lettered word
                let take = match c {
                    '!' | '|' | '$' | '@' => {
                        (inner
                            && (c != '!' || k < last_letter)
                            && (prev_is_letter || next_is_letter))
                            || (k == i && next_is_letter && len > 2)
                    }
                    d if d.is_ascii_digit() => prev_is_letter || next_is_letter,
                    _ => false,
                };
                if take && let Some(l) = leet(c) {
                    chars[k].0 = l;
                }
            }
        }
        i = j;
    }
    // 3. Spaced-out letters: three or more single letters separated by one separator each.
    let mut joined: Vec<(char, (usize, usize))> = Vec::with_capacity(chars.len());
    let mut k = 0;
    while k < chars.len() {
        let single = |at: usize| {
            chars.get(at).is_some_and(|(c, _)| c.is_alphabetic())
                && (at == 0 || !chars[at - 1].0.is_alphanumeric())
                && chars.get(at + 1).is_none_or(|(c, _)| !c.is_alphanumeric())
        };
        if single(k) {
            // count the run: letter (sep letter)*
            let mut end = k;
            let mut letters = 1;
            while end + 2 < chars.len() + 1
                && chars.get(end + 1).is_some_and(|(c, _)| separator(*c))
                && single(end + 2)
            {
                end += 2;
                letters += 1;
            }
            if letters >= 3 {
                let mut at = k;
                while at <= end {
                    joined.push(chars[at]);
                    at += 2;
                }
                k = end + 1;
                continue;
            }
        }
        joined.push(chars[k]);
        k += 1;
    }
    // 4. Runs of one repeated letter cut to two.
    let mut text = String::with_capacity(joined.len());
    let mut spans = Vec::with_capacity(joined.len());
    let mut run = 0;
    let mut prev: Option<char> = None;
    for (c, span) in joined {
        if Some(c) == prev && c.is_alphabetic() {
            run += 1;
            if run > 2 {
                if let Some(last) = spans.last_mut() {
                    let (s, _): (usize, usize) = *last;
                    *last = (s, span.1);
                }
                continue;
            }
        } else {
            run = 1;
        }
        prev = Some(c);
        text.push(c);
        spans.push(span);
    }
    Normalized { text, spans }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> String {
        normalize(s).text
    }

    #[test]
    fn undoes_the_usual_tricks() {
        assert_eq!(n("F.U.C.K this"), "fuck this");
        assert_eq!(n("f u c k"), "fuck");
        assert_eq!(n("ｆｕｃｋ"), "fuck");
        assert_eq!(n("fu\u{200B}ck"), "fuck");
        assert_eq!(n("sh1t"), "shit");
        assert_eq!(n("b!tch"), "bitch");
        assert_eq!(n("fuuuuuck"), "fuuck");
        assert_eq!(n("Ρаypal"), "paypal");
        assert_eq!(n("Café"), "café");
        assert_eq!(n("Cafe\u{301}"), "café");
        assert_eq!(n("ＴＨＩＳ"), "this");
        assert_eq!(n("You\u{2019}re"), "you're");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        assert_eq!(
            n("Council meets at 7 on June 14, 2026."),
            "council meets at 7 on june 14, 2026."
        );
        assert_eq!(n("I paid $50 for 3 tickets!"), "i paid $50 for 3 tickets!");
        // exclamation marks after a word are punctuation, however many, not the letter i
        assert_eq!(n("don't miss out!!!"), "don't miss out!!!");
        assert_eq!(n("a$$hole!!"), "asshole!!");
        assert_eq!(n("what an a$$."), "what an ass.");
        assert_eq!(n("Call 909-399-5411"), "call 909-399-5411");
        assert_eq!(n("a cat"), "a cat");
        assert_eq!(n("good"), "good");
        // the leet view is for matching words, not for display: digits in lettered words change
        assert_eq!(n("covid19"), "covidig");
    }

    #[test]
    fn reads_platform_markup_as_the_text_it_stands_for() {
        assert_eq!(
            n("you&#39;re great<br />really &amp; truly"),
            "you're great\nreally & truly"
        );
        let t = r#"<a href="https://www.youtube.com/watch?v=x&amp;t=2m19s">2:19</a> best part"#;
        assert_eq!(n(t), "2:19 best part");
        // not markup: left as written
        assert_eq!(n("i <3 this & that; a<b"), "i <3 this & that; a<b");
        // a typed tag with attributes is text: words hidden in them are read
        assert!(n(r#"<span data-x="I will hurt you">hi</span>"#).contains("hurt"));
        assert!(n(r#"<a href="http://evil.example/">free</a>"#).contains("evil"));
        // a decoded character points back to its whole reference
        let r = normalize("it&#39;s");
        assert_eq!(r.text, "it's");
        assert_eq!(r.spans[2], (2, 7));
        assert_eq!(r.original_span(0, 4), Some((0, 8)));
    }

    #[test]
    fn spans_point_back_to_the_original_words() {
        let original = "You are a f.u.c.k.i.n.g idiot";
        let norm = normalize(original);
        let at = norm.text.find("fucking").unwrap();
        let from = norm.text[..at].chars().count();
        let (s, e) = norm.original_span(from, from + "fucking".len()).unwrap();
        assert_eq!(&original[s..e], "f.u.c.k.i.n.g");
        let original = "ｓｈ１ｔ happens";
        let norm = normalize(original);
        let (s, e) = norm.original_span(0, 4).unwrap();
        assert_eq!(&original[s..e], "ｓｈ１ｔ");
    }

    fn check_spans(s: &str) -> Result<(), TestCaseError> {
        let norm = normalize(s);
        prop_assert_eq!(norm.text.chars().count(), norm.spans.len());
        let mut last = 0;
        for &(a, b) in &norm.spans {
            prop_assert!(a < b && b <= s.len());
            prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b));
            prop_assert!(a >= last, "span starts never go backwards");
            last = a;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn spans_are_in_bounds_on_char_boundaries_and_ordered(s in "\\PC{0,80}") {
            check_spans(&s)?;
        }

        #[test]
        fn spans_hold_through_platform_markup(
            s in "(<a href=\"[a-z:/.?&;=#0-9]{0,12}\">|</a>|<br ?/?>|<[bi]>|&#[0-9]{1,7};|&#x[0-9a-fA-F]{1,6};|&(amp|lt|gt|quot|nbsp);|[ a-zé😀<>&#;\"/])*"
        ) {
            check_spans(&s)?;
        }

        #[test]
        fn output_has_no_invisible_or_upper_case_ascii(s in "\\PC{0,80}") {
            let t = normalize(&s).text;
            prop_assert!(!t.chars().any(invisible));
            prop_assert!(!t.chars().any(|c| c.is_ascii_uppercase()));
        }

        #[test]
        fn deterministic(s in "\\PC{0,80}") {
            prop_assert_eq!(normalize(&s), normalize(&s));
        }

        #[test]
        fn spacing_and_case_tricks_reduce_to_the_plain_word(word in "[a-z]{3,10}", sep in "[ .\\-_*]") {
            let spaced: String = word.chars().map(|c| c.to_ascii_uppercase().to_string()).collect::<Vec<_>>().join(&sep);
            let plain = normalize(&word).text;
            prop_assert_eq!(normalize(&spaced).text, plain);
        }
    }
}
