//! The HTML comment text often arrives in. YouTube's Data API returns `textDisplay` as HTML
//! unless asked for plain text (Plaza's connector asks for plain text; the public YouTube spam
//! data was crawled as HTML): line breaks are `<br>`, apostrophes `&#39;`, and YouTube itself
//! turns URLs, timestamps ("2:19"), hashtags and mentions into `<a href="...">` anchors. Tweets
//! carry `&amp;`, `&lt;` and `&gt;`.
//!
//! None of that is the commenter's words. Normalisation decodes character references and drops
//! the few tags platforms generate (`a`, `b`, `i`, `s`, `u`, `em`, `strong`, `span`, `p`, `br`),
//! and the link finder skips the `href` of anchors the platform generated
//! ([`generated_anchors`]): a timestamp link is not a link the commenter shared, and an
//! auto-linked URL is still found once, as the anchor's text. An anchor somebody typed keeps
//! its link. Anything else that starts with `<` (`<3`, `a < b`,
//! `<script>`) is left as text.

/// Tags platforms generate in comment text; only these are dropped.
const TAGS: [&str; 10] = ["a", "b", "br", "em", "i", "p", "s", "span", "strong", "u"];

/// The longest tag read (an anchor with a long URL); a longer one is left as text.
const MAX_TAG: usize = 4096;

/// What [`at`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// A tag: where it ends, whether it breaks a line (`<br>`, `<p>`, `</p>`), and whether it
    /// is bare (no attributes: `<b>`, `</a>`, `<br />`).
    Tag {
        end: usize,
        breaks: bool,
        bare: bool,
    },
    /// A character reference ending at this byte, standing for this character.
    Char(usize, char),
}

/// The markup starting at byte `i` of `text`, if any. Cheap when `text[i]` is neither `<` nor `&`.
pub fn at(text: &str, i: usize) -> Option<Markup> {
    match text.as_bytes().get(i)? {
        b'<' => tag(text, i).map(|(end, breaks, bare)| Markup::Tag { end, breaks, bare }),
        b'&' => plaza_core::char_reference(&text[i..]).map(|(len, c)| Markup::Char(i + len, c)),
        _ => None,
    }
}

/// A platform tag at byte `i` (which holds `<`): its end, whether it breaks a line, and
/// whether it is bare (no attributes).
fn tag(text: &str, i: usize) -> Option<(usize, bool, bool)> {
    let bytes = text.as_bytes();
    let mut j = i + 1;
    let closing = bytes.get(j) == Some(&b'/');
    if closing {
        j += 1;
    }
    let name_start = j;
    while j < bytes.len() && bytes[j].is_ascii_alphabetic() {
        j += 1;
    }
    let name = text.get(name_start..j)?.to_ascii_lowercase();
    if !TAGS.contains(&name.as_str()) {
        return None;
    }
    // the name ends the tag, or is followed by attributes (an opening tag only) or "/>"
    let mut bare = true;
    match bytes.get(j)? {
        b'>' => {}
        b'/' if bytes.get(j + 1) == Some(&b'>') => j += 1,
        b' ' if bytes.get(j + 1) == Some(&b'/') && bytes.get(j + 2) == Some(&b'>') => j += 2,
        b' ' | b'\t' | b'\n' | b'\r' if !closing => {
            bare = false;
            let mut quote = None;
            loop {
                j += 1;
                let b = *bytes.get(j)?;
                if j - i > MAX_TAG || (b == b'<' && quote.is_none()) {
                    return None;
                }
                match (quote, b) {
                    (None, b'"' | b'\'') => quote = Some(b),
                    (Some(q), _) if b == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
            }
        }
        _ => return None,
    }
    Some((j + 1, matches!(name.as_str(), "br" | "p"), bare))
}

/// The byte ranges of the platform tags in `text`, in order (empty without a `<`).
pub fn tags(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if !text.contains('<') {
        return out;
    }
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let start = i + off;
        match tag(text, start) {
            Some((end, _, _)) => {
                out.push((start, end));
                i = end;
            }
            None => i = start + 1,
        }
    }
    out
}

