//! A Facebook Page's "Download your information" in JSON: the zip Facebook sends, or one JSON
//! file taken from it (a posts file, `your_posts_1.json`, or `comments.json`).
//!
//! Posts files are an array of `{timestamp, data: [{post}, {update_timestamp}], attachments:
//! [{data: [{media: {uri, description}}]}], title}`; each becomes a `Post` with the text of its
//! `post` parts, its edit time, and its photos and videos (the URL is the file's path inside the
//! download, the alt text its description). A post with neither text nor media (a cover photo
//! change, a check-in) is skipped. The comments file is `{comments_v2: [{timestamp, data:
//! [{comment: {timestamp, comment, author}}], attachments, title}]}`; each becomes a `Comment`
//! by its `author`. The export does not say which post a comment is under, so comments have no
//! `parent` nor `root`.
//!
//! Facebook writes no ids and no URLs: the id is derived, `fbexport:{timestamp}:{first 16 hex
//! digits of the SHA-256 of the text}` (of the first media path when there is no text), stable
//! across imports of the same download; the URL is empty. Nor does it give the Page's id: the
//! author's id is empty (the importing command knows the site's Page id); its name is the
//! `author` of the Page's comments when the download has some, else empty. Text is repaired of
//! Facebook's mojibake (see [`super::repair_mojibake`]).
//!
//! In a zip, the `.json` entries under a `posts` folder or named `your_posts*` are read as
//! posts, in name order (`_2` after `_1`, `_10` after `_9`), then those named `comments*` as
//! comments; in a posts entry that is an object, the arrays under keys naming posts
//! (`status_updates_v2`...) are read and the rest (albums, videos) skipped. Entries are
//! streamed out of the zip, one element in memory at a time.

