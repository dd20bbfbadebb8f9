//! Every parser of untrusted bytes in plaza-connect (the platform payload parsers and the
//! export importers) is fed a few thousand deterministic pseudo-random inputs: every
//! truncation of a valid sample, byte flips and insertions in it, and random bytes. None may
//! panic. This is the stable, always-run counterpart of the cargo-fuzz targets in `fuzz/`
//! (which need a nightly toolchain); each target there has its entry here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_connect::{bluesky, facebook, graph, import, instagram, mastodon, x, youtube};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A parser under test: its name, a call that says whether the input parsed, and a valid
/// sample to mutate.
struct Target {
    name: &'static str,
    parse: fn(&[u8]) -> bool,
    sample: Vec<u8>,
}

fn t(name: &'static str, parse: fn(&[u8]) -> bool, sample: impl Into<Vec<u8>>) -> Target {
    Target {
        name,
        parse,
        sample: sample.into(),
    }
}

/// xorshift64: small, deterministic, good enough to spread mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that matter to the formats: JSON punctuation, CBOR heads, varint continuation.
const INTERESTING: &[u8] =
    b"{}[]\":,0-9eE.\\u \x00\x01\x18\x19\x1a\x1b\x1f\x42\x58\x7f\x80\x9f\xa2\xbf\xd8\xf6\xff";

fn mutants(sample: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Every truncation of a short sample; a spread of them for a long one.
    let step = (sample.len() / 1500).max(1);
    for len in (0..sample.len()).step_by(step) {
        out.push(sample[..len].to_vec());
    }
    // Flips: one to four bytes changed, often to a byte the format gives meaning to.
    for _ in 0..2500 {
        let mut m = sample.to_vec();
        for _ in 0..=rng.below(4) {
            if m.is_empty() {
                break;
            }
            let i = rng.below(m.len());
            m[i] = if rng.below(2) == 0 {
                INTERESTING[rng.below(INTERESTING.len())]
            } else {
                rng.next() as u8
            };
        }
        out.push(m);
    }
    // Insertions and deletions of short runs.
    for _ in 0..300 {
        let mut m = sample.to_vec();
        let at = rng.below(m.len() + 1);
        if rng.below(2) == 0 {
            let run: Vec<u8> = (0..1 + rng.below(8))
                .map(|_| INTERESTING[rng.below(INTERESTING.len())])
                .collect();
            m.splice(at..at, run);
        } else {
            let end = (at + 1 + rng.below(16)).min(m.len());
            m.drain(at..end);
        }
        out.push(m);
    }
    // Random bytes.
    for _ in 0..300 {
        let len = rng.below(200);
        out.push((0..len).map(|_| rng.next() as u8).collect());
    }
    out
}

#[test]
fn no_parser_panics_on_any_input() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut total = 0usize;
    for target in targets() {
        assert!(
            (target.parse)(&target.sample),
            "{}: the sample itself must parse",
            target.name
        );
        for input in mutants(&target.sample, &mut rng) {
            total += 1;
            let parse = target.parse;
            if catch_unwind(AssertUnwindSafe(|| parse(&input))).is_err() {
                panic!(
                    "{} panicked on {} bytes: {:?}",
                    target.name,
                    input.len(),
                    String::from_utf8_lossy(&input)
                );
            }
        }
    }
    assert!(total > 40_000, "{total} inputs");
}

// --- Samples ---------------------------------------------------------------------------------

const TIME: &str = "2024-05-01T12:00:00Z";

fn bsky_post(uri: &str, reply: bool) -> String {
    let reply = if reply {
        r#","reply":{"root":{"uri":"at://did:plc:city/app.bsky.feed.post/1","cid":"c"},"parent":{"uri":"at://did:plc:city/app.bsky.feed.post/1","cid":"c"}}"#
    } else {
        ""
    };
    format!(
        r#"{{"uri":"{uri}","cid":"bafy","author":{{"did":"did:plc:city","handle":"city.test","displayName":"City"}},"record":{{"text":"Hello","createdAt":"{TIME}"{reply}}},"embed":{{"images":[{{"fullsize":"https://cdn/x.jpg","alt":"alt"}}]}},"replyCount":1,"repostCount":0,"likeCount":3}}"#
    )
}

