//! An X (Twitter) archive: the zip X sends on request ("Download an archive of your data"), or
//! its `data/tweets.js` on its own.
//!
//! Read: `data/account.js` (`accountId`, `username`, `accountDisplayName`: the author of every
//! item) and the tweets files, `data/tweets.js` (`data/tweet.js` in older archives) then
//! `data/tweets-part1.js`, `-part2`... in that order, each a JavaScript assignment
//! `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]` whose array is streamed element by
//! element straight out of the zip (nothing is extracted to disk). A top folder around `data/`
//! is allowed. With a bare `tweets.js`, an `account.js` beside it is read when there is one;
//! without one the author is unknown (empty).
//!
//! From each tweet: `id_str`, `full_text` (kept as X gives it, entities such as `&amp;`
//! included, as the API gives them), `created_at` (`Wed Oct 10 20:19:24 +0000 2018`),
//! `in_reply_to_status_id_str`, `in_reply_to_user_id_str`/`in_reply_to_screen_name`,
//! `favorite_count`/`retweet_count`, and the photos and videos of
//! `extended_entities.media` (else `entities.media`): `media_url_https`, `ext_alt_text`, `type`.
//!
//! Skipped: retweets (a `retweeted_status`, or text starting `RT @`), and the other files of
//! the archive (deleted tweets, direct messages, likes...). A reply to one of the account's own
//! tweets is a `Comment` whose root is its parent (the archive is newest first and does not
//! name the top of the thread); a reply to anyone else is a `Post` with that parent.

use super::{ImportError, Sink, count_at, file_name, in_entry, str_at, stream_array};
use plaza_core::Timestamp;
use plaza_core::capture::{Author, Counts, Item, ItemKind, Media};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

/// The longest `window.YTD.x.partN =` prefix looked through before the JSON.
const MAX_PREFIX: usize = 256;

/// `account.js` is a few hundred bytes; more than this is not one.
const MAX_ACCOUNT_BYTES: u64 = 1 << 20;

/// The part number of a tweets file of an archive (`data/tweets.js` is part 0,
/// `data/tweets-part1.js` part 1), `None` for any other entry.
pub fn tweets_part(name: &str) -> Option<u32> {
    let base = match name.rsplit_once('/') {
        Some((dir, base)) if dir == "data" || dir.ends_with("/data") => base,
        _ => return None,
    };
    let stem = base.strip_suffix(".js")?;
    let rest = stem
        .strip_prefix("tweets")
        .or_else(|| stem.strip_prefix("tweet"))?;
    if rest.is_empty() {
        return Some(0);
    }
    rest.strip_prefix("-part")?.parse().ok()
}

/// Parses a `tweets.js` held in memory (the author is unknown: empty).
pub fn parse_x_tweets_js(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    let account = Author {
        id: String::new(),
        handle: String::new(),
        name: String::new(),
    };
    super::collect(|sink| read_js(super::BYTES, bytes, &account, sink))
}

/// Parses a whole archive zip held in memory.
pub fn parse_x_archive(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    super::collect(|sink| read_zip(super::BYTES, std::io::Cursor::new(bytes), sink))
}

pub(crate) fn read_path(path: &Path, sink: Sink<'_>) -> Result<(), ImportError> {
    let (file, f, zip) = super::open_export(path)?;
    if zip {
        return read_zip(&file, f, sink);
    }
    let account = match path.parent().map(|d| d.join("account.js")) {
        Some(p) if p.is_file() => {
            let bytes = std::fs::read(&p).map_err(|e| ImportError::io(&file_name(&p), e))?;
            parse_account(&file_name(&p), &bytes)?
        }
        _ => Author {
            id: String::new(),
            handle: String::new(),
            name: String::new(),
        },
    };
    stream_js(&file, f, &account, sink)
}

fn read_zip<R: Read + Seek>(file: &str, reader: R, sink: Sink<'_>) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| ImportError::malformed(file, "zip directory", e))?;
    let names = super::zip_names(&zip);
    let mut parts: Vec<(u32, String)> = names
        .iter()
        .filter_map(|n| tweets_part(n).map(|p| (p, n.clone())))
        .collect();
    parts.sort();
    if parts.is_empty() {
        return Err(ImportError::Unsupported {
            file: file.to_string(),
            reason: "no data/tweets.js: not an X archive".into(),
        });
    }
    let account = match names
        .iter()
        .find(|n| n.as_str() == "data/account.js" || n.ends_with("/data/account.js"))
    {
        Some(name) => {
            let entry = zip
                .by_name(name)
                .map_err(|e| ImportError::malformed(file, format!("entry {name}"), e))?;
            let mut bytes = Vec::new();
            entry
                .take(MAX_ACCOUNT_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| ImportError::malformed(file, format!("entry {name}"), e))?;
            parse_account(file, &bytes).map_err(|e| in_entry(name, e))?
        }
        None => Author {
            id: String::new(),
            handle: String::new(),
            name: String::new(),
        },
    };
    for (_, name) in &parts {
        let entry = zip
            .by_name(name)
            .map_err(|e| ImportError::malformed(file, format!("entry {name}"), e))?;
        stream_js(file, BufReader::new(entry), &account, &mut *sink)
            .map_err(|e| in_entry(name, e))?;
    }
    Ok(())
}

