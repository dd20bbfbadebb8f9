//! Links, including obfuscated ones (`hxxp://`, `example[.]com`, `example dot com`), reduced
//! to their registrable domain with the public suffix list and judged: the city's own domains,
//! link shorteners, IP-literal hosts, look-alikes of the city's domains (punycode, or one or
//! two letters off), executable downloads, and a blocklist the city loads (C.7.x); and referral,
//! affiliate and ad-click links, which are advertising (C.7.v).

use std::collections::HashSet;

/// What Plaza concludes about a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    /// On one of the city's official domains.
    Official,
    /// A link shortener hides the destination.
    Shortener,
    /// The host is an IP address.
    IpLiteral,
    /// Imitates one of the city's domains.
    LookAlike,
    /// Points at a file that runs code.
    Executable,
    /// On the city's blocklist.
    Blocklisted,
    /// Written to slip past filters (`hxxp`, `[.]`, ` dot `).
    Obfuscated,
    /// Credential bait: a sign-in, verify or payment page on a host that dresses itself up as
    /// a public service (`city-utilities-payment.co/secure-login`) or sits on a top-level
    /// domain favoured for throwaway sites.
    Phishing,
    /// A referral, affiliate or ad-click link: whoever posts it is paid when it is followed
    /// (`?ref=4604617`, `?AffiliateID=`, `/refer/name`, an ad network's click URL). Not
    /// malicious, but advertising: it raises the spam score (C.7.v).
    Referral,
    /// On a government's domain (`.gov`, `.mil`, or a country's `gov.uk`-style name), which
    /// only governments can register: a resident pointing at FEMA's flood maps or the state's
    /// DMV is not advertising.
    Government,
    /// One post or video on a social or video platform (`youtube.com/watch?v=`, `youtu.be/ID`,
    /// `vimeo.com/123`, a Facebook post, event or video, an Instagram post, a post on X, TikTok,
    /// Threads, Bluesky, Nextdoor or Reddit), or Facebook's help pages: sharing a recording
    /// or a post, as residents do with council meetings and fans with the video they are
    /// watching. An account, a channel, a page, a group or a playlist is not one: sharing that
    /// is promoting it.
    Post,
}

/// A link found in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub start: usize,
    pub end: usize,
    /// The host, lower-cased, de-obfuscated.
    pub host: String,
    /// The registrable domain (`example.co.uk`), if the host has a public suffix.
    pub domain: Option<String>,
    pub flags: Vec<Flag>,
}

impl Link {
    /// Whether sharing the link is ordinary and advertises nothing by itself: the city's own
    /// pages, a government's, or one post or video on a platform, in a comment whose author
    /// said more than two words besides its links (`words_said`). A bare link to a post says
    /// nothing of its own: that is how the videos' spam points at other videos
    /// (`https://vimeo.com/107297364`).
    pub fn ordinary(&self, words_said: usize) -> bool {
        !self.malicious()
            && !self.flags.contains(&Flag::Referral)
            && !self.flags.contains(&Flag::Obfuscated)
            && (self.flags.contains(&Flag::Official)
                || self.flags.contains(&Flag::Government)
                || (self.flags.contains(&Flag::Post) && words_said > 2))
    }

    /// Whether `word` (lower-cased, as written) of this post link's text is the platform's
    /// rather than the poster's: the scheme, a label of the host, a route word (`watch`,
    /// `posts`, `status`...) or an ID with a digit. A page's name or a thread's title
    /// (`/comments/1abc/buy_cheap_followers`) is the poster's.
    pub fn platform_word(&self, word: &str) -> bool {
        matches!(word, "http" | "https" | "www")
            || self.host.split('.').any(|label| label == word)
            || POST_ROUTE_WORDS.contains(&word)
            || word.bytes().any(|b| b.is_ascii_digit())
    }

    /// Whether the link is likely malicious (not merely unusual).
    pub fn malicious(&self) -> bool {
        self.flags.iter().any(|f| f.malicious())
    }
}

impl Flag {
    /// Whether the flag makes a link malicious (not merely unusual).
    pub fn malicious(self) -> bool {
        matches!(
            self,
            Flag::IpLiteral
                | Flag::LookAlike
                | Flag::Executable
                | Flag::Blocklisted
                | Flag::Phishing
        )
    }
}

/// Whether `host` is `domain` or a name under it (`www.city.gov` and `maps.city.gov` are under
/// `city.gov`; `city.gov.evil.example` and `notcity.gov` are not), ignoring ASCII case. No
/// allocation: it runs for every link and email of every comment.
pub fn host_under(host: &str, domain: &str) -> bool {
    let (h, d) = (host.as_bytes(), domain.as_bytes());
    !d.is_empty()
        && h.len() >= d.len()
        && h[h.len() - d.len()..].eq_ignore_ascii_case(d)
        && (h.len() == d.len() || h[h.len() - d.len() - 1] == b'.')
}

/// What the judgement depends on: the city's domains and its blocklist.
#[derive(Debug, Clone, Default)]
pub struct LinkPolicy {
    pub official: Vec<String>,
    pub blocklist: HashSet<String>,
}

impl LinkPolicy {
    /// Whether `host` (or a mail domain) is one of the city's domains or under one.
    pub fn is_official(&self, host: &str) -> bool {
        self.official.iter().any(|o| host_under(host, o))
    }

    /// Reads a blocklist file: one domain a line, `#` starts a comment. Entries are read as
    /// the policy's `blocked_domains` are (`www.` dropped, since a link's host is read without
    /// it).
    pub fn with_blocklist(mut self, text: &str) -> Self {
        for line in text.lines() {
            let d = plaza_core::policy::blocked_domain(line.split('#').next().unwrap_or(""));
            if !d.is_empty() {
                self.blocklist.insert(d);
            }
        }
        self
    }
}

const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "bl.ink",
    "lnkd.in",
    "s.id",
    "v.gd",
    "t.ly",
    "shorte.st",
    "adf.ly",
    "bitly.com",
];

/// Words in a path that ask for a sign-in outright.
const SIGN_IN_BAIT: &[&str] = &[
    "login",
    "log-in",
    "signin",
    "sign-in",
    "verify",
    "verification",
    "password",
    "unlock",
    "reactivat",
    "suspend",
    "recover",
    "appeal",
    "wallet",
];

/// Milder words in a path that ask for an account or a payment. With [`SIGN_IN_BAIT`] they are
/// the credential bait; on a shared host ([`SHARED_HOSTS`]) only the sign-in words count, as a
/// resident's blog post may well be called "park-update" or "account-of-the-meeting".
const ACCOUNT_BAIT: &[&str] = &[
    "secure", "account", "update", "payment", "billing", "claim", "restore", "confirm",
];

/// Whether `word` is a credential-bait word ([`SIGN_IN_BAIT`] or [`ACCOUNT_BAIT`]).
fn bait_word(word: &str) -> bool {
    SIGN_IN_BAIT.contains(&word) || ACCOUNT_BAIT.contains(&word)
}

