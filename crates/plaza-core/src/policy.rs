//! The policy as data (A.5, B.16). A policy file is TOML: the clauses with stable ids and
//! their text, and the settings the policy implies. `parse` checks everything and reports
//! each problem with its line, so a city editing its own copy sees exactly what to fix.

use crate::valid::{Email, WebUrl, valid_domain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use toml::Spanned;

/// The default policy shipped with Plaza: the City of Claremont Social Media Policy (2017).
pub const DEFAULT_POLICY: &str = include_str!("../policy/default-policy.toml");

/// The policy file format this version of Plaza reads.
pub const FORMAT: i64 = 1;

/// The branding items a site can be checked for (B.2, B.13, B.24, B.25, C.8, G.1).
pub const BRANDING_ITEMS: &[(&str, &str)] = &[
    ("city_logo", "City logo (B.2)"),
    (
        "official_email",
        "Official City email address as contact (B.2)",
    ),
    (
        "website_link",
        "Link to the official City website (B.2, B.25)",
    ),
    (
        "other_sites_links",
        "Links to other City social media sites (B.2)",
    ),
    (
        "official_statement",
        "Statement that the site is official and follows the Social Media Policy (B.13, B.24)",
    ),
    (
        "policy_links",
        "Link to the Social Media Policy and the Comments Policy (B.24)",
    ),
    (
        "endorsement_disclaimer",
        "Disclaimer that public content is not endorsed by the City (C.8, G.1)",
    ),
];

/// The signals of the moderation engine, in the order Plaza reports them.
pub const SIGNALS: [&str; 20] = [
    "toxicity",
    "severe_toxicity",
    "insult",
    "threat",
    "obscene",
    "sexual_explicit",
    "identity_hate",
    "harassment",
    "spam",
    "self_promotion",
    "solicitation",
    "business_proposal",
    "malicious_link",
    "personal_info",
    "crime_report",
    "illegal_activity",
    "legal_notice",
    "unintelligible",
    "thread_takeover",
    "off_topic",
];

/// The signals a city may let Plaza act on without a person (categories that do not depend on
/// viewpoint). Every other signal only ever leads to review.
pub const AUTO_REMOVABLE: [&str; 4] =
    ["spam", "malicious_link", "personal_info", "sexual_explicit"];

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    /// 1-based line; 0 when the problem is not at one place (a missing clause).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub meta: Meta,
    pub settings: Settings,
    pub clauses: Vec<Clause>,
    /// Which signals point at which C.7 clauses (C.7, C.10).
    pub moderation: Vec<ModerationRule>,
    /// Per-site additions (C.10): a site's own threshold or removal choice for a signal.
    pub overrides: Vec<SiteOverride>,
}

/// A site's own setting for one signal (C.10). The site is named by its handle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteOverride {
    pub site: String,
    pub signal: String,
    pub threshold: Option<f64>,
    pub auto_remove: Option<bool>,
}

impl Policy {
    /// The moderation rules in force on a site: the policy's, with that site's overrides.
    pub fn rules_for(&self, site: Option<&str>) -> Vec<ModerationRule> {
        let mut rules = self.moderation.clone();
        if let Some(site) = site {
            for o in self.overrides.iter().filter(|o| o.site == site) {
                if let Some(r) = rules.iter_mut().find(|r| r.signal == o.signal) {
                    if let Some(t) = o.threshold {
                        r.threshold = t;
                    }
                    if let Some(a) = o.auto_remove {
                        r.auto_remove = a;
                    }
                }
            }
        }
        rules
    }
}

/// A moderation rule: a signal at or above `threshold` may violate `clauses`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModerationRule {
    pub signal: String,
    pub clauses: Vec<String>,
    pub threshold: f64,
    /// The City's opt-in to removal without review (non-viewpoint categories only).
    pub auto_remove: bool,
}

/// What the policy is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    pub issuer: String,
    pub version: String,
    pub adopted: String,
    #[serde(default)]
    pub source: String,
}