/// Skips the `window.YTD.tweets.part0 =` before the JSON. Returns how many bytes it took.
fn skip_prefix<R: BufRead>(file: &str, r: &mut R) -> Result<usize, ImportError> {
    let mut taken = 0usize;
    loop {
        let mut byte = [0u8; 1];
        let n = r.read(&mut byte).map_err(|e| ImportError::io(file, e))?;
        if n == 0 || taken >= MAX_PREFIX {
            return Err(ImportError::malformed(
                file,
                format!("byte {taken}"),
                "no `window.YTD.... =` before the data",
            ));
        }
        taken += 1;
        if byte[0] == b'=' {
            return Ok(taken);
        }
    }
}

fn stream_js<R: BufRead>(
    file: &str,
    mut r: R,
    account: &Author,
    sink: Sink<'_>,
) -> Result<(), ImportError> {
    skip_prefix(file, &mut r)?;
    let mut de = serde_json::Deserializer::from_reader(r);
    stream_array(&mut de, file, &mut |i, v| {
        tweet(file, i, &v, account, &mut *sink)
    })
}

fn read_js(file: &str, bytes: &[u8], account: &Author, sink: Sink<'_>) -> Result<(), ImportError> {
    let mut cursor = bytes;
    let at = skip_prefix(file, &mut cursor)?;
    let rest = bytes.get(at..).unwrap_or_default();
    let rest = rest.trim_ascii_end();
    let rest = rest.strip_suffix(b";").unwrap_or(rest);
    let mut de = serde_json::Deserializer::from_slice(rest);
    stream_array(&mut de, file, &mut |i, v| {
        tweet(file, i, &v, account, &mut *sink)
    })
}

fn parse_account(file: &str, bytes: &[u8]) -> Result<Author, ImportError> {
    let mut cursor = bytes;
    let at = skip_prefix(file, &mut cursor)?;
    let rest = bytes.get(at..).unwrap_or_default().trim_ascii_end();
    let rest = rest.strip_suffix(b";").unwrap_or(rest);
    let v: Value = serde_json::from_slice(rest).map_err(|e| {
        ImportError::malformed(file, format!("line {} column {}", e.line(), e.column()), e)
    })?;
    let a = v
        .pointer("/0/account")
        .ok_or_else(|| ImportError::malformed(file, "[0].account", "missing"))?;
    Ok(Author {
        id: str_at(a, "/accountId").unwrap_or_default().to_string(),
        handle: str_at(a, "/username").unwrap_or_default().to_string(),
        name: str_at(a, "/accountDisplayName")
            .unwrap_or_default()
            .to_string(),
    })
}