/// An anchor a platform generated: its opening tag and its `href` value, as byte ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub tag: (usize, usize),
    pub href: (usize, usize),
}

/// The anchors in `text` a platform generated: those whose visible text is their own URL (an
/// auto-linked URL, whole or cut short after its host), or a timestamp ("2:19"), a hashtag or a
/// mention linking to YouTube. Their `href` is the platform's rendering, not a link the
/// commenter shared. Any other anchor (one somebody typed,
/// `<a href="http://evil.example">free</a>`) is not in the list: normalisation keeps its text
/// and the link finder judges its link like any other.
pub fn generated_anchors(text: &str) -> Vec<Anchor> {
    let all = tags(text);
    let mut out = Vec::new();
    for (k, &(start, end)) in all.iter().enumerate() {
        let open = &text[start..end];
        if !open.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("<a ")) {
            continue;
        }
        // the anchor's text runs to the next tag, which must close it
        let Some(&(close, close_end)) = all.get(k + 1) else {
            continue;
        };
        if !text[close..close_end].eq_ignore_ascii_case("</a>") {
            continue;
        }
        let Some((h0, h1)) = href_value(open) else {
            continue;
        };
        let href = &open[h0..h1];
        let shown = text[end..close].trim();
        // the anchor shows its own URL: whole, or cut short with an ellipsis after the host
        // (so "https://city.gov" shown over "https://city.gov.evil.example" is not the same)
        let same = |shown: &str, href: &str| {
            let href = href.trim_end_matches('/').to_ascii_lowercase();
            let lower = shown.to_ascii_lowercase();
            match lower
                .strip_suffix('…')
                .or_else(|| lower.strip_suffix("..."))
            {
                Some(cut) => {
                    let after_scheme = cut.split_once("://").map_or(cut, |(_, rest)| rest);
                    after_scheme.contains('/') && href.starts_with(cut)
                }
                None => !lower.is_empty() && lower.trim_end_matches('/') == href,
            }
        };
        let stamp = !shown.is_empty()
            && shown.split(':').count() >= 2
            && shown
                .split(':')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let tag_or_mention = shown.len() > 1 && (shown.starts_with('#') || shown.starts_with('@'));
        // YouTube's own anchors for timestamps, hashtags and mentions point at YouTube (or, for
        // comments from its Google+ years, 2013-2015, at Google+)
        let host = href.split_once("://").map_or("", |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or("")
        });
        let on_platform = href.starts_with('/')
            || ["youtu.be", "youtube.com", "plus.google.com"]
                .iter()
                .any(|d| crate::detect::links::host_under(host, d));
        if ((stamp || tag_or_mention) && on_platform)
            || same(&shown.replace("&amp;", "&"), &href.replace("&amp;", "&"))
        {
            out.push(Anchor {
                tag: (start, end),
                href: (start + h0, start + h1),
            });
        }
    }
    out
}