/// Settings the policy implies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub official_website: String,
    pub official_email_domains: Vec<String>,
    /// C.7.x: domains whose links are malicious wherever they appear, directly or behind a
    /// redirect (a name under one counts too). The city's blocklist, versioned with the
    /// policy so every decision records which list it was made under.
    pub blocked_domains: Vec<String>,
    pub timezone: String,
    pub police_referral: PoliceReferral,
    pub business_hours: BusinessHours,
    pub holidays: Vec<Holiday>,
    pub retention: Retention,
    pub branding_required: Vec<String>,
}

/// C.7.xvii: where reports of crime go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliceReferral {
    pub agency: String,
    pub phone: String,
    pub emergency: String,
    pub reply: String,
}

/// D.2: when designated staff monitor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessHours {
    pub days: Vec<String>,
    pub open: String,
    pub close: String,
    pub weekend_coverage: String,
}

/// A day without business-hours monitoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holiday {
    pub date: String,
    pub name: String,
}

/// Retention minimums (Gov. Code 34090; B.23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub minimum_years: i64,
    pub removed_content_years: i64,
}

/// One clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clause {
    pub id: String,
    pub section: String,
    pub title: String,
    pub text: String,
}

impl Clause {
    /// Whether this is one of the C.7 comment categories (C.7.i ... C.7.xxi).
    pub fn is_comment_category(&self) -> bool {
        self.id.starts_with("C.7.")
    }
}

impl Policy {
    /// The clause with this id.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The 21 comment categories, in order.
    pub fn comment_categories(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| c.is_comment_category())
    }

    /// The clauses of the Comments Policy shown to the public (B.24): C.7 and its categories,
    /// C.8, C.9, C.11 and D.2.
    pub fn comments_policy(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| {
            c.id == "C.7"
                || c.is_comment_category()
                || ["C.8", "C.9", "C.11", "D.2"].contains(&c.id.as_str())
        })
    }

    /// The default policy, parsed. The default file is tested to parse.
    pub fn default_policy() -> Result<Policy, Vec<PolicyError>> {
        parse(DEFAULT_POLICY)
    }
}

/// The roman numerals of the 21 C.7 categories.
pub const CATEGORY_NUMERALS: [&str; 21] = [
    "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv",
    "xvi", "xvii", "xviii", "xix", "xx", "xxi",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: Spanned<i64>,
    policy: Spanned<Meta>,
    settings: RawSettings,
    #[serde(default)]
    clauses: Vec<RawClause>,
    #[serde(default)]
    moderation: Vec<RawRule>,
    #[serde(default)]
    moderation_override: Vec<RawOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    site: Spanned<String>,
    signal: Spanned<String>,
    threshold: Option<Spanned<f64>>,
    auto_remove: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    signal: Spanned<String>,
    clauses: Spanned<Vec<String>>,
    #[serde(default = "half")]
    threshold: Spanned<f64>,
    #[serde(default = "no")]
    auto_remove: Spanned<bool>,
}

fn no() -> Spanned<bool> {
    Spanned::new(0..0, false)
}

fn half() -> Spanned<f64> {
    Spanned::new(0..0, 0.5)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    official_website: Spanned<String>,
    official_email_domains: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    blocked_domains: Vec<Spanned<String>>,
    timezone: Spanned<String>,
    police_referral: Spanned<PoliceReferral>,
    business_hours: RawHours,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    retention: Spanned<Retention>,
    branding: RawBranding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    days: Spanned<Vec<Spanned<String>>>,
    open: Spanned<String>,
    close: Spanned<String>,
    weekend_coverage: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    date: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranding {
    required: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    id: Spanned<String>,
    section: String,
    title: Spanned<String>,
    text: Spanned<String>,
}

struct Lines<'a> {
    text: &'a str,
    errors: Vec<PolicyError>,
}

impl Lines<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }
    fn at<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        let line = self.line_of(s.span().start);
        self.errors.push(PolicyError {
            line,
            message: message.into(),
        });
    }
    fn nowhere(&mut self, message: impl Into<String>) {
        self.errors.push(PolicyError {
            line: 0,
            message: message.into(),
        });
    }
}