/// Words in a host name that borrow a public service's authority.
const SERVICE_WORDS: &[&str] = &[
    "city", "cityhall", "gov", "vote", "voter", "election", "utilit", "water", "permit", "parking",
    "library", "tax", "irs", "dmv", "police", "court", "rebate", "stimulus",
];

/// Platforms, mail and payment services, and carriers whose names phishing hosts borrow
/// (`meta-business-support-center.com`, `paypal-secure-verify.com`).
const BRANDS: &[&str] = &[
    "facebook",
    "meta",
    "instagram",
    "whatsapp",
    "messenger",
    "youtube",
    "google",
    "gmail",
    "tiktok",
    "twitter",
    "linkedin",
    "nextdoor",
    "bluesky",
    "paypal",
    "venmo",
    "cashapp",
    "zelle",
    "coinbase",
    "binance",
    "apple",
    "icloud",
    "microsoft",
    "outlook",
    "amazon",
    "netflix",
    "usps",
    "fedex",
    "dhl",
];

/// Words such a host adds to the borrowed name to look like the service's help desk, besides
/// the credential-bait words ([`bait_word`], which count in a host name too).
const HELP_WORDS: &[&str] = &[
    "support",
    "help",
    "helpdesk",
    "security",
    "verified",
    "appeals",
    "center",
    "centre",
    "accounts",
    "recovery",
    "team",
    "service",
    "refund",
    "violation",
    "copyright",
    "policy",
    "community",
    "notice",
    "alert",
];

/// Whether the host dresses itself up as a platform or payment service it does not belong to:
/// its registrable name has the brand as a part (`meta-business-support-center.com`), glued to
/// a help-desk word (`facebooksupport.net`, `securepaypal.com`), or the brand's domain sits in
/// front of somebody else's (`facebook.com.account-verify.net`); with a help-desk word in the
/// name, or credential bait in the path. The brand's own names (`facebook.com`,
/// `google.co.uk`, `paypal.me`) are not look-alikes, nor are other names that start with one
/// (`metacritic.com`, `amazonaws.com`, `youtube-nocookie.com`).
fn borrows_brand(host: &str, registrable: &str, bait: bool) -> bool {
    let name = registrable.split('.').next().unwrap_or("");
    if BRANDS.contains(&name) {
        return false;
    }
    let help_word = |w: &str| HELP_WORDS.contains(&w) || bait_word(w);
    let parts: Vec<&str> = name.split('-').filter(|p| !p.is_empty()).collect();
    let helped = parts.iter().any(|p| help_word(p));
    let as_part = parts.iter().any(|p| BRANDS.contains(p));
    let glued = BRANDS.iter().filter(|b| b.len() >= 5).any(|b| {
        parts.iter().any(|p| {
            p.len() > b.len()
                && (p.strip_prefix(b).is_some_and(help_word)
                    || p.strip_suffix(b).is_some_and(help_word))
        })
    });
    // "facebook.com." in front of the registrable name
    let front = host.strip_suffix(registrable).unwrap_or("");
    let in_front = front
        .split('.')
        .zip(front.split('.').skip(1))
        .any(|(b, tld)| BRANDS.contains(&b) && matches!(tld, "com" | "net" | "org"));
    glued || ((as_part || in_front) && (helped || bait))
}

/// Top-level domains that cost almost nothing and carry most throwaway phishing sites.
const CHEAP_TLDS: &[&str] = &[
    "top", "xyz", "click", "support", "live", "icu", "buzz", "rest", "cyou", "monster", "quest",
    "sbs", "cfd", "online", "site", "info", "tk", "ml", "ga", "cf", "gq", "zip", "mov",
];

/// Hosts where anyone can publish a page or a file under the service's name (storage buckets,
/// free site builders, app hosting): phishing kits live there because the name is trusted and
/// costs nothing.
const SHARED_HOSTS: &[&str] = &[
    "storage.googleapis.com",
    "firebasestorage.googleapis.com",
    "firebaseapp.com",
    "web.app",
    "s3.amazonaws.com",
    "github.io",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "r2.dev",
    "glitch.me",
    "herokuapp.com",
    "weebly.com",
    "wixsite.com",
    "webflow.io",
    "godaddysites.com",
    "square.site",
    "000webhostapp.com",
    "blogspot.com",
    "sites.google.com",
    "ipfs.io",
];

const EXECUTABLE: &[&str] = &[
    ".exe", ".scr", ".bat", ".cmd", ".msi", ".apk", ".dmg", ".vbs", ".jar", ".ps1", ".com.exe",
    ".pif", ".hta",
];

/// Whether `host` is an IPv4 address: four numbers of 0-255, leading zeros allowed as browsers
/// allow them. A count written with dots ("2.124.821.694 views") is not one, and not a link.
fn ipv4_literal(host: &str) -> bool {
    host.split('.').count() == 4
        && host
            .split('.')
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok())
}

/// Whether a link's path ends at byte `at` of `lower`: at a space, a quote, an angle bracket or
/// a closing bracket, or at an invisible character no link contains: a no-break space, a
/// zero-width space or joiner, or the byte-order mark YouTube's comments of 2013-2015 end with
/// (`http://youtu.be/9bZkp7q19f0\u{feff}`).
fn path_ends(lower: &str, at: usize) -> bool {
    let b = lower.as_bytes()[at];
    if b < 0x80 {
        return b.is_ascii_whitespace() || matches!(b, b'"' | b'<' | b'>' | b')' | b']');
    }
    lower.is_char_boundary(at)
        && lower[at..].chars().next().is_some_and(|c| {
            c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        })
}

/// Whether `host` is a government's: under `.gov` or `.mil`, or under a country's second-level
/// name for its government (`gov.uk`, `gc.ca`, `gouv.fr`, `gob.mx`, `govt.nz`, `gov.au`...).
fn government(host: &str) -> bool {
    let mut labels = host.rsplit('.');
    let tld = labels.next().unwrap_or("");
    if tld == "gov" || tld == "mil" {
        return true;
    }
    let second = labels.next().unwrap_or("");
    // a country's own second-level name, and only where the public suffix list lists it as a
    // suffix (registries that reserve it); `gov.tv` or `gov.de` are ordinary names anyone
    // can register
    tld.len() == 2
        && (matches!(second, "gov" | "gouv" | "gob" | "govt" | "gv")
            || (tld == "ca" && second == "gc"))
        && psl::suffix(host.as_bytes())
            .is_some_and(|x| x.is_known() && x.as_bytes().len() == second.len() + 1 + tld.len())
}