/// The byte range of the `href` attribute's value in an opening tag: attributes are read in
/// order, so an `href=` inside another attribute's quoted value is not taken for it. The value
/// must be quoted.
fn href_value(tag: &str) -> Option<(usize, usize)> {
    let b = tag.as_bytes();
    // past "<a"
    let mut i = 2;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b" \t\r\n=>/".contains(&b[i]) {
            i += 1;
        }
        if i == name_start {
            return None;
        }
        let name = &tag[name_start..i];
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i + 1;
        let value_end = value_start + tag[value_start..].find(quote as char)?;
        if name.eq_ignore_ascii_case("href") {
            return Some((value_start, value_end));
        }
        i = value_end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tags_platforms_generate_and_nothing_else() {
        let t =
            r#"<a href="https://www.youtube.com/watch?v=x&amp;t=2m19s">2:19</a> best<br />part"#;
        let ranges = tags(t);
        assert_eq!(ranges.len(), 3, "{ranges:?}");
        assert_eq!(
            &t[ranges[0].0..ranges[0].1],
            r#"<a href="https://www.youtube.com/watch?v=x&amp;t=2m19s">"#
        );
        assert_eq!(&t[ranges[1].0..ranges[1].1], "</a>");
        assert_eq!(&t[ranges[2].0..ranges[2].1], "<br />");
        assert_eq!(
            at(t, ranges[2].0),
            Some(Markup::Tag {
                end: ranges[2].1,
                breaks: true,
                bare: true
            })
        );
        assert_eq!(
            at(t, 0),
            Some(Markup::Tag {
                end: ranges[0].1,
                breaks: false,
                bare: false
            })
        );
        for text in [
            "I <3 this",
            "a < b and c > d",
            "<script>alert(1)</script>",
            "<a",
            "<a href=\"x",
            "</a href=\"x\">",
            "<br",
            "<>",
        ] {
            assert!(tags(text).is_empty(), "{text}");
        }
        assert_eq!(tags("<B>loud</B> <I>quiet</i>").len(), 4);
        // a quoted ">" does not end the tag
        let quoted = r#"<a title="a>b" href="x">"#;
        assert_eq!(tags(&format!("{quoted}y</a>"))[0], (0, quoted.len()));
    }

    #[test]
    fn only_anchors_a_platform_generates_are_set_aside() {
        let generated = [
            r#"<a href="http://www.youtube.com/watch?v=KQ6zr6kCPj8&amp;t=2m19s">2:19</a> best part"#,
            r#"<a href="https://youtu.be/KQ6zr6kCPj8">https://youtu.be/KQ6zr6kCPj8</a>"#,
            r#"<a href="https://www.youtube.com/hashtag/council">#council</a>"#,
            r#"<a href="http://www.youtube.com/channel/UC1">@arborvale</a>"#,
            r#"<a rel="nofollow" class="ot-hashtag" href="https://plus.google.com/s/%23LMFAO">#LMFAO</a>"#,
            r#"<a href="https://example.org/a/very/long/path">https://example.org/a/very…</a>"#,
        ];
        for text in generated {
            assert_eq!(generated_anchors(text).len(), 1, "{text}");
        }
        // typed by somebody: the link is theirs
        let typed = [
            r#"<a href="http://evil.example/x.exe">free money</a>"#,
            r#"<a href="http://evil.example/">https://arborvale.gov</a>"#,
            r#"<a href="http://evil.example/">1:19</a"#,
            r#"<a href="http://evil.example/">:</a>"#,
            // a timestamp, hashtag or mention pointing off the platform
            r#"<a href="http://evil.example/">1:19</a>"#,
            r#"<a href="http://evil.example/">#council</a>"#,
            r#"<a href="https://www.youtube.com.evil.example/">@arborvale</a>"#,
            // the href is read in order: one inside another attribute's value is not it
            r#"<a title=" href='https://youtu.be/x'" href="https://evil.example/">2:19</a>"#,
            // shown as the city's address, pointing elsewhere
            r#"<a href="https://arborvale.gov.evil.example/pay">https://arborvale.gov</a>"#,
            r#"<a href="https://arborvale.gov.evil.example/pay">https://arborvale.gov…</a>"#,
        ];
        for text in typed {
            assert!(generated_anchors(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn decodes_character_references() {
        // the reading itself is plaza_core::char_reference, tested there; here, that markup
        // uses it and spans the whole reference
        assert_eq!(at("&#39;s", 0), Some(Markup::Char(5, '\'')));
        assert_eq!(at("&amp;", 0), Some(Markup::Char(5, '&')));
        assert_eq!(at("&bogus;", 0), None);
        assert_eq!(at("AT&T rocks;", 2), None);
    }
}