fn valid_clause_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let (Some(section), Some(number)) = (parts.next(), parts.next()) else {
        return false;
    };
    let section_ok = section.len() == 1
        && section
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase());
    let number_ok =
        !number.is_empty() && number.len() <= 3 && number.chars().all(|c| c.is_ascii_digit());
    let sub_ok = match parts.next() {
        None => true,
        Some(sub) => CATEGORY_NUMERALS.contains(&sub),
    };
    section_ok && number_ok && sub_ok && parts.next().is_none()
}

fn valid_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn valid_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok()
}

/// Parses and checks a policy file. Every problem found is reported, each with its line.
pub fn parse(text: &str) -> Result<Policy, Vec<PolicyError>> {
    let mut l = Lines {
        text,
        errors: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| l.line_of(s.start)).unwrap_or(0);
            let message = e.message().trim().to_string();
            return Err(vec![PolicyError { line, message }]);
        }
    };
    if *raw.format.get_ref() != FORMAT {
        l.at(
            &raw.format,
            format!("format must be {FORMAT}, found {}", raw.format.get_ref()),
        );
    }
    let meta = raw.policy.get_ref();
    if meta.version.trim().is_empty() {
        l.at(&raw.policy, "policy.version must not be empty");
    }
    if meta.name.trim().is_empty() || meta.issuer.trim().is_empty() {
        l.at(
            &raw.policy,
            "policy.name and policy.issuer must not be empty",
        );
    }
    if !valid_date(&meta.adopted) {
        l.at(
            &raw.policy,
            format!(
                "policy.adopted {:?} is not a date (YYYY-MM-DD)",
                meta.adopted
            ),
        );
    }
    let s = &raw.settings;
    let website = WebUrl::parse_field("settings.official_website", s.official_website.get_ref())
        .map_err(|e| l.at(&s.official_website, e.to_string()))
        .ok();
    if s.official_email_domains.get_ref().is_empty() {
        l.at(
            &s.official_email_domains,
            "settings.official_email_domains must name at least one domain (B.10)",
        );
    }
    for d in s.official_email_domains.get_ref() {
        if !valid_domain(&d.get_ref().to_lowercase()) {
            l.at(d, format!("{:?} is not a domain name", d.get_ref()));
        }
    }
    for d in &s.blocked_domains {
        let domain = blocked_domain(d.get_ref());
        if !domain.is_ascii() {
            l.at(
                d,
                format!(
                    "settings.blocked_domains: {:?} is not written in ASCII: write an \
                     internationalised name in its xn-- form",
                    d.get_ref()
                ),
            );
        } else if !valid_domain(&domain) {
            l.at(
                d,
                format!(
                    "settings.blocked_domains: {:?} is not a domain name (write the host alone, \
                     such as \"scam-deals.net\", without a scheme or a path)",
                    d.get_ref()
                ),
            );
        } else if psl::suffix_str(&domain) == Some(domain.as_str()) {
            l.at(
                d,
                format!(
                    "settings.blocked_domains: {domain:?} is a public suffix: it would block \
                     every site under it"
                ),
            );
        } else if s
            .official_email_domains
            .get_ref()
            .iter()
            .map(|o| o.get_ref().to_lowercase())
            .chain(website.as_ref().map(website_domain))
            .any(|o| o == domain || o.ends_with(&format!(".{domain}")))
        {
            l.at(
                d,
                format!("settings.blocked_domains: {domain:?} would block the city's own domain"),
            );
        }
    }
    let tz = s.timezone.get_ref();
    if tz != "UTC"
        && !(tz.contains('/')
            && tz
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)))
    {
        l.at(
            &s.timezone,
            format!("{tz:?} is not an IANA time zone name (e.g. America/Los_Angeles)"),
        );
    }
    let pr = s.police_referral.get_ref();
    if pr.phone.trim().is_empty() || pr.agency.trim().is_empty() || pr.reply.trim().is_empty() {
        l.at(
            &s.police_referral,
            "settings.police_referral needs agency, phone and reply (C.7.xvii)",
        );
    }
    let h = &s.business_hours;
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut seen_days = BTreeSet::new();
    if h.days.get_ref().is_empty() {
        l.at(
            &h.days,
            "settings.business_hours.days must name at least one day",
        );
    }
    for d in h.days.get_ref() {
        if !DAYS.contains(&d.get_ref().as_str()) {
            l.at(
                d,
                format!(
                    "{:?} is not a day (use mon, tue, wed, thu, fri, sat, sun)",
                    d.get_ref()
                ),
            );
        } else if !seen_days.insert(d.get_ref().clone()) {
            l.at(d, format!("day {:?} is listed twice", d.get_ref()));
        }
    }
    let open = valid_hhmm(h.open.get_ref());
    let close = valid_hhmm(h.close.get_ref());
    if open.is_none() {
        l.at(
            &h.open,
            format!("{:?} is not a time of day (HH:MM)", h.open.get_ref()),
        );
    }
    if close.is_none() {
        l.at(
            &h.close,
            format!("{:?} is not a time of day (HH:MM)", h.close.get_ref()),
        );
    }
    if let (Some(o), Some(c)) = (open, close)
        && o >= c
    {
        l.at(&h.close, "settings.business_hours.close must be after open");
    }
    if !["none", "as_needed", "scheduled"].contains(&h.weekend_coverage.get_ref().as_str()) {
        l.at(
            &h.weekend_coverage,
            "weekend_coverage must be one of none, as_needed, scheduled",
        );
    }
    let mut holiday_dates = BTreeSet::new();
    for hd in &s.holidays {
        if !valid_date(hd.date.get_ref()) {
            l.at(
                &hd.date,
                format!(
                    "holiday date {:?} is not a date (YYYY-MM-DD)",
                    hd.date.get_ref()
                ),
            );
        } else if !holiday_dates.insert(hd.date.get_ref().clone()) {
            l.at(
                &hd.date,
                format!("holiday {} is listed twice", hd.date.get_ref()),
            );
        }
    }
    let r = s.retention.get_ref();
    if r.minimum_years < 2 {
        l.at(
            &s.retention,
            "retention.minimum_years must be at least 2 (Gov. Code 34090)",
        );
    }
    if r.removed_content_years < 0 {
        l.at(
            &s.retention,
            "retention.removed_content_years must not be negative",
        );
    }
    for item in &s.branding.required {
        if !BRANDING_ITEMS.iter().any(|(k, _)| k == item.get_ref()) {
            let known: Vec<&str> = BRANDING_ITEMS.iter().map(|(k, _)| *k).collect();
            l.at(
                item,
                format!(
                    "unknown branding item {:?} (known: {})",
                    item.get_ref(),
                    known.join(", ")
                ),
            );
        }
    }
    let mut ids = BTreeSet::new();
    for c in &raw.clauses {
        let id = c.id.get_ref();
        if !valid_clause_id(id) {
            l.at(
                &c.id,
                format!("clause id {id:?} is not of the form A.1 or C.7.iv"),
            );
        } else if !ids.insert(id.clone()) {
            l.at(&c.id, format!("clause {id} is defined twice"));
        }
        if c.title.get_ref().trim().is_empty() {
            l.at(&c.title, format!("clause {id} has an empty title"));
        }
        if c.text.get_ref().trim().is_empty() {
            l.at(&c.text, format!("clause {id} has an empty text"));
        }
    }
    let mut signals_seen = BTreeSet::new();
    for r in &raw.moderation {
        let sig = r.signal.get_ref();
        if !SIGNALS.contains(&sig.as_str()) {
            l.at(
                &r.signal,
                format!("unknown signal {sig:?} (known: {})", SIGNALS.join(", ")),
            );
        } else if !signals_seen.insert(sig.clone()) {
            l.at(&r.signal, format!("signal {sig} has two moderation rules"));
        }
        if r.clauses.get_ref().is_empty() {
            l.at(&r.clauses, format!("the rule for {sig} names no clause"));
        }
        for c in r.clauses.get_ref() {
            if !c.starts_with("C.7.") || !ids.contains(c) {
                l.at(
                    &r.clauses,
                    format!(
                        "the rule for {sig} names {c:?}, which is not a C.7 category of this policy"
                    ),
                );
            }
        }
        let t = *r.threshold.get_ref();
        if !(t > 0.0 && t <= 1.0) {
            let at = if r.threshold.span().is_empty() {
                r.signal.span()
            } else {
                r.threshold.span()
            };
            let line = l.line_of(at.start);
            l.errors.push(PolicyError {
                line,
                message: format!("the threshold for {sig} must be above 0 and at most 1"),
            });
        }
        if *r.auto_remove.get_ref() && !AUTO_REMOVABLE.contains(&sig.as_str()) {
            l.at(
                &r.auto_remove,
                format!(
                    "{sig} cannot be removed without review: automatic removal is only for categories that do not depend on viewpoint ({})",
                    AUTO_REMOVABLE.join(", ")
                ),
            );
        }
    }
    for o in &raw.moderation_override {
        let sig = o.signal.get_ref();
        if o.site.get_ref().trim().is_empty() {
            l.at(&o.site, "a site override needs the site's handle");
        }
        if !signals_seen.contains(sig) {
            l.at(
                &o.signal,
                format!("the site override names {sig:?}, which has no moderation rule"),
            );
        }
        if let Some(t) = &o.threshold
            && !(*t.get_ref() > 0.0 && *t.get_ref() <= 1.0)
        {
            l.at(
                t,
                format!("the threshold for {sig} must be above 0 and at most 1"),
            );
        }
        if let Some(a) = &o.auto_remove
            && *a.get_ref()
            && !AUTO_REMOVABLE.contains(&sig.as_str())
        {
            l.at(
                a,
                format!("{sig} cannot be removed without review, on any site"),
            );
        }
        if o.threshold.is_none() && o.auto_remove.is_none() {
            l.at(
                &o.site,
                format!(
                    "the site override for {sig} changes nothing (give threshold or auto_remove)"
                ),
            );
        }
    }
    for n in CATEGORY_NUMERALS {
        let id = format!("C.7.{n}");
        if !ids.contains(&id) {
            l.nowhere(format!(
                "clause {id} is missing: every C.7 comment category must be present"
            ));
        }
    }
    if !l.errors.is_empty() {
        l.errors.sort_by_key(|e| e.line);
        return Err(l.errors);
    }
    let settings = Settings {
        official_website: s.official_website.get_ref().clone(),
        official_email_domains: s
            .official_email_domains
            .get_ref()
            .iter()
            .map(|d| d.get_ref().to_lowercase())
            .collect(),
        blocked_domains: s
            .blocked_domains
            .iter()
            .map(|d| blocked_domain(d.get_ref()))
            .collect(),
        timezone: tz.clone(),
        police_referral: pr.clone(),
        business_hours: BusinessHours {
            days: h
                .days
                .get_ref()
                .iter()
                .map(|d| d.get_ref().clone())
                .collect(),
            open: h.open.get_ref().clone(),
            close: h.close.get_ref().clone(),
            weekend_coverage: h.weekend_coverage.get_ref().clone(),
        },
        holidays: s
            .holidays
            .iter()
            .map(|h| Holiday {
                date: h.date.get_ref().clone(),
                name: h.name.clone(),
            })
            .collect(),
        retention: r.clone(),
        branding_required: s
            .branding
            .required
            .iter()
            .map(|i| i.get_ref().clone())
            .collect(),
    };
    let clauses = raw
        .clauses
        .into_iter()
        .map(|c| Clause {
            id: c.id.into_inner(),
            section: c.section,
            title: c.title.into_inner(),
            text: c.text.into_inner().trim().to_string(),
        })
        .collect();
    let moderation = raw
        .moderation
        .into_iter()
        .map(|r| ModerationRule {
            signal: r.signal.into_inner(),
            clauses: r.clauses.into_inner(),
            threshold: r.threshold.into_inner(),
            auto_remove: r.auto_remove.into_inner(),
        })
        .collect();
    let overrides = raw
        .moderation_override
        .into_iter()
        .map(|o| SiteOverride {
            site: o.site.into_inner(),
            signal: o.signal.into_inner(),
            threshold: o.threshold.map(Spanned::into_inner),
            auto_remove: o.auto_remove.map(Spanned::into_inner),
        })
        .collect();
    Ok(Policy {
        meta: raw.policy.into_inner(),
        settings,
        clauses,
        moderation,
        overrides,
    })
}

