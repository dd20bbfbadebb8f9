//! Importers of the exports a city already holds: a Bluesky repository (CAR), an X archive, a
//! Facebook Page data download, a Mastodon `outbox.json`. Each turns a file into
//! [`Item`]s in file order, with the account as author, so the record can start with what the
//! city published before Plaza captured it.
//!
//! Everything here is pure parsing: no network, no database. Every format has a byte-slice
//! entry point (`parse_*`) for fuzzing and tests; [`scan`] and [`read`] work on a path and
//! stream where the format allows (JSON arrays are read element by element; zip entries are
//! decompressed as they are read, never extracted to disk). A Bluesky CAR is read whole into
//! memory: a city's repository is a few megabytes, and its blocks can only be walked from the
//! root with all of them at hand (files over [`car::MAX_CAR_BYTES`] are refused).
//!
//! Errors name the file and where in it the problem is (a byte offset, a zip entry, an array
//! index, a JSON line and column) and no input makes a parser panic, allocate from an untrusted
//! length or recurse without bound (`tests/never_panics.rs` checks this on every build).
//!
//! # Kinds: posts and comments
//!
//! The city's own top-level posts are [`ItemKind::Post`]. A reply the city made in a thread it
//! started (the thread's top, or the post answered, is the city's own) is a
//! [`ItemKind::Comment`] with `parent` and `root`: `root` is the top of the thread where the
//! export says (Bluesky), else worked out from the city's own posts met earlier in the file
//! (Mastodon, oldest first), else the parent (X, newest first). A reply the city made under
//! someone else's post is not a comment under a city post: it is a `Post` with `parent` set to
//! what it answers and no `root`. Reposts and boosts of other people's posts are skipped: they
//! are not the city's words.

pub mod car;
pub mod facebook;
pub mod mastodon;
pub mod x_archive;

use plaza_core::capture::Item;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::path::Path;

pub use car::parse_car;
pub use facebook::{parse_facebook_download, parse_facebook_posts};
pub use mastodon::parse_mastodon_outbox;
pub use x_archive::{parse_x_archive, parse_x_tweets_js};

/// The file name errors carry when a parser is given bytes rather than a path.
pub const BYTES: &str = "<bytes>";

/// An export format Plaza imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A Bluesky repository as `com.atproto.sync.getRepo` returns it (CAR v1).
    BlueskyCar,
    /// An X (Twitter) archive: the zip X sends, or its `data/tweets.js` alone.
    XArchive,
    /// A Facebook Page's "Download your information" in JSON: the zip, or one posts or
    /// comments JSON file from it.
    FacebookPage,
    /// A Mastodon account archive's `outbox.json` (not the `.tar.gz` around it).
    MastodonOutbox,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [
        Format::BlueskyCar,
        Format::XArchive,
        Format::FacebookPage,
        Format::MastodonOutbox,
    ];

    /// Stable name, as `plaza import --format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::BlueskyCar => "bluesky-car",
            Format::XArchive => "x-archive",
            Format::FacebookPage => "facebook-page",
            Format::MastodonOutbox => "mastodon-outbox",
        }
    }

    /// Parses a format name (the names of [`Format::as_str`]; `_` for `-` and case are
    /// forgiven, and the platform names alone are accepted).
    pub fn parse(s: &str) -> Result<Format, ImportError> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        let f = match norm.as_str() {
            "bluesky-car" | "bluesky" | "car" => Format::BlueskyCar,
            "x-archive" | "x" | "twitter" | "twitter-archive" => Format::XArchive,
            "facebook-page" | "facebook" => Format::FacebookPage,
            "mastodon-outbox" | "mastodon" | "outbox" => Format::MastodonOutbox,
            _ => {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                return Err(ImportError::Unsupported {
                    file: String::new(),
                    reason: format!(
                        "unknown import format {s:?}; expected one of {}",
                        names.join(", ")
                    ),
                });
            }
        };
        Ok(f)
    }

    /// Guesses the format from the file's first bytes (a few hundred are enough) and its name.
    /// A zip is opened to look at its entry names (X archives have `data/tweets.js`).
    pub fn detect(path: &Path, first_bytes: &[u8]) -> Option<Format> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if first_bytes.starts_with(b"PK\x03\x04") || first_bytes.starts_with(b"PK\x05\x06") {
            return detect_zip(path, &name);
        }
        if car::looks_like_car(first_bytes) || name.ends_with(".car") {
            return Some(Format::BlueskyCar);
        }
        let text = String::from_utf8_lossy(first_bytes);
        let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        if start.starts_with("window.YTD.") {
            return Some(Format::XArchive);
        }
        if start.starts_with('{') || start.starts_with('[') {
            if text.contains("\"orderedItems\"")
                || text.contains("OrderedCollection")
                || name == "outbox.json"
            {
                return Some(Format::MastodonOutbox);
            }
            if text.contains("\"comments_v2\"")
                || text.contains("\"timestamp\"")
                || name.starts_with("your_posts")
            {
                return Some(Format::FacebookPage);
            }
        }
        None
    }
}