use super::{Elements, ImportError, Sink, Stream, in_entry, repair_mojibake, str_at};
use plaza_core::Timestamp;
use plaza_core::capture::{Author, Counts, Item, ItemKind, Media};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// Whether a zip entry is one the importer reads (a posts or comments JSON file).
pub fn is_export_json(name: &str) -> bool {
    entry_kind(name).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EntryKind {
    Posts,
    Comments,
}

fn entry_kind(name: &str) -> Option<EntryKind> {
    if !name.ends_with(".json") {
        return None;
    }
    let (dirs, base) = name.rsplit_once('/').unwrap_or(("", name));
    if base.starts_with("comments") {
        return Some(EntryKind::Comments);
    }
    if base.starts_with("your_posts") || dirs.split('/').any(|d| d == "posts") {
        return Some(EntryKind::Posts);
    }
    None
}

type NaturalKey = Vec<(String, u64)>;

/// Name order with numbers compared as numbers (`your_posts_2` before `your_posts_10`).
fn natural_key(name: &str) -> NaturalKey {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in name.chars() {
        match (c.to_digit(10), num) {
            (Some(d), Some(n)) => num = Some(n.saturating_mul(10).saturating_add(u64::from(d))),
            (Some(d), None) => num = Some(u64::from(d)),
            (None, Some(n)) => {
                out.push((std::mem::take(&mut text), n));
                num = None;
                text.push(c);
            }
            (None, None) => text.push(c),
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

/// Parses one JSON file of the download held in memory: a posts array, or an object with
/// `comments_v2` or arrays of posts.
pub fn parse_facebook_posts(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    super::collect(|sink| read_json(&mut de, super::BYTES, &nobody(), sink))
}

/// Parses a whole download zip held in memory.
pub fn parse_facebook_download(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    super::collect(|sink| read_zip(super::BYTES, std::io::Cursor::new(bytes), sink))
}

pub(crate) fn read_path(path: &Path, sink: Sink<'_>) -> Result<(), ImportError> {
    let (file, f, zip) = super::open_export(path)?;
    if zip {
        return read_zip(&file, f, sink);
    }
    let mut de = serde_json::Deserializer::from_reader(f);
    read_json(&mut de, &file, &nobody(), sink)
}

fn nobody() -> Author {
    Author {
        id: String::new(),
        handle: String::new(),
        name: String::new(),
    }
}

fn read_zip<R: Read + Seek>(file: &str, reader: R, sink: Sink<'_>) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| ImportError::malformed(file, "zip directory", e))?;
    let mut entries: Vec<(EntryKind, NaturalKey, String)> = super::zip_names(&zip)
        .into_iter()
        .filter_map(|n| entry_kind(&n).map(|k| (k, natural_key(&n), n)))
        .collect();
    entries.sort();
    if entries.is_empty() {
        return Err(ImportError::Unsupported {
            file: file.to_string(),
            reason: "no posts or comments JSON: not a Facebook download in JSON".into(),
        });
    }
    // The Page's name, from its comments' author: a first look, stopped at the first one.
    let mut page = nobody();
    for (kind, _, name) in &entries {
        if *kind != EntryKind::Comments || !page.name.is_empty() {
            continue;
        }
        let Ok(entry) = zip.by_name(name) else {
            continue;
        };
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(entry));
        let _ = read_json(&mut de, file, &nobody(), &mut |item| {
            page = item.author;
            Err(ImportError::io("", "found"))
        });
    }
    for (_, _, name) in &entries {
        let entry = zip
            .by_name(name)
            .map_err(|e| ImportError::malformed(file, format!("entry {name}"), e))?;
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(entry));
        read_json(&mut de, file, &page, &mut *sink).map_err(|e| in_entry(name, e))?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Posts,
    Comments,
}

fn read_json<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    file: &str,
    page: &Author,
    sink: Sink<'_>,
) -> Result<(), ImportError> {
    let mode = Cell::new(Mode::Posts);
    let field = RefCell::new(String::new());
    let mut on = |i: usize, v: Value| {
        let at = format!("{}[{i}]", field.borrow());
        match mode.get() {
            Mode::Posts => post(file, &at, &v, page, &mut *sink),
            Mode::Comments => comment(file, &at, &v, &mut *sink),
        }
    };
    let mut stream = Stream::new(&mut on);
    let result = Top {
        stream: &mut stream,
        mode: &mode,
        field: &field,
    }
    .deserialize(&mut *de)
    .and_then(|()| de.end());
    result.map_err(|e| {
        let what = field.borrow().clone();
        stream.error(file, &what, e)
    })
}

/// The top of a JSON file of the download: an array of posts, or an object.
struct Top<'s, 'a> {
    stream: &'s mut Stream<'a>,
    mode: &'s Cell<Mode>,
    field: &'s RefCell<String>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of posts or an object of comments")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.mode.set(Mode::Posts);
        Elements(self.stream).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let mode = if key == "comments_v2" || key == "comments" {
                Some(Mode::Comments)
            } else if key.contains("post") || key.starts_with("status_updates") {
                Some(Mode::Posts)
            } else {
                None
            };
            match mode {
                Some(m) => {
                    self.mode.set(m);
                    *self.field.borrow_mut() = key;
                    map.next_value_seed(Elements(&mut *self.stream))?;
                    self.field.borrow_mut().clear();
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

fn seconds(file: &str, at: &str, v: &Value) -> Result<Timestamp, ImportError> {
    v.as_i64()
        .and_then(|s| s.checked_mul(1000))
        .map(Timestamp)
        .ok_or_else(|| ImportError::malformed(file, at, "not a time in seconds"))
}

fn text_of(v: Option<&str>) -> String {
    repair_mojibake(v.unwrap_or_default())
}

/// The derived id: `fbexport:{timestamp}:{first 16 hex digits of SHA-256(text)}`.
pub fn export_id(timestamp_secs: i64, text: &str) -> String {
    let digest = plaza_core::hex(&Sha256::digest(text.as_bytes()));
    format!(
        "fbexport:{timestamp_secs}:{}",
        digest.get(..16).unwrap_or(&digest)
    )
}

fn media_of(v: &Value) -> Vec<Media> {
    let mut out = Vec::new();
    for a in v
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for d in a
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(m) = d.get("media") {
                let uri = text_of(str_at(m, "/uri"));
                let mime = mime_of(&uri);
                out.push(Media {
                    url: uri,
                    alt: text_of(str_at(m, "/description")),
                    mime,
                });
            }
        }
    }
    out
}

fn mime_of(path: &str) -> String {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        _ => "",
    }
    .to_string()
}

fn item(
    kind: ItemKind,
    timestamp: Timestamp,
    text: String,
    media: Vec<Media>,
    author: Author,
    edited_at: Option<Timestamp>,
) -> Item {
    let basis = if text.is_empty() {
        media.first().map(|m| m.url.as_str()).unwrap_or_default()
    } else {
        &text
    };
    Item {
        kind,
        platform_id: export_id(timestamp.0 / 1000, basis),
        parent: None,
        root: None,
        author,
        text,
        url: String::new(),
        created_at: timestamp,
        edited_at,
        media,
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts::default(),
    }
}

fn post(file: &str, at: &str, v: &Value, page: &Author, sink: Sink<'_>) -> Result<(), ImportError> {
    if !v.is_object() {
        return Err(ImportError::malformed(file, at, "not an object"));
    }
    let ts = v
        .get("timestamp")
        .ok_or_else(|| ImportError::malformed(file, format!("{at}.timestamp"), "missing"))?;
    let created_at = seconds(file, &format!("{at}.timestamp"), ts)?;
    let parts = v.get("data").and_then(Value::as_array);
    let text = parts
        .into_iter()
        .flatten()
        .filter_map(|d| str_at(d, "/post"))
        .map(repair_mojibake)
        .collect::<Vec<_>>()
        .join("\n");
    let edited_at = parts
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("update_timestamp").and_then(Value::as_i64))
        .filter_map(|s| s.checked_mul(1000))
        .find(|&ms| ms != created_at.0)
        .map(Timestamp);
    let media = media_of(v);
    if text.is_empty() && media.is_empty() {
        return Ok(());
    }
    sink(item(
        ItemKind::Post,
        created_at,
        text,
        media,
        page.clone(),
        edited_at,
    ))
}

fn comment(file: &str, at: &str, v: &Value, sink: Sink<'_>) -> Result<(), ImportError> {
    if !v.is_object() {
        return Err(ImportError::malformed(file, at, "not an object"));
    }
    let c = v
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|d| d.get("comment"));
    let ts = c
        .and_then(|c| c.get("timestamp"))
        .or_else(|| v.get("timestamp"))
        .ok_or_else(|| ImportError::malformed(file, format!("{at}.timestamp"), "missing"))?;
    let created_at = seconds(file, &format!("{at}.timestamp"), ts)?;
    let text = text_of(c.and_then(|c| str_at(c, "/comment")));
    let media = media_of(v);
    if text.is_empty() && media.is_empty() {
        return Ok(());
    }
    let name = text_of(c.and_then(|c| str_at(c, "/author")));
    let author = Author {
        id: String::new(),
        handle: name.clone(),
        name,
    };
    sink(item(
        ItemKind::Comment,
        created_at,
        text,
        media,
        author,
        None,
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Facebook's escaping: every UTF-8 byte of non-ASCII text as a `\u00XX` escape.
    pub(crate) fn fb_escape(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii() {
                    (b as char).to_string()
                } else {
                    format!("\\u00{b:02x}")
                }
            })
            .collect()
    }

    pub(crate) fn posts_json() -> String {
        format!(
            r#"[
  {{"timestamp": 1700000000,
    "data": [{{"post": "{}"}}, {{"update_timestamp": 1700000500}}],
    "attachments": [{{"data": [{{"media": {{"uri": "posts/media/abc/1.jpg",
       "creation_timestamp": 1700000000, "description": "{}"}}}}]}}],
    "title": "City of Springfield updated their status."}},
  {{"timestamp": 1690000000, "data": [], "title": "City of Springfield updated their cover photo."}},
  {{"timestamp": 1680000000, "data": [{{"post": "Pool opens Saturday"}}]}}
]"#,
            fb_escape("Fête de la ville — samedi ✓"),
            fb_escape("Carte du défilé")
        )
    }

    pub(crate) const COMMENTS_JSON: &str = r#"{"comments_v2": [
  {"timestamp": 1700000900,
   "data": [{"comment": {"timestamp": 1700000900, "comment": "Parade starts at 10.",
     "author": "City of Springfield"}}],
   "title": "City of Springfield replied to Ann's comment."}
]}"#;

    #[test]
    fn posts_and_comments_become_items() {
        let items = parse_facebook_posts(posts_json().as_bytes()).unwrap();
        assert_eq!(
            items.len(),
            2,
            "the cover photo change has no text nor media"
        );
        let p = &items[0];
        assert_eq!(p.kind, ItemKind::Post);
        assert_eq!(p.text, "Fête de la ville — samedi ✓");
        assert_eq!(p.created_at, Timestamp(1_700_000_000_000));
        assert_eq!(p.edited_at, Some(Timestamp(1_700_000_500_000)));
        assert_eq!(p.media[0].url, "posts/media/abc/1.jpg");
        assert_eq!(p.media[0].alt, "Carte du défilé");
        assert_eq!(p.media[0].mime, "image/jpeg");
        assert_eq!(
            p.platform_id,
            export_id(1_700_000_000, "Fête de la ville — samedi ✓")
        );
        assert!(p.platform_id.starts_with("fbexport:1700000000:"));
        assert_eq!(p.platform_id.len(), "fbexport:1700000000:".len() + 16);

        let c = parse_facebook_posts(COMMENTS_JSON.as_bytes()).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ItemKind::Comment);
        assert_eq!(c[0].text, "Parade starts at 10.");
        assert_eq!(c[0].author.name, "City of Springfield");
        assert_eq!(c[0].parent, None);
    }

    #[test]
    fn a_download_zip_is_walked_in_order() {
        let posts2 = r#"[{"timestamp": 1600000000, "data": [{"post": "Older"}]}]"#;
        let zip = super::super::x_archive::tests::zip_of(&[
            (
                "your_activity/comments_and_reactions/comments.json",
                COMMENTS_JSON,
            ),
            ("your_activity/posts/your_posts_10.json", posts2),
            ("your_activity/posts/your_posts_1.json", &posts_json()),
            (
                "your_activity/posts/album/0.json",
                r#"{"name": "x", "photos": []}"#,
            ),
            ("your_activity/other/thing.json", "not json"),
        ]);
        let items = parse_facebook_download(&zip).unwrap();
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Fête de la ville — samedi ✓",
                "Pool opens Saturday",
                "Older",
                "Parade starts at 10."
            ]
        );
        // The Page's name, learnt from its comments, is the posts' author.
        assert_eq!(items[0].author.name, "City of Springfield");

        let dir = std::env::temp_dir().join(format!("plaza-fb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("facebook-city.zip");
        std::fs::write(&path, &zip).unwrap();
        let f = super::super::Format::FacebookPage;
        assert_eq!(super::super::Format::detect(&path, &zip[..8]), Some(f));
        assert_eq!(super::super::scan(f, &path).unwrap(), 4);
        let one = dir.join("your_posts_1.json");
        std::fs::write(&one, posts_json()).unwrap();
        assert_eq!(super::super::scan(f, &one).unwrap(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_say_where() {
        let bad = posts_json().replace("1680000000", "\"yesterday\"");
        match parse_facebook_posts(bad.as_bytes()) {
            Err(ImportError::Malformed { position, .. }) => assert_eq!(position, "[2].timestamp"),
            other => panic!("{other:?}"),
        }
        let cut = &COMMENTS_JSON[..COMMENTS_JSON.len() - 10];
        match parse_facebook_posts(cut.as_bytes()) {
            Err(ImportError::Malformed { position, .. }) => {
                assert!(position.starts_with("comments_v2[0]"), "{position}")
            }
            other => panic!("{other:?}"),
        }
        let zip = super::super::x_archive::tests::zip_of(&[("posts/your_posts_1.json", "[1]")]);
        match parse_facebook_download(&zip) {
            Err(ImportError::Malformed { position, .. }) => {
                assert_eq!(position, "entry posts/your_posts_1.json, [0]")
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_facebook_posts(b"\"text\"").is_err());
    }

    #[test]
    fn natural_order() {
        let mut names = vec!["p_10.json", "p_2.json", "p_1.json"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(names, ["p_1.json", "p_2.json", "p_10.json"]);
    }
}