/// A blocked domain as links are compared with it: trimmed, lower-cased, without `www.` (a
/// link's host is read without it too).
pub fn blocked_domain(entry: &str) -> String {
    let d = entry.trim().to_lowercase();
    d.strip_prefix("www.").map(str::to_string).unwrap_or(d)
}

/// The website's host as the city's domain: lower-cased, without `www.`.
fn website_domain(url: &WebUrl) -> String {
    let host = url.host();
    host.strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host)
}

impl Settings {
    /// The city's own domains: its email domains and its website's host (without `www.`).
    pub fn official_domains(&self) -> Vec<String> {
        let mut domains = self.official_email_domains.clone();
        if let Ok(url) = WebUrl::parse_field("settings.official_website", &self.official_website) {
            domains.push(website_domain(&url));
        }
        domains
    }
}

/// Checks an email address against a policy's official domains.
pub fn official_email(policy: &Policy, field: &str, value: &str) -> crate::Result<Email> {
    Email::parse_official(field, value, &policy.settings.official_email_domains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_parses_with_every_clause() {
        let p = Policy::default_policy().unwrap();
        assert_eq!(p.comment_categories().count(), 21);
        assert_eq!(p.clauses.len(), 70);
        assert_eq!(p.settings.police_referral.phone, "909-399-5411");
        assert!(p.clause("B.18").unwrap().text.contains("Brown Act"));
        assert!(p.clause("C.7.xvii").unwrap().text.contains("909-399-5411"));
        assert_eq!(
            p.settings.official_email_domains,
            vec!["ci.claremont.ca.us"]
        );
    }

    #[test]
    fn blocked_domains_are_read_and_bad_ones_named_at_their_line() {
        assert!(
            Policy::default_policy()
                .unwrap()
                .settings
                .blocked_domains
                .is_empty()
        );
        let set = |list: &str| {
            DEFAULT_POLICY.replacen(
                "blocked_domains = []",
                &format!("blocked_domains = [\n  {list}\n]"),
                1,
            )
        };
        let p = parse(&set(
            "\"Scam-Deals.net\", \"free-prizes.example.com\", \" www.bad.example \"",
        ))
        .unwrap();
        assert_eq!(
            p.settings.blocked_domains,
            vec!["scam-deals.net", "free-prizes.example.com", "bad.example"]
        );
        let line = DEFAULT_POLICY
            .lines()
            .position(|l| l.starts_with("blocked_domains"))
            .unwrap()
            + 2;
        for (bad, says) in [
            ("\"https://scam-deals.net/x\"", "is not a domain name"),
            ("\"scam deals\"", "is not a domain name"),
            ("\"claremont.ca.us\"", "would block the city's own domain"),
            ("\"co.uk\"", "is a public suffix"),
            ("\"github.io\"", "is a public suffix"),
            ("\"bücher.example\"", "xn-- form"),
        ] {
            let errs = parse(&set(bad)).unwrap_err();
            assert_eq!(errs.len(), 1, "{bad}: {errs:?}");
            assert_eq!(errs[0].line, line, "{bad}: {errs:?}");
            assert!(
                errs[0].message.contains("settings.blocked_domains")
                    && errs[0].message.contains(says),
                "{bad}: {errs:?}"
            );
        }
    }

    #[test]
    fn errors_name_their_line() {
        let bad = DEFAULT_POLICY.replacen(
            "official_website = \"https://www.ci.claremont.ca.us\"",
            "official_website = \"www\"",
            1,
        );
        let errs = parse(&bad).unwrap_err();
        let line = DEFAULT_POLICY
            .lines()
            .position(|l| l.starts_with("official_website"))
            .unwrap()
            + 1;
        assert_eq!(errs[0].line, line, "{errs:?}");
        assert!(errs[0].message.contains("official_website"), "{errs:?}");
    }

    #[test]
    fn syntax_errors_and_unknown_keys_name_their_line() {
        let errs = parse("format = 1\n[policy]\nname = \n").unwrap_err();
        assert_eq!(errs[0].line, 3);
        let bad = DEFAULT_POLICY.replacen(
            "[settings]\n",
            "[settings]\nfavourite_colour = \"blue\"\n",
            1,
        );
        let errs = parse(&bad).unwrap_err();
        assert!(errs[0].message.contains("favourite_colour"), "{errs:?}");
        assert!(errs[0].line > 1);
    }

    #[test]
    fn missing_category_duplicate_clause_and_short_retention_are_reported() {
        let bad = DEFAULT_POLICY
            .replacen("id = \"C.7.v\"", "id = \"C.7.iv\"", 1)
            .replacen("minimum_years = 2", "minimum_years = 1", 1);
        let errs = parse(&bad).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("C.7.iv is defined twice")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("C.7.v is missing")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("34090")), "{msgs:?}");
    }

    #[test]
    fn moderation_rules_map_every_signal_and_guard_auto_removal() {
        let p = Policy::default_policy().unwrap();
        assert_eq!(p.moderation.len(), SIGNALS.len());
        assert!(
            p.moderation.iter().all(|r| !r.auto_remove),
            "the default never removes on its own"
        );
        let spam = "signal = \"spam\"\nclauses = [\"C.7.v\"]\nthreshold = 0.5";
        let opt_in = DEFAULT_POLICY.replacen(spam, &format!("{spam}\nauto_remove = true"), 1);
        assert!(
            parse(&opt_in)
                .unwrap()
                .moderation
                .iter()
                .any(|r| r.signal == "spam" && r.auto_remove)
        );
        let insult = "signal = \"insult\"\nclauses = [\"C.7.i\", \"C.7.vii\"]\nthreshold = 0.5";
        let viewpoint =
            DEFAULT_POLICY.replacen(insult, &format!("{insult}\nauto_remove = true"), 1);
        let errs = parse(&viewpoint).unwrap_err();
        assert!(
            errs[0]
                .message
                .contains("insult cannot be removed without review"),
            "{errs:?}"
        );
        assert!(errs[0].line > 0);
        let bad = DEFAULT_POLICY
            .replacen(
                "signal = \"toxicity\"\nclauses = [\"C.7.i\"]",
                "signal = \"toxicity\"\nclauses = [\"B.3\"]",
                1,
            )
            .replacen("signal = \"off_topic\"", "signal = \"rudeness\"", 1);
        let msgs: Vec<String> = parse(&bad)
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("\"B.3\", which is not a C.7 category")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown signal \"rudeness\"")),
            "{msgs:?}"
        );
    }

    #[test]
    fn site_overrides_change_one_site_only_and_keep_the_guard() {
        let add = "\n[[moderation_override]]\nsite = \"parks.arborvale.example\"\nsignal = \"spam\"\nthreshold = 0.8\nauto_remove = true\n";
        let p = parse(&format!("{DEFAULT_POLICY}{add}")).unwrap();
        let spam =
            |rules: Vec<ModerationRule>| rules.into_iter().find(|r| r.signal == "spam").unwrap();
        assert_eq!(
            spam(p.rules_for(Some("parks.arborvale.example"))).threshold,
            0.8
        );
        assert!(spam(p.rules_for(Some("parks.arborvale.example"))).auto_remove);
        assert_eq!(spam(p.rules_for(Some("other"))).threshold, 0.5);
        assert!(!spam(p.rules_for(None)).auto_remove);
        let bad =
            "\n[[moderation_override]]\nsite = \"x\"\nsignal = \"insult\"\nauto_remove = true\n";
        let errs = parse(&format!("{DEFAULT_POLICY}{bad}")).unwrap_err();
        assert!(
            errs[0]
                .message
                .contains("insult cannot be removed without review, on any site"),
            "{errs:?}"
        );
        let empty = "\n[[moderation_override]]\nsite = \"x\"\nsignal = \"spam\"\n";
        assert!(
            parse(&format!("{DEFAULT_POLICY}{empty}")).unwrap_err()[0]
                .message
                .contains("changes nothing")
        );
    }

    #[test]
    fn clause_ids() {
        for ok in ["A.1", "B.27", "C.7.xxi", "C.7.iv"] {
            assert!(valid_clause_id(ok), "{ok}");
        }
        for bad in ["A", "a.1", "C.7.xxii", "C.7.iv.x", "B.", "B.1234"] {
            assert!(!valid_clause_id(bad), "{bad}");
        }
    }
}