fn detect_zip(path: &Path, name: &str) -> Option<Format> {
    let names: Vec<String> = std::fs::File::open(path)
        .ok()
        .and_then(|f| zip::ZipArchive::new(std::io::BufReader::new(f)).ok())
        .map(|z| zip_names(&z))
        .unwrap_or_default();
    if names.iter().any(|n| x_archive::tweets_part(n).is_some()) {
        return Some(Format::XArchive);
    }
    if names.iter().any(|n| facebook::is_export_json(n)) {
        return Some(Format::FacebookPage);
    }
    if name.contains("twitter") {
        return Some(Format::XArchive);
    }
    if name.contains("facebook") {
        return Some(Format::FacebookPage);
    }
    None
}

/// The names of a zip's entries (names that are not valid text are left out).
pub(crate) fn zip_names<R: std::io::Read + std::io::Seek>(z: &zip::ZipArchive<R>) -> Vec<String> {
    z.file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect()
}

/// Puts the zip entry in front of the position of an error found inside it.
pub(crate) fn in_entry(entry: &str, e: ImportError) -> ImportError {
    match e {
        ImportError::Malformed {
            file,
            position,
            reason,
        } => ImportError::Malformed {
            file,
            position: if position.is_empty() {
                format!("entry {entry}")
            } else {
                format!("entry {entry}, {position}")
            },
            reason,
        },
        other => other,
    }
}

/// Why a file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not what its format says at `position` (a byte offset, a zip entry, an array
    /// index, a JSON line and column).
    #[error("{file}: malformed at {position}: {reason}")]
    Malformed {
        file: String,
        position: String,
        reason: String,
    },
    /// The file cannot be read.
    #[error("{file}: cannot read: {reason}")]
    Io { file: String, reason: String },
    /// The file is valid but not something Plaza imports (too large, another format, an
    /// unknown format name).
    #[error("{file}: not supported: {reason}")]
    Unsupported { file: String, reason: String },
}