fn mastodon_status(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","created_at":"{TIME}","in_reply_to_id":null,"url":"https://m/@c/{id}","uri":"https://m/users/c/statuses/{id}","content":"<p>Hi &amp; bye</p>","spoiler_text":"","account":{{"id":"9","username":"c","acct":"c","display_name":"City"}},"media_attachments":[{{"url":"https://m/a.png","description":"alt","type":"image"}}],"edited_at":null,"replies_count":1,"reblogs_count":0,"favourites_count":2,"reblog":null}}"#
    )
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const TWEETS_JS: &str = r#"window.YTD.tweets.part0 = [
 {"tweet":{"id_str":"2","full_text":"@c thanks","created_at":"Wed Oct 10 20:19:24 +0000 2018","in_reply_to_status_id_str":"1","in_reply_to_user_id_str":"9","favorite_count":"1","retweet_count":"0","entities":{}}},
 {"tweet":{"id_str":"1","full_text":"Hello","created_at":"Wed Oct 10 20:00:00 +0000 2018","extended_entities":{"media":[{"media_url_https":"https://p/a.jpg","type":"photo","ext_alt_text":"alt"}]}}}
]"#;

const ACCOUNT_JS: &str = r#"window.YTD.account.part0 = [{"account":{"accountId":"9","username":"c","accountDisplayName":"City"}}]"#;

const OUTBOX: &str = r#"{"type":"OrderedCollection","orderedItems":[
 {"type":"Create","actor":"https://m/users/c","object":{"id":"https://m/users/c/statuses/1","type":"Note","published":"2024-05-01T12:00:00Z","content":"<p>Hi</p>","attributedTo":"https://m/users/c","attachment":[{"url":"https://m/a.png","name":"alt","mediaType":"image/png"}]}},
 {"type":"Announce","actor":"https://m/users/c","object":"https://o/users/b/statuses/5"},
 {"type":"Create","actor":"https://m/users/c","object":{"id":"https://m/users/c/statuses/2","type":"Note","published":"2024-05-01T13:00:00Z","inReplyTo":"https://m/users/c/statuses/1","content":"<p>More</p>","attributedTo":"https://m/users/c"}}
]}"#;

const FB_POSTS: &str = r#"[{"timestamp":1700000000,"data":[{"post":"F\u00c3\u00aate"},{"update_timestamp":1700000100}],"attachments":[{"data":[{"media":{"uri":"posts/media/1.jpg","description":"alt"}}]}],"title":"t"},{"timestamp":1690000000,"data":[{"post":"Second"}]}]"#;

const FB_COMMENTS: &str = r#"{"comments_v2":[{"timestamp":1700000900,"data":[{"comment":{"timestamp":1700000900,"comment":"Reply","author":"City"}}],"title":"t"}]}"#;

// A tiny DAG-CBOR writer, enough for a repository CAR.
fn head(out: &mut Vec<u8>, major: u8, n: usize) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n < 256 {
        out.extend([m | 24, n as u8]);
    } else {
        out.push(m | 25);
        out.extend((n as u16).to_be_bytes());
    }
}
fn text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len());
    out.extend(s.as_bytes());
}
fn link(out: &mut Vec<u8>, cid: &[u8]) {
    out.extend([0xd8, 42]);
    head(out, 2, cid.len() + 1);
    out.push(0);
    out.extend(cid);
}
fn cid(block: &[u8]) -> Vec<u8> {
    let mut c = vec![1, 0x71, 0x12, 0x20];
    c.extend(Sha256::digest(block));
    c
}
fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn sample_car() -> Vec<u8> {
    let did = "did:plc:city";
    let post = |body: &str, reply: bool| {
        let mut r = vec![];
        head(&mut r, 5, if reply { 4 } else { 3 });
        text(&mut r, "text");
        text(&mut r, body);
        text(&mut r, "$type");
        text(&mut r, "app.bsky.feed.post");
        if reply {
            text(&mut r, "reply");
            head(&mut r, 5, 2);
            for k in ["root", "parent"] {
                text(&mut r, k);
                head(&mut r, 5, 1);
                text(&mut r, "uri");
                text(&mut r, "at://did:plc:city/app.bsky.feed.post/3a");
            }
        }
        text(&mut r, "createdAt");
        text(&mut r, TIME);
        r
    };
    let (p1, p2) = (post("First", false), post("Reply", true));
    let mut node = vec![];
    head(&mut node, 5, 2);
    text(&mut node, "e");
    head(&mut node, 4, 2);
    for (p, k, v) in [(0, "app.bsky.feed.post/3a", &p1), (20, "b", &p2)] {
        head(&mut node, 5, 4);
        text(&mut node, "k");
        head(&mut node, 2, k.len());
        node.extend(k.as_bytes());
        text(&mut node, "p");
        head(&mut node, 0, p);
        text(&mut node, "t");
        node.push(0xf6);
        text(&mut node, "v");
        link(&mut node, &cid(v));
    }
    text(&mut node, "l");
    node.push(0xf6);
    let mut commit = vec![];
    head(&mut commit, 5, 3);
    text(&mut commit, "did");
    text(&mut commit, did);
    text(&mut commit, "data");
    link(&mut commit, &cid(&node));
    text(&mut commit, "version");
    head(&mut commit, 0, 3);
    let mut header = vec![];
    head(&mut header, 5, 2);
    text(&mut header, "roots");
    head(&mut header, 4, 1);
    link(&mut header, &cid(&commit));
    text(&mut header, "version");
    head(&mut header, 0, 1);
    let mut car = vec![];
    varint(&mut car, header.len());
    car.extend(header);
    for block in [&commit, &node, &p1, &p2] {
        let c = cid(block);
        varint(&mut car, c.len() + block.len());
        car.extend(c);
        car.extend(block.iter());
    }
    car
}