/// Whether a link points at one post or video (not an account, a channel, a page, a group, a
/// playlist, a search or a redirect) on a social or video platform, or at Facebook's help
/// pages. `path` starts at the host's end (`/watch?v=...`).
fn one_post(host: &str, path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let (route, query) = p.split_once('?').unwrap_or((&p, ""));
    let route = route.split('#').next().unwrap_or("");
    // a browser resolves `..` before it asks: `/watch/../redirect?q=` is YouTube's redirect
    if route.contains("%2e") || route.split('/').any(|s| s == "." || s == "..") {
        return false;
    }
    let segments: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    let id = |s: Option<&&str>| {
        s.is_some_and(|s| {
            s.len() >= 6
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    };
    let has_key = |key: &str| {
        query
            .split(['&', ';'])
            .filter_map(|kv| kv.split_once('='))
            .any(|(k, v)| k == key && !v.is_empty())
    };
    // segment `at` is `name` and the next one is an ID: `/NAME/status/ID`, `/@name/video/ID`
    let id_at = |at: usize, name: &str| segments.get(at) == Some(&name) && id(segments.get(at + 1));
    let first = segments.first().copied().unwrap_or("");
    if host == "youtu.be" || host == "fb.watch" {
        return segments.len() == 1 && id(segments.first());
    }
    if host_under(host, "youtube.com") {
        return match first {
            "watch" => has_key("v"),
            "shorts" | "live" | "embed" => {
                segments.len() == 2 && id(segments.get(1)) && segments[1] != "videoseries"
            }
            _ => false,
        };
    }
    if host_under(host, "vimeo.com") {
        return segments.len() == 1 && segments[0].bytes().all(|b| b.is_ascii_digit());
    }
    if host_under(host, "facebook.com") {
        // `/events/ID`, `/reel/ID`, `/share/p/ID`; `/PAGE/posts/ID`; `/groups/NAME/posts/ID`
        // (`/p/NAME-ID` is a page without a user name, not a post)
        let group = usize::from(first == "groups");
        return first == "help"
            || id_at(0, "events")
            || id_at(0, "reel")
            || (first == "share" && (id_at(1, "p") || id_at(1, "v") || id_at(1, "r")))
            || ["posts", "videos", "photos", "permalink"]
                .iter()
                .any(|name| id_at(1 + group, name))
            || (first == "watch" && has_key("v"))
            || (matches!(first, "photo.php" | "photo") && has_key("fbid"))
            || (matches!(first, "permalink.php" | "story.php") && has_key("story_fbid"));
    }
    if host_under(host, "instagram.com") {
        return matches!(first, "p" | "reel" | "tv") && id(segments.get(1));
    }
    if host_under(host, "twitter.com") || host_under(host, "x.com") {
        return id_at(1, "status");
    }
    if host_under(host, "tiktok.com") {
        return id_at(1, "video");
    }
    if host_under(host, "threads.net") || host_under(host, "bsky.app") {
        // `threads.net/@name/post/ID`, `bsky.app/profile/NAME/post/ID`
        return id_at(1, "post") || (first == "profile" && id_at(2, "post"));
    }
    if host_under(host, "nextdoor.com") {
        return first == "p" && id(segments.get(1));
    }
    if host_under(host, "reddit.com") {
        return first == "r" && id_at(2, "comments");
    }
    false
}

/// The words of the routes [`one_post`] reads (`watch?v=`, `/posts/`, `/status/`...).
const POST_ROUTE_WORDS: &[&str] = &[
    "watch",
    "v",
    "shorts",
    "live",
    "embed",
    "t",
    "si",
    "feature",
    "share",
    "posts",
    "videos",
    "photos",
    "photo",
    "php",
    "permalink",
    "story",
    "fbid",
    "events",
    "reel",
    "p",
    "tv",
    "status",
    "video",
    "post",
    "profile",
    "comments",
    "r",
    "help",
    "groups",
];

/// Finds every link in `text` and judges it.
pub fn find(text: &str, policy: &LinkPolicy) -> Vec<Link> {
    // every host has a dot, written as "." or spelt "dot" (`example dot com`)
    if !text.as_bytes().contains(&b'.')
        && !text
            .as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"dot"))
    {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out: Vec<Link> = Vec::new();
    // the href of an anchor the platform generated (a timestamp, an auto-linked URL) is not
    // the commenter's link; the rest of the tag is read as usual
    let hrefs: Vec<(usize, usize)> = crate::markup::generated_anchors(text)
        .iter()
        .map(|a| a.href)
        .collect();
    let mut next_href = hrefs.iter().peekable();
    let mut i = 0;
    while i < bytes.len() {
        while next_href.next_if(|&&(_, end)| end <= i).is_some() {}
        if let Some(&&(start, end)) = next_href.peek()
            && start <= i
        {
            i = end;
            continue;
        }
        // a link starts with an ASCII letter or digit, after a non-word character
        if !bytes[i].is_ascii_alphanumeric()
            || (i > 0
                && (bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'@'
                    || bytes[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        match candidate(text, &lower, i) {
            Some(c) => {
                let end = c.end;
                out.push(judge_hops(i, &c, policy, 3));
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

/// A link as read from the text, before it is judged.
struct Candidate {
    /// Where it ends in the text.
    end: usize,
    host: String,
    obfuscated: bool,
    /// From the host's end (`/watch?v=...`), lower-cased.
    path: String,
    /// A name like a host written before an `@` in front of the real host
    /// (`https://www.arborvale.gov@scam-deals.net/`): the browser goes to the host after it.
    disguised: bool,
}

/// Tries to read a link starting at byte `i` of the lower-cased text.
fn candidate(text: &str, lower: &str, i: usize) -> Option<Candidate> {
    let rest = &lower[i..];
    let mut obfuscated = false;
    let mut j = i;
    let schemes = [
        ("https://", false),
        ("http://", false),
        ("hxxps://", true),
        ("hxxp://", true),
        ("https[:]//", true),
        ("http[:]//", true),
    ];
    let mut had_scheme = false;
    for (s, obf) in schemes {
        if rest.starts_with(s) {
            j += s.len();
            obfuscated |= obf;
            had_scheme = true;
            break;
        }
    }
    let bytes = lower.as_bytes();
    // after a scheme, what comes before an `@` in the authority is a user name, not the host:
    // the browser goes to the host after the last `@`
    let mut disguised = false;
    if had_scheme {
        let authority_end = (j..bytes.len())
            .find(|&k| matches!(bytes[k], b'/' | b'?' | b'#') || path_ends(lower, k))
            .unwrap_or(bytes.len());
        if let Some(at) = lower[j..authority_end].rfind('@') {
            disguised = lower[j..j + at].contains('.');
            j += at + 1;
        }
    }
    // the host: labels joined by ".", "[.]", "(.)", "{.}", " dot ", " . "
    let mut host = String::new();
    let mut labels = 0;
    loop {
        let start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == start {
            break;
        }
        let label = &lower[start..j];
        labels += 1;
        let after = &lower[j..];
        let sep = [
            (".", false),
            ("[.]", true),
            ("(.)", true),
            ("{.}", true),
            ("[dot]", true),
            ("(dot)", true),
            (" dot ", true),
            (" . ", true),
        ]
        .into_iter()
        .find(|(s, _)| {
            after.starts_with(*s)
                && after[s.len()..]
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        });
        // a word without a separator after it is not a host: no allocation for it
        match sep {
            Some((s, obf)) => {
                host.push_str(label);
                host.push('.');
                j += s.len();
                obfuscated |= obf;
            }
            None => {
                if labels >= 2 {
                    host.push_str(label);
                }
                break;
            }
        }
    }
    if labels < 2 {
        return None;
    }
    let is_ip = ipv4_literal(&host);
    // a host that is itself a public suffix is a link only after a scheme: the private section
    // lists hosting services' own hosts (`https://s3.amazonaws.com/bucket/setup.exe`), while
    // "co.uk" in prose is not a link
    let suffix_known = psl::suffix_str(&host).is_some_and(|s| {
        psl::suffix(host.as_bytes()).is_some_and(|x| x.is_known()) && (s != host || had_scheme)
    });
    if !(is_ip || suffix_known) {
        return None;
    }
    // without a scheme or www, demand a plain-looking domain: no digit-only labels (3.5, v1.2)
    if !had_scheme && !is_ip && !host.starts_with("www.") {
        let last = host.rsplit('.').next().unwrap_or("");
        if last.len() < 2
            || host
                .split('.')
                .any(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        // "e.g", "i.e", single letters: not domains
        if host.split('.').next().is_some_and(|l| l.len() < 2) {
            return None;
        }
        // "sentence.Next": a capital right after a dot is prose, not a domain
        let original = text.as_bytes();
        if (i..j).any(|k| {
            original[k] == b'.' && original.get(k + 1).is_some_and(|b| b.is_ascii_uppercase())
        }) {
            return None;
        }
    }
    // optional port and path
    let mut end = j;
    let mut path = String::new();
    if end < bytes.len() && (bytes[end] == b'/' || bytes[end] == b':' || bytes[end] == b'?') {
        let p_start = end;
        while end < bytes.len() && !path_ends(lower, end) {
            end += 1;
        }
        while end > p_start && matches!(bytes[end - 1], b'.' | b',' | b'!' | b'?' | b';' | b':') {
            end -= 1;
        }
        path = lower[p_start..end].to_string();
    }
    Some(Candidate {
        end,
        host,
        obfuscated,
        path,
        disguised,
    })
}

/// Letters that differ between two strings of similar length (at most 2, else 3).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()].min(3)
}

/// Hosts whose links are ad clicks or affiliate redirects whatever their path.
const AD_CLICK_HOSTS: &[&str] = &[
    "rover.ebay.com",
    "googleadservices.com",
    "hop.clickbank.net",
];

/// Whether a link pays whoever shares it: a query parameter named like a referral or affiliate
/// code (`ref`, `refid`, `referral`, `aff`, `affiliateid`, ...; not a site's own source tags
/// such as `ref_src`), Amazon's associate `tag`, a `/refer/` path segment, or an ad network's
/// click host. (`&amp;` in an HTML-escaped link splits like `&`.)
fn referral(host: &str, path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let (route, query) = p.split_once('?').unwrap_or((&p, ""));
    let amazon = host.split('.').any(|l| l == "amazon");
    let paid_key = |key: &str| {
        (key.starts_with("ref")
            && !["refresh", "ref_src", "ref_url"]
                .iter()
                .any(|k| key.starts_with(k)))
            || key.starts_with("aff")
            || key.contains("affiliate")
            || key.contains("referral")
            || (amazon && key == "tag")
    };
    query
        .split(['&', ';', '#'])
        .filter_map(|kv| kv.split_once('='))
        .any(|(k, v)| paid_key(k) && !v.is_empty())
        || route
            .split('/')
            .any(|seg| seg == "refer" || seg == "referral")
        || AD_CLICK_HOSTS.iter().any(|h| host_under(host, h))
}

/// Redirect services that send the browser on to a link carried in their query, and the
/// parameter that carries it: Google's `/url?q=`, Facebook's and Instagram's link shims,
/// YouTube's `/redirect?q=`, Outlook's Safe Links (a resident pasting a link from an email),
/// LinkedIn's and Reddit's. (host or registrable name, route, keys)
const REDIRECTORS: &[(&str, &str, &[&str])] = &[
    ("google", "/url", &["q", "url"]),
    ("l.facebook.com", "/l.php", &["u"]),
    ("lm.facebook.com", "/l.php", &["u"]),
    ("l.messenger.com", "/l.php", &["u"]),
    ("l.instagram.com", "/", &["u"]),
    ("youtube.com", "/redirect", &["q"]),
    ("safelinks.protection.outlook.com", "/", &["url"]),
    ("linkedin.com", "/redir/redirect", &["url"]),
    ("out.reddit.com", "", &["url"]),
];

/// Undoes one level of percent-encoding, as a server reads a query's key or value. (A link
/// wrapped by two services is encoded twice; each hop decodes its own level.)
fn percent_decoded(value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The links a link carries in its query to send the browser on (`google.com/url?q=DEST`,
/// `l.facebook.com/l.php?u=DEST`, `?redirect=DEST` on any site), each decoded and
/// lower-cased, and whether `host` is a known redirect service. For a known service only its
/// own keys count; on any other site, every value that is a link with a scheme. Pairs are
/// split at `&` alone (`&amp;` in an HTML-escaped link too), as servers split them, keys are
/// decoded as servers decode them, and the query ends at `#`.
fn carried(host: &str, registrable: &str, path: &str) -> (Vec<String>, bool) {
    let Some((route, query)) = path.split_once('?') else {
        return (Vec::new(), false);
    };
    let query = query.split('#').next().unwrap_or("");
    if !(query.contains("http") || query.contains('%')) {
        return (Vec::new(), false);
    }
    // a service's own registrable name under a country's or the world's ICANN suffix
    // (`google.co.uk`), not a name on a hosting service's suffix (`google.pages.dev`)
    let icann = || psl::suffix(host.as_bytes()).is_some_and(|x| x.typ() == Some(psl::Type::Icann));
    let name = registrable.split('.').next().unwrap_or("");
    let keys = REDIRECTORS
        .iter()
        .find(|(h, r, _)| {
            (r.is_empty() || route == *r) && (host_under(host, h) || (*h == name && icann()))
        })
        .map(|(_, _, keys)| *keys);
    let found = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| {
            keys.is_none_or(|keys| {
                let k = percent_decoded(k);
                keys.contains(&k.strip_prefix("amp;").unwrap_or(&k))
            })
        })
        .map(|(_, v)| percent_decoded(v).trim().to_ascii_lowercase())
        .filter(|v| v.starts_with("http://") || v.starts_with("https://"))
        .collect();
    (found, keys.is_some())
}

/// Judges the link read at `start`, following at most `hops` redirects.
fn judge_hops(start: usize, c: &Candidate, policy: &LinkPolicy, hops: u8) -> Link {
    let mut link = judge_one(start, c, policy);
    if hops == 0 {
        return link;
    }
    // A link that sends the browser on to another is judged by where it leads too: a
    // blocklisted site, a phishing page or an executable wrapped in Google's or Facebook's
    // redirect is what it leads to, and so is a government's page shared through Facebook's
    // link shim. Through a known redirect service carrying one destination, the
    // destination's judgement is the link's (except being a post: the link's words are the
    // service's, not the platform's). Otherwise (any other site's parameters, or a service
    // given its key twice, where the one a server follows is not known) only what makes a
    // destination malicious is carried, from every destination. A chain is followed three
    // redirects deep.
    let registrable = link.domain.clone().unwrap_or_else(|| link.host.clone());
    let (destinations, known) = carried(&link.host, &registrable, &c.path);
    let whole = known && destinations.len() == 1;
    for dest in &destinations {
        let Some(inner) = candidate(dest, dest, 0) else {
            continue;
        };
        let inner = judge_hops(start, &inner, policy, hops - 1);
        for f in inner.flags {
            let take = if whole {
                f != Flag::Post
            } else {
                f.malicious()
            };
            if take && !link.flags.contains(&f) {
                link.flags.push(f);
            }
        }
    }
    link
}

/// Judges one link by itself.
fn judge_one(start: usize, c: &Candidate, policy: &LinkPolicy) -> Link {
    let &Candidate {
        end,
        ref host,
        obfuscated,
        ref path,
        disguised,
    } = c;
    let path = path.as_str();
    let mut flags = Vec::new();
    let host = host.trim_start_matches("www.").to_string();
    let domain = psl::domain_str(&host).map(str::to_string);
    let registrable = domain.clone().unwrap_or_else(|| host.clone());
    let official = policy.is_official(&host);
    if official {
        flags.push(Flag::Official);
    }
    if ipv4_literal(&host) {
        flags.push(Flag::IpLiteral);
    }
    if SHORTENERS.contains(&registrable.as_str()) || SHORTENERS.contains(&host.as_str()) {
        flags.push(Flag::Shortener);
    }
    if !official {
        let look_alike = policy.official.iter().any(|o| {
            let o = o.to_ascii_lowercase();
            let od = psl::domain_str(&o).unwrap_or(&o).to_string();
            let name = od.split('.').next().unwrap_or("");
            // punycode: the ASCII letters kept in the label (between "xn--" and the last "-")
            // within two letters of the city's name
            let punycode = host.split('.').any(|l| {
                l.strip_prefix("xn--")
                    .and_then(|p| p.rsplit_once('-'))
                    .is_some_and(|(basic, _)| distance(basic, name) <= 2)
            });
            let near_miss = registrable != od && od.len() > 5 && distance(&registrable, &od) <= 2;
            let name_as_subdomain = registrable != od && host.split('.').any(|l| l == name);
            punycode || near_miss || name_as_subdomain
        });
        if look_alike {
            flags.push(Flag::LookAlike);
        }
    }
    let file = path.split(['?', '#']).next().unwrap_or("");
    if EXECUTABLE.iter().any(|x| file.ends_with(x)) {
        flags.push(Flag::Executable);
    }
    // the host or any name it is under (`a.free-prizes.example.com` under a blocked
    // `free-prizes.example.com`)
    if !policy.blocklist.is_empty()
        && std::iter::successors(Some(host.as_str()), |h| h.split_once('.').map(|(_, r)| r))
            .any(|h| policy.blocklist.contains(h))
    {
        flags.push(Flag::Blocklisted);
    }
    if obfuscated {
        flags.push(Flag::Obfuscated);
    }
    if !official && referral(&host, path) {
        flags.push(Flag::Referral);
    }
    // a government's names are registered only by governments: not a phishing host
    let gov = !official && government(&host);
    if gov {
        flags.push(Flag::Government);
    }
    if one_post(&host, path) {
        flags.push(Flag::Post);
    }
    let tld = host.rsplit('.').next().unwrap_or("");
    if !official && !gov {
        let p = path.to_ascii_lowercase();
        let sign_in = SIGN_IN_BAIT.iter().any(|w| p.contains(w));
        let bait = sign_in || ACCOUNT_BAIT.iter().any(|w| p.contains(w));
        let dressed_up = SERVICE_WORDS.iter().any(|w| {
            registrable
                .split(['.', '-'])
                .any(|part| part.starts_with(w) || part.ends_with(w))
        });
        let shared = SHARED_HOSTS.iter().any(|h| host_under(&host, h));
        if (bait && (dressed_up || CHEAP_TLDS.contains(&tld)))
            || (shared && sign_in)
            || borrows_brand(&host, &registrable, bait)
            || disguised
        {
            flags.push(Flag::Phishing);
        }
    }
    Link {
        start,
        end,
        host,
        domain,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LinkPolicy {
        LinkPolicy {
            official: vec!["arborvale.gov".into()],
            ..LinkPolicy::default()
        }
        .with_blocklist("# known bad\nfree-prizes.example.com\nwww.scam-deals.net\n")
    }

    /// The first link in `text`.
    fn find_one(text: &str) -> Link {
        find(text, &policy())
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no link in {text}"))
    }

    fn links(text: &str) -> Vec<(String, Vec<Flag>, String)> {
        find(text, &policy())
            .into_iter()
            .map(|l| {
                (
                    text[l.start..l.end].to_string(),
                    l.flags,
                    l.domain.unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn a_host_is_under_a_domain_only_at_a_label_boundary() {
        for (host, domain) in [
            ("city.gov", "city.gov"),
            ("WWW.City.Gov", "city.gov"),
            ("maps.city.gov", "CITY.GOV"),
        ] {
            assert!(host_under(host, domain), "{host} {domain}");
        }
        for (host, domain) in [
            ("notcity.gov", "city.gov"),
            ("city.gov.evil.example", "city.gov"),
            ("gov", "city.gov"),
            ("city.gov", ""),
        ] {
            assert!(!host_under(host, domain), "{host} {domain}");
        }
    }

    #[test]
    fn referral_and_affiliate_links_are_marked() {
        for text in [
            "free stuff http://hackfbaccountlive.com/?ref=4604617",
            "http://www.gcmforex.com/partners/aw.aspx?Task=JoinT2&amp;AffiliateID=9107",
            "www.swagbucks.com/refer/Nonturtle02",
            "https://www.amazon.com/dp/B00MPPQHRI?tag=seller-20",
            "http://rover.ebay.com/rover/1/710-53481-19255-0/1?icep_ff3=1",
            "https://shop.example.com/p/1?utm_source=x&aff_id=77",
        ] {
            let found = links(text);
            assert!(
                found.iter().any(|l| l.1.contains(&Flag::Referral)),
                "{text}: {found:?}"
            );
        }
        for text in [
            "https://www.cityofexample.gov/agenda/2024-05-14/item-7-staff-report.pdf",
            "https://news.example.com/story?utm_source=share&utm_medium=web",
            "https://example.org/refresh?refresh=1",
            "https://example.org/reference/guide",
            "https://example.org/x?ref=",
            // a site's own source tags and navigation are not paid
            "https://twitter.com/city/status/1?ref_src=twsrc%5Etfw",
            "http://www.amazon.com/dp/B00MPPQHRI/ref=sr_1_7?s=digital-text",
            // the city's own links are never advertising
            "https://arborvale.gov/news?ref=newsletter",
        ] {
            let found = links(text);
            assert!(
                !found.iter().any(|l| l.1.contains(&Flag::Referral)),
                "{text}: {found:?}"
            );
        }
    }

    #[test]
    fn links_inside_a_platforms_generated_tags_are_not_the_commenters() {
        // YouTube renders a timestamp as an anchor: no link was shared
        let stamp = r#"<a href="http://www.youtube.com/watch?v=KQ6zr6kCPj8&amp;t=2m19s">2:19</a> best part"#;
        assert!(links(stamp).is_empty(), "{:?}", links(stamp));
        // an auto-linked URL is found once, as the anchor's text
        let auto =
            r#"see <a href="https://scam-deals.net/x">https://scam-deals.net/x</a><br />now"#;
        let found = links(auto);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "https://scam-deals.net/x");
        assert!(found[0].1.contains(&Flag::Blocklisted));
        // a tag that is not a platform's is text, and its link is found
        assert_eq!(
            links(r#"<img src="https://scam-deals.net/a.png">"#).len(),
            1
        );
        // only a generated anchor's href is set aside: the rest of its tag is read
        let titled = links(r#"<a href="https://youtu.be/x" title="go to scam-deals.net">2:19</a>"#);
        assert_eq!(titled.len(), 1, "{titled:?}");
        assert_eq!(titled[0].2, "scam-deals.net");
        // so is the link of an anchor somebody typed into a plain-text comment
        let typed = links(r#"<a href="https://scam-deals.net/x">claim your prize</a>"#);
        assert_eq!(typed.len(), 1, "{typed:?}");
        assert!(typed[0].1.contains(&Flag::Blocklisted));
    }

    #[test]
    fn plain_links_and_their_domains() {
        let l =
            links("Agenda: https://www.arborvale.gov/council?x=1. Also see news.bbc.co.uk/local");
        assert_eq!(l.len(), 2, "{l:?}");
        assert_eq!(l[0].0, "https://www.arborvale.gov/council?x=1");
        assert_eq!(l[0].1, vec![Flag::Official]);
        assert_eq!(l[1].2, "bbc.co.uk");
        assert!(l[1].1.is_empty());
    }

    #[test]
    fn obfuscated_links_are_found_and_flagged() {
        let l = links("go to hxxp://bad-site[.]com/x and cheap-pills dot com now");
        assert_eq!(l.len(), 2, "{l:?}");
        assert!(l[0].1.contains(&Flag::Obfuscated));
        assert_eq!(l[0].2, "bad-site.com");
        assert_eq!(l[1].0, "cheap-pills dot com");
        assert!(l[1].1.contains(&Flag::Obfuscated));
    }

    #[test]
    fn credential_bait_on_a_dressed_up_or_throwaway_host_is_phishing() {
        for bad in [
            "pay at http://city-utilities-payment.co/secure-login now",
            "http://vote-ca-gov.support/update",
            "https://parking-refunds.top/verify",
        ] {
            assert!(find_one(bad).flags.contains(&Flag::Phishing), "{bad}");
            assert!(find_one(bad).malicious(), "{bad}");
        }
        for fine in [
            "https://www.sos.ca.gov/elections/voter-registration/update",
            "https://www.latimes.com/california/story/city-council-vote",
            "https://citybikes.example.com/account",
            "https://water-board.org/annual-report",
        ] {
            assert!(!find_one(fine).malicious(), "{fine}");
        }
    }

    #[test]
    fn a_sign_in_page_on_a_shared_host_is_phishing() {
        for bad in [
            "https://storage.googleapis.com/bucket-8812/office365-login.html",
            "https://firebasestorage.googleapis.com/v0/b/x/o/verify.html?alt=media",
            "https://account-team-9.web.app/signin",
            "https://s3.amazonaws.com/secure-docs/password-reset.html",
            "https://docs-share-2291.weebly.com/unlock",
        ] {
            let l = find_one(bad);
            assert!(l.flags.contains(&Flag::Phishing), "{bad}: {l:?}");
        }
        for fine in [
            "https://arborvale-garden-club.blogspot.com/2026/11/park-update.html",
            "https://sites.google.com/view/oak-street-neighbors/account-of-the-meeting",
            "https://storage.googleapis.com/arborvale-maps/flood-zones.pdf",
            "https://codeforarborvale.github.io/bus-times/",
            "https://www.githubio-fans.com/login",
        ] {
            let l = find_one(fine);
            assert!(!l.flags.contains(&Flag::Phishing), "{fine}: {l:?}");
        }
    }

    #[test]
    fn a_host_borrowing_a_platform_or_payment_brand_is_phishing() {
        for bad in [
            "Verify here: meta-business-support-center.com/appeal",
            "https://paypal-secure-verify.com/",
            "http://facebook.com.account-verify.net/login",
            "https://facebooksupport.xyz",
            "www.securepaypal.com",
            "https://instagram-copyright-help.com/form",
            "https://www.usps-redelivery.com/confirm",
        ] {
            let l = find_one(bad);
            assert!(l.flags.contains(&Flag::Phishing), "{bad}: {l:?}");
            assert!(l.malicious(), "{bad}");
        }
        for fine in [
            "https://business.facebook.com/help",
            "https://support.google.com/accounts",
            "https://www.google.co.uk/maps",
            "https://paypal.me/cityfoodbank",
            "https://meta.wikimedia.org/wiki/Special:UserLogin",
            "https://www.metacritic.com/login",
            "https://reports.s3.amazonaws.com/account.pdf",
            "https://www.youtube-nocookie.com/embed/x",
            "https://www.applebees.com/account",
            "https://www.facebook-fan-page-of-the-parade.com",
            "https://www.microsoft.com/en-us/security",
        ] {
            let l = find_one(fine);
            assert!(!l.malicious(), "{fine}: {l:?}");
        }
    }

    #[test]
    fn a_redirect_is_judged_by_where_it_leads() {
        // the blocklist, an executable, a phishing page or an address wrapped in a redirect
        for (bad, flag) in [
            (
                "https://www.google.com/url?sa=t&url=https%3A%2F%2Fscam-deals.net%2Foffer&usg=AOv",
                Flag::Blocklisted,
            ),
            (
                "https://www.google.ro/url?q=http://free-prizes.example.com/win&sa=D",
                Flag::Blocklisted,
            ),
            (
                "https://l.facebook.com/l.php?u=https%3A%2F%2Fcdn.example.org%2Fpermit-form.exe&h=AT0x",
                Flag::Executable,
            ),
            (
                "https://www.youtube.com/redirect?event=comments&q=https%3A%2F%2Fpaypal-secure-verify.com%2F",
                Flag::Phishing,
            ),
            (
                "https://nam12.safelinks.protection.outlook.com/?url=http%3A%2F%2F45.77.1.9%2Flogin&data=05",
                Flag::IpLiteral,
            ),
            // encoded twice: one service's redirect wrapped in another's
            (
                "https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F%252Fscam-deals.net%252F&sa=D",
                Flag::Blocklisted,
            ),
            // a name under a blocked domain
            ("http://win.free-prizes.example.com/now", Flag::Blocklisted),
            // any site's redirect parameter carries what makes its destination malicious
            (
                "https://news.example.com/out?redirect=https://scam-deals.net/deal",
                Flag::Blocklisted,
            ),
        ] {
            let l = find_one(bad);
            assert!(l.flags.contains(&flag), "{bad}: {l:?}");
            assert!(l.malicious(), "{bad}");
            assert!(!l.ordinary(10), "{bad}");
        }
        // a decoy before the key a server reads, the key given twice, a key or a scheme
        // written in percent-encoding, a look-alike "google" on a hosting suffix, a real host
        // behind a name like the city's
        for bad in [
            "https://l.facebook.com/l.php?x=1;u=https://www.arborvale.gov/&u=https://scam-deals.net/",
            "https://www.google.com/url?q=https://www.arborvale.gov/&q=https://scam-deals.net/",
            "https://news.example.com/go?src=https://www.arborvale.gov/&to=https://scam-deals.net/",
            "https://www.google.com/url?q=%68ttps%3A%2F%2Fscam-deals.net%2F",
            "https://l.facebook.com/l.php?%75=https%3A%2F%2Fscam-deals.net%2F",
            "https://www.arborvale.gov@scam-deals.net/",
            "https://www.google.com/url?q=https%3A%2F%2Fwww.arborvale.gov%40scam-deals.net%2F",
        ] {
            let l = find_one(bad);
            assert!(l.malicious(), "{bad}: {l:?}");
            assert!(!l.ordinary(10), "{bad}: {l:?}");
        }
        let decoy = find_one("https://google.pages.dev/url?q=https://www.arborvale.gov/");
        assert!(!decoy.ordinary(10), "{decoy:?}");
        // a user name that is no host is not a disguise; nor is one in front of the city's host
        for fine in [
            "https://guest@maps.example.org/trail",
            "https://scam-deals.example@www.arborvale.gov/agenda",
        ] {
            assert!(!find_one(fine).malicious(), "{fine}: {:?}", find_one(fine));
        }
        let l = find_one("https://www.arborvale.gov@scam-deals.net/");
        assert_eq!(l.host, "scam-deals.net");
        // an HTML-escaped link's pairs are split at `&amp;`
        let escaped = find_one(
            "https://www.google.ro/url?sa=t&amp;rct=j&amp;q=https%3A%2F%2Fscam-deals.net%2F&amp;cd=1",
        );
        assert!(escaped.flags.contains(&Flag::Blocklisted), "{escaped:?}");
        // a government's page or the city's own, shared through a link shim, is ordinary
        for fine in [
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.fema.gov%2Fflood-maps&h=AT3",
            "https://www.google.com/url?q=https://www.arborvale.gov/agenda&sa=D&ust=1",
            "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.arborvale.gov%2Fpermits&data=05",
        ] {
            let l = find_one(fine);
            assert!(l.ordinary(10), "{fine}: {l:?}");
        }
        // through another site's parameter only danger is carried, not the city's standing;
        // a post behind a redirect is not a post link (its words are the service's); a
        // redirect to an ordinary site is nothing more than a link; a value that is no link
        // is not followed
        for (text, not) in [
            (
                "https://tracker.example.com/click?to=https://www.arborvale.gov/",
                Flag::Official,
            ),
            (
                "https://www.google.com/url?q=https://www.youtube.com/watch?v%3DabcDEF12345",
                Flag::Post,
            ),
        ] {
            let l = find_one(text);
            assert!(!l.flags.contains(&not), "{text}: {l:?}");
        }
        for plain in [
            "https://www.google.com/url?q=https://www.dailybulletin.com/story&sa=D",
            "https://www.google.com/url?q=scam-deals.net",
            "https://www.google.com/search?q=http+scam-deals.net",
        ] {
            let l = find_one(plain);
            assert!(l.flags.is_empty(), "{plain}: {l:?}");
        }
    }

    #[test]
    fn judgements() {
        assert!(
            find_one("http://192.168.4.20/login")
                .flags
                .contains(&Flag::IpLiteral)
        );
        assert!(find_one("bit.ly/3xYz").flags.contains(&Flag::Shortener));
        assert!(
            find_one("http://192.168.001.001/login")
                .flags
                .contains(&Flag::IpLiteral)
        );
        // a hosting service's own host, itself a public suffix, after a scheme
        let s3 = find_one("get it at https://s3.amazonaws.com/permits/form-installer.exe now");
        assert_eq!(s3.host, "s3.amazonaws.com");
        assert!(s3.flags.contains(&Flag::Executable), "{s3:?}");
        assert!(find("shipping to co.uk and github.io", &policy()).is_empty());
        // a count written with dots is not an address
        assert!(
            find("2.124.821.694 views and counting", &policy())
                .iter()
                .all(|l| !l.malicious())
        );
        assert!(find("2.124.821.694 views and counting", &policy()).is_empty());
        assert!(
            find_one("https://arborva1e.gov/pay")
                .flags
                .contains(&Flag::LookAlike)
        );
        assert!(
            find_one("https://arborvale.gov.pay-now.com")
                .flags
                .contains(&Flag::LookAlike)
        );
        assert!(
            find_one("https://xn--rborvale-9xa.gov/")
                .flags
                .contains(&Flag::LookAlike)
        );
        assert!(
            find_one("https://example.org/setup.exe")
                .flags
                .contains(&Flag::Executable)
        );
        assert!(
            find_one("visit scam-deals.net today")
                .flags
                .contains(&Flag::Blocklisted)
        );
        assert!(find_one("https://parks.arborvale.gov").flags == vec![Flag::Official]);
        assert!(find_one("https://192.168.4.20/login").malicious());
        assert!(!find_one("https://parks.arborvale.gov").malicious());
    }

    #[test]
    fn international_domains_are_not_look_alikes_by_themselves() {
        let l = find("https://xn--mnchen-3ya.de/stadt", &policy())
            .into_iter()
            .next()
            .unwrap();
        assert!(!l.flags.contains(&Flag::LookAlike), "{l:?}");
    }

    #[test]
    fn government_domains_are_marked() {
        for t in [
            "https://msc.fema.gov/portal/search",
            "sos.ca.gov",
            "https://www.army.mil/news",
            "https://www.gov.uk/council-tax",
            "https://www.tpsgc-pwgsc.gc.ca/recgen/index-eng.html",
            "https://www.service-public.gouv.fr/particuliers",
            "https://www.gob.mx/sre",
        ] {
            assert!(find_one(t).flags.contains(&Flag::Government), "{t}");
        }
        for t in [
            "https://gov.example.com/login",
            "https://www.govdeals.com/auction",
            "https://fema-gov.help/claim",
            // not reserved for a government: anyone can register these
            "https://claim.gov.tv/refund",
            "https://buerger.gov.de/antrag",
            // the city's own domain is official, not another government's
            "https://parks.arborvale.gov",
        ] {
            assert!(!find_one(t).flags.contains(&Flag::Government), "{t}");
        }
    }

    #[test]
    fn one_post_is_marked_but_not_an_account() {
        for t in [
            "https://www.youtube.com/watch?v=Wc5rNp8Jd2k",
            "https://m.youtube.com/watch?feature=share&v=Wc5rNp8Jd2k&t=4440s",
            "http://youtu.be/9bZkp7q19f0",
            "https://youtube.com/shorts/Wc5rNp8Jd2k",
            "https://www.youtube.com/live/Wc5rNp8Jd2k?si=abc",
            "https://vimeo.com/123456789",
            "https://fb.watch/aBcD3fGh/",
            "https://www.facebook.com/ArborValeCity/videos/1234567890",
            "https://www.facebook.com/ArborValeCity/posts/pfbid02abcdef",
            "https://www.facebook.com/events/1234567890/",
            "https://www.facebook.com/photo.php?fbid=543627485763966&amp;l=0d878a889c",
            "https://www.facebook.com/permalink.php?story_fbid=123456789&id=42",
            "https://www.facebook.com/help/248850205123506",
            "https://www.facebook.com/groups/arborvalecommunity/posts/1234567890",
            "https://www.facebook.com/share/p/1AbCdEfGhJ/",
            "https://www.threads.net/@arborvale/post/C0aBcDeFgHi",
            "https://www.instagram.com/p/C0aBcDeFgHi/",
            "https://x.com/ArborValeCity/status/1861234567890123456",
            "https://twitter.com/someone/status/1861234567890123456",
            "https://www.tiktok.com/@arborvale/video/7301234567890123456",
            "https://bsky.app/profile/arborvale.gov/post/3kabcdefgh2x",
            "https://nextdoor.com/p/abCDefGH1234",
            "https://www.reddit.com/r/arborvale/comments/1abcdef/street_fair/",
        ] {
            let l = find_one(t);
            assert!(l.flags.contains(&Flag::Post), "{t}: {l:?}");
            assert!(l.ordinary(3), "{t}");
        }
        for t in [
            "https://www.youtube.com/channel/UC1234567890",
            "https://www.youtube.com/@arborvale",
            "https://www.youtube.com/user/someone",
            "https://www.youtube.com/playlist?list=PL123456",
            "https://www.youtube.com/watch",
            "https://youtu.be/",
            "https://vimeo.com/channels/staffpicks",
            "https://www.facebook.com/profile.php?id=100007085325116",
            "https://www.facebook.com/teeLaLaLa",
            "https://www.facebook.com/groups/arborvalecommunity",
            "https://www.facebook.com/pages/Mathster-WP/1495323920744243?ref=hl",
            "https://instagram.com/cyrine_ghorbel",
            "https://twitter.com/TheWaxedHatCo",
            "https://www.tiktok.com/@arborvale",
            "https://www.reddit.com/r/arborvale",
            "https://www.youtube-video.com/watch?v=Wc5rNp8Jd2k",
            "https://spam.example.com/youtube.com/watch?v=Wc5rNp8Jd2k",
            "https://www.youtube.com/embed/videoseries?list=PL123456",
            "https://www.facebook.com/p/Arbor-Vale-Bakery-100063123456789/",
            "https://www.facebook.com/CheapPills/about/posts/123456789",
            // what a browser resolves `..` to is a redirect or an account, not a post
            "https://www.youtube.com/watch/../redirect?v=abcdefg&q=http://spam.example",
            "https://www.facebook.com/help/../l.php?u=http://spam.example",
            "https://www.instagram.com/p/abcdefg/../../spammer",
            "https://www.instagram.com/p/abcdefg/%2e%2e/%2e%2e/spammer",
            // redirects
            "https://www.youtube.com/redirect?q=http://spam.example",
            "https://l.facebook.com/l.php?u=http://spam.example",
            // written to slip past filters
            "hxxps://www.youtube[.]com/watch?v=Wc5rNp8Jd2k",
            // a referral link to a post is still advertising
            "https://www.facebook.com/events/1234567890/?ref=4604617",
        ] {
            let l = find_one(t);
            assert!(!l.ordinary(3), "{t}: {l:?}");
        }
        // a bare link to a post is not ordinary; the city's own page is, bare or not
        assert!(!find_one("https://vimeo.com/123456789").ordinary(2));
        assert!(find_one("https://parks.arborvale.gov").ordinary(0));
    }

    #[test]
    fn a_link_ends_before_an_invisible_character() {
        // YouTube comments of 2013-2015 end with a byte-order mark
        for (t, link) in [
            (
                "M/V: http://youtu.be/9bZkp7q19f0\u{feff}",
                "http://youtu.be/9bZkp7q19f0",
            ),
            (
                "see https://parks.example.org/x\u{200b}now",
                "https://parks.example.org/x",
            ),
            (
                "see https://parks.example.org/x\u{a0}now",
                "https://parks.example.org/x",
            ),
            (
                "https://mairie.example.fr/été ok",
                "https://mairie.example.fr/été",
            ),
        ] {
            let l = find_one(t);
            assert_eq!(&t[l.start..l.end], link);
        }
    }

    #[test]
    fn ordinary_text_has_no_links() {
        for t in [
            "e.g. the park",
            "i.e. tomorrow",
            "It is 3.5 miles",
            "version v1.2 is out",
            "Mr. Smith said so.",
            "Thanks.Great meeting",
            "end of sentence.Next",
            "jane@example.com",
        ] {
            assert!(links(t).is_empty(), "{t}: {:?}", links(t));
        }
    }

    proptest::proptest! {
        #[test]
        fn spans_are_on_char_boundaries(s in "\\PC{0,100}") {
            for l in find(&s, &policy()) {
                proptest::prop_assert!(l.start < l.end && l.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(l.start) && s.is_char_boundary(l.end));
            }
        }
    }
}