impl ImportError {
    pub(crate) fn malformed(
        file: &str,
        position: impl Into<String>,
        reason: impl fmt::Display,
    ) -> ImportError {
        ImportError::Malformed {
            file: file.to_string(),
            position: position.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn io(file: &str, reason: impl fmt::Display) -> ImportError {
        ImportError::Io {
            file: file.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Where items go as a parser finds them.
pub(crate) type Sink<'a> = &'a mut dyn FnMut(Item) -> Result<(), ImportError>;

/// Every item a parser finds, in order (the in-memory `parse_*` functions).
pub(crate) fn collect(
    parse: impl FnOnce(Sink<'_>) -> Result<(), ImportError>,
) -> Result<Vec<Item>, ImportError> {
    let mut out = Vec::new();
    parse(&mut |i| {
        out.push(i);
        Ok(())
    })?;
    Ok(out)
}

fn drive(
    format: Format,
    path: &Path,
    sink: &mut dyn FnMut(Item) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    match format {
        Format::BlueskyCar => car::read_path(path, sink),
        Format::XArchive => x_archive::read_path(path, sink),
        Format::FacebookPage => facebook::read_path(path, sink),
        Format::MastodonOutbox => mastodon::read_path(path, sink),
    }
}

/// Counts the items and checks the whole file without keeping it in memory where the format
/// allows (all but the CAR, which is read whole).
pub fn scan(format: Format, path: &Path) -> Result<usize, ImportError> {
    let mut n = 0usize;
    drive(format, path, &mut |_| {
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

/// Calls `each(index, item)` for every item in file order; the first `skip` items are parsed
/// but not passed (to resume an interrupted import). Returns the number of items in the file,
/// the skipped ones included. An error from `each` stops the import and is returned as is.
pub fn read(
    format: Format,
    path: &Path,
    skip: usize,
    each: &mut dyn FnMut(usize, Item) -> Result<(), ImportError>,
) -> Result<usize, ImportError> {
    let mut index = 0usize;
    drive(format, path, &mut |item| {
        let i = index;
        index += 1;
        if i >= skip { each(i, item) } else { Ok(()) }
    })?;
    Ok(index)
}

/// The name of a path for error messages.
pub(crate) fn file_name(path: &Path) -> String {
    path.display().to_string()
}

pub(crate) fn open(path: &Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(|e| ImportError::io(&file_name(path), e))
}

/// A file opened for reading: its name for errors, a buffered reader, and whether it is a zip
/// (an export downloaded whole) rather than one of the files inside it.
pub(crate) fn open_export(
    path: &Path,
) -> Result<(String, std::io::BufReader<std::fs::File>, bool), ImportError> {
    use std::io::BufRead as _;
    let file = file_name(path);
    let mut f = std::io::BufReader::new(open(path)?);
    let zip = f
        .fill_buf()
        .map_err(|e| ImportError::io(&file, e))?
        .starts_with(b"PK");
    Ok((file, f, zip))
}

/// Repairs Facebook's mojibake: text whose UTF-8 bytes were written as `\u00XX` code points.
/// When every character is below U+0100 and the characters taken as bytes are valid UTF-8,
/// those bytes are the text; otherwise the text is left as it is.
pub fn repair_mojibake(s: &str) -> String {
    if s.is_ascii() || s.chars().any(|c| u32::from(c) > 0xff) {
        return s.to_string();
    }
    let bytes: Vec<u8> = s.chars().map(|c| (u32::from(c) & 0xff) as u8).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| s.to_string())
}

// --- Streaming JSON: one element of an array at a time -------------------------------------

/// What to do with each element of a streamed JSON array: `f(index, element)`.
pub(crate) type OnElement<'a> = &'a mut dyn FnMut(usize, Value) -> Result<(), ImportError>;

/// The state shared by the streaming visitors: the index reached (for error positions) and the
/// error that stopped the stream, kept whole (serde's own error can only carry a message).
pub(crate) struct Stream<'a> {
    pub on: OnElement<'a>,
    pub index: Option<usize>,
    pub failed: Option<ImportError>,
}

impl<'a> Stream<'a> {
    pub(crate) fn new(on: OnElement<'a>) -> Stream<'a> {
        Stream {
            on,
            index: None,
            failed: None,
        }
    }

    /// Turns a serde_json error into an import error, giving back the callback's own error
    /// when that is what stopped the stream.
    pub(crate) fn error(&mut self, file: &str, what: &str, e: serde_json::Error) -> ImportError {
        if let Some(f) = self.failed.take() {
            return f;
        }
        let at = match self.index {
            Some(i) => format!("{what}[{i}], line {} column {}", e.line(), e.column()),
            None => format!("line {} column {}", e.line(), e.column()),
        };
        ImportError::malformed(file, at, e)
    }
}

/// A seed that streams a JSON array, element by element, into a [`Stream`].
pub(crate) struct Elements<'s, 'a>(pub &'s mut Stream<'a>);

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            self.0.index = Some(i);
            let Some(v) = seq.next_element::<Value>()? else {
                break;
            };
            if let Err(e) = (self.0.on)(i, v) {
                self.0.failed = Some(e);
                return Err(de::Error::custom("stopped"));
            }
            i += 1;
        }
        self.0.index = None;
        Ok(())
    }
}

/// A seed for a JSON object: the array under `field` is streamed, other fields are skipped.
/// Says whether the field was there.
pub(crate) struct FieldElements<'s, 'a> {
    pub field: &'static str,
    pub stream: &'s mut Stream<'a>,
}

impl<'de> DeserializeSeed<'de> for FieldElements<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldElements<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with {}", self.field)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.field && !found {
                map.next_value_seed(Elements(&mut *self.stream))?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Streams the array `field` of the object read from `de`, then checks nothing but
/// whitespace follows. `what` names the array in error positions.
pub(crate) fn stream_field<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    file: &str,
    field: &'static str,
    on: OnElement<'_>,
) -> Result<bool, ImportError> {
    let mut stream = Stream::new(on);
    let found = FieldElements {
        field,
        stream: &mut stream,
    }
    .deserialize(&mut *de)
    .map_err(|e| stream.error(file, field, e))?;
    de.end().map_err(|e| stream.error(file, field, e))?;
    Ok(found)
}

/// Streams a top-level JSON array read from `de`, then checks nothing but whitespace follows.
pub(crate) fn stream_array<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    file: &str,
    on: OnElement<'_>,
) -> Result<(), ImportError> {
    let mut stream = Stream::new(on);
    Elements(&mut stream)
        .deserialize(&mut *de)
        .map_err(|e| stream.error(file, "", e))?;
    de.end().map_err(|e| stream.error(file, "", e))?;
    Ok(())
}

// --- Small helpers over JSON values ---------------------------------------------------------

/// A string at a JSON pointer, if it is one.
pub(crate) fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// A count that exports write as a number or a string of digits; 0 when it is neither.
pub(crate) fn count_at(v: &Value, pointer: &str) -> i64 {
    match v.pointer(pointer) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()).ok(), Some(f));
        }
        assert_eq!(Format::parse("X_Archive").ok(), Some(Format::XArchive));
        assert!(matches!(
            Format::parse("myspace"),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn mojibake_is_repaired_only_when_it_is_mojibake() {
        // "café ✓" as Facebook writes it: each UTF-8 byte as a Latin-1 character.
        let broken: String = "café ✓".bytes().map(char::from).collect();
        assert_eq!(repair_mojibake(&broken), "café ✓");
        assert_eq!(repair_mojibake("plain"), "plain");
        // Real Latin-1 text that is not valid UTF-8 once taken as bytes stays as it is.
        assert_eq!(repair_mojibake("déjà"), "déjà");
        assert_eq!(repair_mojibake("✓ ok"), "✓ ok");
    }

    #[test]
    fn formats_are_detected_from_first_bytes() {
        let p = Path::new("x");
        assert_eq!(
            Format::detect(p, b"window.YTD.tweets.part0 = ["),
            Some(Format::XArchive)
        );
        assert_eq!(
            Format::detect(
                p,
                br#"{"@context":"x","type":"OrderedCollection","orderedItems":[]}"#
            ),
            Some(Format::MastodonOutbox)
        );
        assert_eq!(
            Format::detect(p, br#"[{"timestamp": 1, "data": []}]"#),
            Some(Format::FacebookPage)
        );
        assert_eq!(
            Format::detect(p, br#"{"comments_v2": []}"#),
            Some(Format::FacebookPage)
        );
        assert_eq!(Format::detect(p, b"hello"), None);
    }
}