fn targets() -> Vec<Target> {
    let feed = format!(
        r#"{{"feed":[{{"post":{}}}],"cursor":"c1"}}"#,
        bsky_post("at://did:plc:city/app.bsky.feed.post/1", false)
    );
    let thread = format!(
        r#"{{"thread":{{"$type":"app.bsky.feed.defs#threadViewPost","post":{},"replies":[{{"$type":"app.bsky.feed.defs#threadViewPost","post":{},"replies":[]}}]}}}}"#,
        bsky_post("at://did:plc:city/app.bsky.feed.post/1", false),
        bsky_post("at://did:plc:city/app.bsky.feed.post/2", true)
    );
    let statuses = format!("[{},{}]", mastodon_status("1"), mastodon_status("2"));
    let context = format!(
        r#"{{"ancestors":[],"descendants":[{}]}}"#,
        mastodon_status("3")
    );
    let tweet = format!(
        r#"{{"id":"1","text":"Hi","created_at":"{TIME}","author_id":"9","conversation_id":"1","public_metrics":{{"retweet_count":1,"reply_count":2,"like_count":3,"quote_count":0}},"referenced_tweets":[{{"type":"replied_to","id":"0"}}]}}"#
    );
    let users = r#"{"users":[{"id":"9","username":"c","name":"City"}]}"#;
    let timeline =
        format!(r#"{{"data":[{tweet}],"includes":{users},"meta":{{"next_token":"n"}}}}"#);
    let one_tweet = format!(r#"{{"data":{tweet},"includes":{users}}}"#);
    let fb_post = r#"{"id":"1_2","message":"Hi","created_time":"2024-05-01T12:00:00+0000","permalink_url":"https://fb/1_2","from":{"id":"1","name":"City"},"shares":{"count":1},"comments":{"summary":{"total_count":2}},"reactions":{"summary":{"total_count":3}}}"#;
    let fb_comment = r#"{"id":"c1","message":"Yes","created_time":"2024-05-01T13:00:00+0000","from":{"id":"u","name":"Ann"},"parent":{"id":"c0"},"is_hidden":false,"like_count":1,"comment_count":0,"attachment":{"media":{"image":{"src":"https://fb/i.jpg"}},"description":"alt","type":"photo"}}"#;
    let paging = r#""paging":{"cursors":{"after":"A"},"next":"https://graph/next"}"#;
    let ig_media = r#"{"id":"m1","caption":"Hi","timestamp":"2024-05-01T12:00:00+0000","permalink":"https://ig/p/1","like_count":1,"comments_count":1,"username":"city","media_type":"IMAGE","media_url":"https://ig/1.jpg"}"#;
    let ig_comment = r#"{"id":"c1","text":"Nice","timestamp":"2024-05-01T13:00:00+0000","username":"ann","from":{"id":"u","username":"ann"},"hidden":false,"like_count":0,"replies":{"data":[{"id":"c2","text":"Thanks","timestamp":"2024-05-01T14:00:00+0000","username":"city","parent_id":"c1"}]}}"#;
    let yt_comment = r#"{"id":"yc1","snippet":{"authorDisplayName":"Ann","authorChannelUrl":"https://yt/ann","authorChannelId":{"value":"UCann"},"textDisplay":"Great","likeCount":1,"publishedAt":"2024-05-01T12:00:00Z","updatedAt":"2024-05-01T12:00:00Z"}}"#;
    let channel = r#"{"items":[{"id":"UCcity","snippet":{"title":"City","description":"d","customUrl":"@city"},"statistics":{"subscriberCount":"10","videoCount":"2"},"contentDetails":{"relatedPlaylists":{"uploads":"UUcity"}}}]}"#;
    let uploads = r#"{"items":[{"snippet":{"title":"Video","description":"About","publishedAt":"2024-05-01T12:00:00Z","channelId":"UCcity","channelTitle":"City","resourceId":{"videoId":"v1"}},"contentDetails":{"videoId":"v1","videoPublishedAt":"2024-05-01T12:00:00Z"}}],"nextPageToken":"n"}"#;

    vec![
        t(
            "bluesky::parse_author_feed",
            |b| bluesky::parse_author_feed(b, "did:plc:city").is_ok(),
            feed,
        ),
        t(
            "bluesky::parse_thread",
            |b| {
                bluesky::parse_thread(b, &["at://did:plc:city/app.bsky.feed.post/2".into()]).is_ok()
            },
            thread,
        ),
        t(
            "mastodon::parse_statuses",
            |b| mastodon::parse_statuses(b).is_ok(),
            statuses,
        ),
        t(
            "mastodon::parse_context",
            |b| mastodon::parse_context(b, "1").is_ok(),
            context,
        ),
        t(
            "x::parse_timeline",
            |b| x::parse_timeline(b).is_ok(),
            timeline.clone(),
        ),
        t(
            "x::parse_conversation",
            |b| x::parse_conversation(b, "0").is_ok(),
            timeline,
        ),
        t("x::parse_tweet", |b| x::parse_tweet(b).is_ok(), one_tweet),
        t(
            "x::parse_user",
            |b| x::parse_user(b).is_ok(),
            r#"{"data":{"id":"9","username":"c","name":"City","description":"d","public_metrics":{"followers_count":5,"tweet_count":7}}}"#,
        ),
        t(
            "x::parse_followers",
            |b| x::parse_followers(b).is_ok(),
            r#"{"data":[{"id":"8","username":"a","name":"A"}],"meta":{"next_token":"n"}}"#,
        ),
        t(
            "x::parse_confirmation",
            |b| x::parse_confirmation(b, "hide", "hidden").is_ok(),
            r#"{"data":{"hidden":true}}"#,
        ),
        t(
            "facebook::parse_post",
            |b| facebook::parse_post(b).is_ok(),
            fb_post,
        ),
        t(
            "facebook::parse_posts",
            |b| facebook::parse_posts(b).is_ok(),
            format!(r#"{{"data":[{fb_post}],{paging}}}"#),
        ),
        t(
            "facebook::parse_comments",
            |b| facebook::parse_comments(b, "1_2").is_ok(),
            format!(r#"{{"data":[{fb_comment}],{paging}}}"#),
        ),
        t(
            "facebook::parse_profile",
            |b| facebook::parse_profile(b).is_ok(),
            r#"{"id":"1","name":"City","username":"city","about":"a","followers_count":10,"fan_count":9}"#,
        ),
        t(
            "facebook::parse_blocked",
            |b| facebook::parse_blocked(b).is_ok(),
            r#"{"data":[{"id":"u","name":"Ann"}]}"#,
        ),
        t(
            "facebook::parse_block",
            |b| facebook::parse_block(b, "u").is_ok(),
            r#"{"u":true}"#,
        ),
        t(
            "facebook::parse_roles",
            |b| facebook::parse_roles(b).is_ok(),
            r#"{"data":[{"id":"u","name":"Ann","tasks":["MANAGE","MODERATE"]}]}"#,
        ),
        t(
            "facebook::parse_webhook",
            |b| facebook::parse_webhook(b).is_ok(),
            r#"{"object":"page","entry":[{"id":"1","time":1714564800,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"c1","post_id":"1_2","parent_id":"1_2","created_time":1714564800,"from":{"id":"u","name":"Ann"},"message":"Hi"}}]}]}"#,
        ),
        t(
            "instagram::parse_media",
            |b| instagram::parse_media(b, "17").is_ok(),
            format!(r#"{{"data":[{ig_media}],{paging}}}"#),
        ),
        t(
            "instagram::parse_comments",
            |b| instagram::parse_comments(b, "m1").is_ok(),
            format!(r#"{{"data":[{ig_comment}],{paging}}}"#),
        ),
        t(
            "instagram::parse_replies",
            |b| instagram::parse_replies(b, "m1", "c1").is_ok(),
            format!(r#"{{"data":[{ig_comment}],{paging}}}"#),
        ),
        t(
            "instagram::parse_profile",
            |b| instagram::parse_profile(b).is_ok(),
            r#"{"id":"17","username":"city","name":"City","biography":"b","followers_count":3,"media_count":4}"#,
        ),
        t(
            "youtube::parse_uploads_playlist",
            |b| youtube::parse_uploads_playlist(b).is_ok(),
            channel,
        ),
        t(
            "youtube::parse_channel",
            |b| youtube::parse_channel(b).is_ok(),
            channel,
        ),
        t(
            "youtube::parse_uploads",
            |b| youtube::parse_uploads(b).is_ok(),
            uploads,
        ),
        t(
            "youtube::parse_threads",
            |b| youtube::parse_threads(b, "v1", false).is_ok(),
            format!(
                r#"{{"items":[{{"id":"t1","snippet":{{"topLevelComment":{yt_comment},"totalReplyCount":2}},"replies":{{"comments":[{yt_comment}]}}}}],"nextPageToken":"n"}}"#
            ),
        ),
        t(
            "youtube::parse_replies",
            |b| youtube::parse_replies(b, "v1").is_ok(),
            format!(r#"{{"items":[{yt_comment}]}}"#),
        ),
        t(
            "youtube::parse_subscribers",
            |b| youtube::parse_subscribers(b).is_ok(),
            r#"{"items":[{"subscriberSnippet":{"channelId":"UCann","title":"Ann"}}],"nextPageToken":"n"}"#,
        ),
        t(
            "graph::parse_success",
            |b| graph::parse_success("Facebook", "hide", b).is_ok(),
            r#"{"success":true}"#,
        ),
        t(
            "import::parse_car",
            |b| import::parse_car(b).is_ok(),
            sample_car(),
        ),
        t(
            "import::parse_x_tweets_js",
            |b| import::parse_x_tweets_js(b).is_ok(),
            TWEETS_JS,
        ),
        t(
            "import::parse_x_archive",
            |b| import::parse_x_archive(b).is_ok(),
            zip_of(&[
                ("data/account.js", ACCOUNT_JS),
                ("data/tweets.js", TWEETS_JS),
            ]),
        ),
        t(
            "import::parse_facebook_posts",
            |b| import::parse_facebook_posts(b).is_ok(),
            FB_POSTS,
        ),
        t(
            "import::parse_facebook_download",
            |b| import::parse_facebook_download(b).is_ok(),
            zip_of(&[
                ("posts/your_posts_1.json", FB_POSTS),
                ("comments/comments.json", FB_COMMENTS),
            ]),
        ),
        t(
            "import::parse_mastodon_outbox",
            |b| import::parse_mastodon_outbox(b).is_ok(),
            OUTBOX,
        ),
    ]
}

#[test]
fn the_samples_give_what_they_hold() {
    assert_eq!(import::parse_car(&sample_car()).unwrap().len(), 2);
    assert_eq!(
        import::parse_mastodon_outbox(OUTBOX.as_bytes())
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        import::parse_x_tweets_js(TWEETS_JS.as_bytes())
            .unwrap()
            .len(),
        2
    );
    let fb = import::parse_facebook_posts(FB_POSTS.as_bytes()).unwrap();
    assert_eq!(fb[0].text, "Fête");
}

/// The fuzz targets and this test cover the same parsers.
#[test]
fn every_fuzz_target_is_covered_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/fuzz_targets");
    let names: Vec<String> = targets()
        .iter()
        .map(|t| t.name.replace("::", "_"))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    files.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(files, expected);
}