fn tweet(
    file: &str,
    index: usize,
    v: &Value,
    account: &Author,
    sink: Sink<'_>,
) -> Result<(), ImportError> {
    let t = v.get("tweet").unwrap_or(v);
    let at = |field: &str| format!("[{index}].tweet.{field}");
    if !t.is_object() {
        return Err(ImportError::malformed(file, at(""), "not an object"));
    }
    let text = str_at(t, "/full_text")
        .or_else(|| str_at(t, "/text"))
        .unwrap_or_default();
    if t.get("retweeted_status").is_some() || text.starts_with("RT @") {
        return Ok(());
    }
    let id = str_at(t, "/id_str")
        .or_else(|| str_at(t, "/id"))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ImportError::malformed(file, at("id_str"), "missing"))?;
    let created = str_at(t, "/created_at")
        .ok_or_else(|| ImportError::malformed(file, at("created_at"), "missing"))?;
    let created_at = parse_created(created).ok_or_else(|| {
        ImportError::malformed(file, at("created_at"), format!("{created:?} is not a time"))
    })?;
    let parent = str_at(t, "/in_reply_to_status_id_str")
        .or_else(|| str_at(t, "/in_reply_to_status_id"))
        .filter(|s| !s.is_empty());
    let (kind, root) = match parent {
        Some(p) if is_own(t, account) => (ItemKind::Comment, Some(p.to_string())),
        _ => (ItemKind::Post, None),
    };
    let media_list = t
        .pointer("/extended_entities/media")
        .or_else(|| t.pointer("/entities/media"))
        .and_then(Value::as_array);
    let media = media_list
        .map(|list| {
            list.iter()
                .map(|m| Media {
                    url: str_at(m, "/media_url_https")
                        .or_else(|| str_at(m, "/media_url"))
                        .unwrap_or_default()
                        .to_string(),
                    alt: str_at(m, "/ext_alt_text").unwrap_or_default().to_string(),
                    mime: str_at(m, "/type").unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let handle = if account.handle.is_empty() {
        "i/web"
    } else {
        &account.handle
    };
    sink(Item {
        kind,
        platform_id: id.to_string(),
        parent: parent.map(str::to_string),
        root,
        author: account.clone(),
        text: text.to_string(),
        url: format!("https://x.com/{handle}/status/{id}"),
        created_at,
        edited_at: None,
        media,
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: count_at(t, "/favorite_count"),
            reposts: count_at(t, "/retweet_count"),
            replies: 0,
        },
    })
}

/// Whether a reply answers the account itself (by user id, else by screen name).
fn is_own(t: &Value, account: &Author) -> bool {
    match str_at(t, "/in_reply_to_user_id_str").or_else(|| str_at(t, "/in_reply_to_user_id")) {
        Some(uid) if !account.id.is_empty() => uid == account.id,
        _ => match str_at(t, "/in_reply_to_screen_name") {
            Some(name) => !account.handle.is_empty() && name.eq_ignore_ascii_case(&account.handle),
            None => false,
        },
    }
}

/// X's time format, `Wed Oct 10 20:19:24 +0000 2018`.
fn parse_created(s: &str) -> Option<Timestamp> {
    jiff::Timestamp::strptime("%a %b %d %H:%M:%S %z %Y", s.trim())
        .ok()
        .map(|t| Timestamp(t.as_millisecond()))
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::io::Write;

    pub(crate) const ACCOUNT_JS: &str = r#"window.YTD.account.part0 = [
  {"account": {"email": "pio@city.example", "createdVia": "web", "username": "CityOfSpringfield",
   "accountId": "4242", "createdAt": "2012-01-01T00:00:00.000Z",
   "accountDisplayName": "City of Springfield"}}
]"#;

    pub(crate) const TWEETS_JS: &str = r#"window.YTD.tweets.part0 = [
  {"tweet": {"id_str": "1003", "full_text": "@CityOfSpringfield Update: cleared &amp; open.",
    "created_at": "Wed Oct 10 21:00:00 +0000 2018", "in_reply_to_status_id_str": "1001",
    "in_reply_to_user_id_str": "4242", "in_reply_to_screen_name": "CityOfSpringfield",
    "favorite_count": "3", "retweet_count": "0",
    "entities": {"hashtags": [], "urls": []}}},
  {"tweet": {"id_str": "1002", "full_text": "RT @mayor: Budget hearing tonight",
    "created_at": "Wed Oct 10 20:30:00 +0000 2018", "retweeted": false,
    "entities": {}}},
  {"tweet": {"id_str": "1001", "full_text": "Water main break on Elm St. https://t.co/abc",
    "created_at": "Wed Oct 10 20:19:24 +0000 2018", "favorite_count": "12",
    "retweet_count": "5", "entities": {},
    "extended_entities": {"media": [{"media_url_https": "https://pbs.twimg.com/media/a.jpg",
      "type": "photo", "ext_alt_text": "Crew at the break"}]}}},
  {"tweet": {"id_str": "1000", "full_text": "@resident We're on it.",
    "created_at": "Tue Oct 09 08:00:00 +0000 2018", "in_reply_to_status_id_str": "999",
    "in_reply_to_user_id_str": "77", "in_reply_to_screen_name": "resident",
    "entities": {}}}
]"#;

    pub(crate) const TWEETS_PART1_JS: &str = r#"window.YTD.tweets.part1 = [
  {"tweet": {"id_str": "900", "full_text": "Hello from 2017",
    "created_at": "Mon Jan 02 10:00:00 +0000 2017", "entities": {}}}
]"#;

    /// A zip with the given entries, deflated.
    pub(crate) fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn tweets_become_items() {
        let zip = zip_of(&[
            ("data/tweets-part1.js", TWEETS_PART1_JS),
            ("data/account.js", ACCOUNT_JS),
            ("data/tweets.js", TWEETS_JS),
            ("data/like.js", "window.YTD.like.part0 = []"),
        ]);
        let items = parse_x_archive(&zip).unwrap();
        let ids: Vec<&str> = items.iter().map(|i| i.platform_id.as_str()).collect();
        assert_eq!(
            ids,
            ["1003", "1001", "1000", "900"],
            "retweet skipped, parts in order"
        );

        let reply = &items[0];
        assert_eq!(reply.kind, ItemKind::Comment);
        assert_eq!(reply.parent.as_deref(), Some("1001"));
        assert_eq!(reply.root.as_deref(), Some("1001"));
        assert_eq!(reply.text, "@CityOfSpringfield Update: cleared &amp; open.");
        assert_eq!(reply.counts.likes, 3);

        let post = &items[1];
        assert_eq!(post.kind, ItemKind::Post);
        assert_eq!(post.author.id, "4242");
        assert_eq!(post.author.handle, "CityOfSpringfield");
        assert_eq!(post.author.name, "City of Springfield");
        assert_eq!(post.url, "https://x.com/CityOfSpringfield/status/1001");
        assert_eq!(post.created_at.rfc3339(), "2018-10-10T20:19:24.000Z");
        assert_eq!(post.media.len(), 1);
        assert_eq!(post.media[0].alt, "Crew at the break");
        assert_eq!(post.media[0].url, "https://pbs.twimg.com/media/a.jpg");
        assert_eq!(post.counts.reposts, 5);

        let elsewhere = &items[2];
        assert_eq!(elsewhere.kind, ItemKind::Post);
        assert_eq!(elsewhere.parent.as_deref(), Some("999"));
        assert_eq!(elsewhere.root, None);
    }

    #[test]
    fn a_bare_tweets_js_and_a_zip_on_disk() {
        let dir = std::env::temp_dir().join(format!("plaza-x-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let js = dir.join("tweets.js");
        std::fs::write(&js, TWEETS_JS).unwrap();
        std::fs::write(dir.join("account.js"), ACCOUNT_JS).unwrap();
        let f = super::super::Format::XArchive;
        assert_eq!(super::super::scan(f, &js).unwrap(), 3);
        let mut got = vec![];
        super::super::read(f, &js, 0, &mut |_, i| {
            got.push(i);
            Ok(())
        })
        .unwrap();
        assert_eq!(got[0].author.handle, "CityOfSpringfield");
        assert_eq!(got[0].kind, ItemKind::Comment);

        let zpath = dir.join("twitter-archive.zip");
        std::fs::write(
            &zpath,
            zip_of(&[
                ("archive/data/tweets.js", TWEETS_JS),
                ("archive/data/account.js", ACCOUNT_JS),
            ]),
        )
        .unwrap();
        let head = std::fs::read(&zpath).unwrap();
        assert_eq!(
            super::super::Format::detect(&zpath, &head[..16]),
            Some(super::super::Format::XArchive)
        );
        let mut seen = vec![];
        let n = super::super::read(f, &zpath, 1, &mut |i, item| {
            seen.push((i, item.platform_id));
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(seen, [(1, "1001".to_string()), (2, "1000".to_string())]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_the_entry_and_position() {
        let broken = TWEETS_JS.replace("Wed Oct 10 20:19:24 +0000 2018", "soon");
        let zip = zip_of(&[("data/tweets.js", &broken)]);
        match parse_x_archive(&zip) {
            Err(ImportError::Malformed { position, .. }) => {
                assert_eq!(position, "entry data/tweets.js, [2].tweet.created_at")
            }
            other => panic!("{other:?}"),
        }
        let truncated = &TWEETS_JS[..TWEETS_JS.len() - 40];
        let zip = zip_of(&[("data/tweets.js", truncated)]);
        match parse_x_archive(&zip) {
            Err(ImportError::Malformed { position, .. }) => {
                assert!(
                    position.starts_with("entry data/tweets.js, [3]"),
                    "{position}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_x_archive(&zip_of(&[("data/like.js", "[]")])),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(parse_x_archive(b"PK\x03\x04 not really").is_err());
        assert!(parse_x_tweets_js(b"[]").is_err());
        assert_eq!(
            parse_x_tweets_js(b"window.YTD.tweets.part0 = [];\n").unwrap(),
            vec![]
        );
    }

    #[test]
    fn tweets_parts_are_recognised() {
        assert_eq!(tweets_part("data/tweets.js"), Some(0));
        assert_eq!(tweets_part("data/tweet.js"), Some(0));
        assert_eq!(tweets_part("x/data/tweets-part2.js"), Some(2));
        assert_eq!(tweets_part("data/tweetdeck.js"), None);
        assert_eq!(tweets_part("tweets.js"), None);
        assert_eq!(tweets_part("data/tweets-media/a.js"), None);
    }
}
