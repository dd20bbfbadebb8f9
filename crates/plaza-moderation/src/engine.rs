//! The engine: one comment in, a score per signal, the C.7 clauses it may violate (with
//! evidence in the original text) and a decision out. Deterministic: the same comment, policy,
//! model and history give the same answer.

use crate::detect::repeats::Tracker;
use crate::detect::{gibberish, links, phrases, pii};
use crate::features::{Hasher, words};
use crate::lexicon;
use crate::linear::{Linear, Packed};
use crate::normalize::{Normalized, normalize};
use plaza_core::policy::{ModerationRule, Policy, SIGNALS};

/// The spam score a referral, affiliate or ad-click link gives on its own (all 23 such links in
/// the labelled YouTube comments are spam; none of Plaza's civic links is one).
const REFERRAL_SPAM: f32 = 0.6;

/// What spam words a resident uses too ([`lexicon::List::SpamWord`]) add to the spam score when
/// nothing else in the comment is spam-like.
const WEAK_SPAM_WORD: f32 = 0.15;

/// The solicitation score of money raised named without an ask, a payment handle or a link
/// ("the library fundraiser was a hit"): below the line, for the desk to see.
const FUNDS_MENTIONED: f32 = 0.4;

/// What the learned spam score counts for in a comment with nothing to promote: no link, handle,
/// sum of money, promoted thing or request ([`lexicon::List::PromotionCue`] and the spam lists).
/// Spam sells or asks for something; without that, what the model reads as spam is the shape
/// of a fan's comment ("epic", "I'm watching this in 2014", "YouTube is so popular"). With
/// each video scored by a model that never saw it, engine spam F1 went 0.922 -> 0.945 (01),
/// 0.908 -> 0.916 (04) and 0.957 -> 0.972 (07); 0.7 gave 0.943, 0.908 and 0.970.
const NO_PROMOTION_SPAM: f32 = 0.5;

/// A comment to assess. Only `text` is required.
#[derive(Debug, Clone, Default)]
pub struct Comment<'a> {
    pub text: &'a str,
    pub author: Option<&'a str>,
    pub site: Option<&'a str>,
    /// The post or thread the comment belongs to.
    pub thread: Option<&'a str>,
    /// The text it replies to (for off-topic).
    pub parent_text: Option<&'a str>,
    /// When it was posted, in milliseconds (for repeats and floods).
    pub at_ms: Option<i64>,
}

/// A span of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A clause the comment may violate.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseHit {
    pub clause: String,
    pub score: f32,
    pub signals: Vec<&'static str>,
    pub evidence: Vec<Evidence>,
}

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Review,
    Remove,
}

impl Decision {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Review => "review",
            Decision::Remove => "remove",
        }
    }
}

/// The engine's answer for one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// One score per signal, in the order of [`SIGNALS`].
    pub signals: Vec<(&'static str, f32)>,
    pub clauses: Vec<ClauseHit>,
    pub decision: Decision,
    /// C.7.xvii: the comment reports a crime or an emergency; reply with the police referral
    /// and escalate.
    pub escalate: bool,
}

/// The benchmarks' groups of signals: "offensive" is any of the eight toxicity-family signals
/// (the first eight of [`SIGNALS`], toxicity to harassment), "hate" identity_hate, "spam" spam
/// or self_promotion.
pub const OFFENSIVE_GROUP: &[&str] = SIGNALS.split_at(8).0;
pub const HATE_GROUP: &[&str] = &["identity_hate"];
pub const SPAM_GROUP: &[&str] = &["spam", "self_promotion"];

impl Assessment {
    /// The score of the signal named `name` (0 for a name that is not a signal).
    pub fn signal(&self, name: &str) -> f32 {
        self.signals
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0.0, |(_, v)| *v)
    }

    /// The highest score of the signals named in `group`.
    pub fn group(&self, group: &[&str]) -> f32 {
        group.iter().map(|n| self.signal(n)).fold(0.0, f32::max)
    }
}

/// The moderation engine.
#[derive(Debug, Clone)]
pub struct Engine {
    hasher: Hasher,
    model: Option<Linear>,
    /// The model's weights interleaved by feature, for scoring every label in one pass.
    packed: Packed,
    rules: Vec<ModerationRule>,
    /// Rules of the sites that have their own overrides (C.10), by site handle.
    site_rules: std::collections::HashMap<String, Vec<ModerationRule>>,
    links: links::LinkPolicy,
    tracker: Tracker,
    /// The id under which the caller stores the policy version this engine follows (the
    /// store's version id), so that each assessment can name the version that judged it;
    /// `None` for an engine built from a file.
    policy_version: Option<i64>,
    /// The identity of the model this engine scores with ([`crate::model_id`]), if its caller
    /// named it, so that each stored assessment can name the model that judged it.
    model_id: Option<String>,
}

fn idx(signal: &str) -> usize {
    SIGNALS.iter().position(|s| *s == signal).unwrap_or(0)
}

impl Engine {
    /// An engine for a policy, with a trained model (or none: rules and lists only).
    pub fn new(policy: &Policy, model: Option<Linear>) -> Engine {
        let hasher = Hasher {
            dims: model.as_ref().map(|m| m.dims).unwrap_or(1 << 18),
        };
        let packed = model.as_ref().map(Linear::packed).unwrap_or_default();
        Engine {
            hasher,
            model,
            packed,
            rules: policy.moderation.clone(),
            site_rules: policy
                .overrides
                .iter()
                .map(|o| (o.site.clone(), policy.rules_for(Some(&o.site))))
                .collect(),
            links: links::LinkPolicy {
                official: policy.settings.official_domains(),
                blocklist: policy.settings.blocked_domains.iter().cloned().collect(),
            },
            tracker: Tracker::new(60 * 60_000),
            policy_version: None,
            model_id: None,
        }
    }

    /// Names the model the engine was built with (see [`Engine::model_id`]).
    pub fn with_model_id(mut self, id: impl Into<String>) -> Self {
        self.model_id = Some(id.into());
        self
    }

    /// The identity of the engine's model, if its caller named one.
    pub fn model_id(&self) -> Option<&str> {
        self.model_id.as_deref()
    }

    /// Names the stored policy version the engine was built from (see
    /// [`Engine::policy_version`]).
    pub fn with_policy_version(mut self, version: i64) -> Self {
        self.policy_version = Some(version);
        self
    }

    /// The stored policy version this engine follows, if its caller named one.
    pub fn policy_version(&self) -> Option<i64> {
        self.policy_version
    }

    /// Adopts another policy version (its rules, site overrides, official domains and
    /// blocklist; a list added with [`Engine::with_blocklist`] is dropped), keeping the model
    /// and what the engine has seen (repeats and floods within the hour), so that a running
    /// capture follows a policy loaded while it runs.
    pub fn set_policy(&mut self, policy: &Policy, version: Option<i64>) {
        let fresh = Engine::new(policy, None);
        self.rules = fresh.rules;
        self.site_rules = fresh.site_rules;
        self.links = fresh.links;
        self.policy_version = version;
    }

    /// Adds a blocklist (one domain a line) to the policy's `blocked_domains`.
    pub fn with_blocklist(mut self, text: &str) -> Self {
        self.links = self.links.with_blocklist(text);
        self
    }

    /// The lowest threshold any rule sets for a signal: evidence is only worth computing above it.
    fn floor(&self, signal: &str) -> f32 {
        self.rules
            .iter()
            .filter(|r| r.signal == signal)
            .map(|r| r.threshold as f32)
            .fold(f32::INFINITY, f32::min)
    }

    /// A learned label's probability `p` for text with features `x`, with some words' own
    /// n-grams (each word and its character n-grams) taken out of the sum: for words a rule
    /// has recognised as benign, whose learned weight would otherwise still carry the score.
    /// Only weight that pushes the label up is taken out.
    fn without_words(&self, label: &str, p: f32, words: &[String], x: &[(u32, f32)]) -> f32 {
        if words.is_empty() {
            return p;
        }
        let (Some(m), Some(&(_, value))) = (&self.model, x.first()) else {
            return p;
        };
        let Some(l) = m.labels.iter().position(|n| n == label) else {
            return p;
        };
        // every feature of the text has the same value (features.rs)
        let weight: f32 = words
            .iter()
            .map(|w| {
                self.hasher
                    .ngram_features(w)
                    .iter()
                    .map(|(j, _)| m.weights[l].get(*j as usize).copied().unwrap_or(0.0))
                    .sum::<f32>()
                    .max(0.0)
            })
            .sum::<f32>()
            * value;
        if weight <= 0.0 || p <= 0.0 || p >= 1.0 {
            return p;
        }
        let z = (p / (1.0 - p)).ln() - weight;
        1.0 / (1.0 + (-z).exp())
    }

    /// The words that pushed a learned label up the most (up to three), as original spans.
    fn strongest(&self, label: &str, norm: &Normalized) -> Vec<(usize, usize)> {
        let Some(m) = &self.model else { return vec![] };
        let Some(l) = m.labels.iter().position(|x| x == label) else {
            return vec![];
        };
        let mut words: Vec<(f32, usize, usize)> = Vec::new();
        let mut chars = 0;
        for word in norm.text.split(' ') {
            let n = word.chars().count();
            let core: &str = word.trim_matches(|c: char| !c.is_alphanumeric());
            if !core.is_empty() {
                let w: f32 = self
                    .hasher
                    .ngram_features(core)
                    .iter()
                    .map(|(j, v)| m.weights[l].get(*j as usize).copied().unwrap_or(0.0) * v)
                    .sum();
                let lead = word.chars().take_while(|c| !c.is_alphanumeric()).count();
                words.push((w, chars + lead, chars + lead + core.chars().count()));
            }
            chars += n + 1;
        }
        words.sort_by(|a, b| b.0.total_cmp(&a.0));
        words
            .into_iter()
            .filter(|(w, _, _)| *w > 0.5)
            .take(3)
            .filter_map(|(_, a, b)| norm.original_span(a, b))
            .collect()
    }

    /// Assesses one comment.
    pub fn assess(&mut self, c: &Comment<'_>) -> Assessment {
        let text = c.text;
        let norm = normalize(text);
        let x = self.hasher.features(&norm.text);
        let mut score = [0.0f32; SIGNALS.len()];
        // evidence as spans of the original; text is attached only to the clauses that are hit
        let mut evidence: Vec<Vec<(usize, usize)>> = vec![Vec::new(); SIGNALS.len()];
        let ev = |fs: &[(usize, usize)]| -> Vec<(usize, usize)> { fs.to_vec() };
        let (
            [
                obscene,
                insult,
                threat,
                sexual,
                illegal,
                promo,
                spam_words,
                weak_spam_words,
                agreement,
                bait,
                cue_words,
                second_person,
                groups,
                dehumanizing,
                praise_slang,
            ],
            idioms,
        ) = lexicon::find_all(text, &norm);
        let found_links = links::find(text, &self.links);
        // the words said besides the links (see `links::Link::ordinary`), counted in the
        // normalised text, where markup is read; only a post's link needs them
        let said = if found_links
            .iter()
            .any(|l| l.flags.contains(&links::Flag::Post))
        {
            found_links.iter().fold(words(&norm.text).count(), |n, l| {
                n.saturating_sub(words(&normalize(&text[l.start..l.end]).text).count())
            })
        } else {
            0
        };
        let ordinary = |l: &links::Link| l.ordinary(said);
        let money = money_figure(text);
        // anything promoted or asked for (see `NO_PROMOTION_SPAM`)
        let promotes = !cue_words.is_empty()
            || !promo.is_empty()
            || !spam_words.is_empty()
            || !weak_spam_words.is_empty()
            || !agreement.is_empty()
            || !bait.is_empty()
            || found_links.iter().any(|l| !ordinary(l))
            || text.contains('@')
            || money;
        // spam words read as benign where they stand lose their hit, and below their learned
        // weight: "subscribe to the council agenda emails" is civic, not a plea for
        // subscribers, and "you are so close to 14,000,000 subscribers" is a fan's talk
        let (benign_spam_words, mut spammy): (Vec<_>, Vec<_>) =
            spam_words.into_iter().partition(|&(start, end)| {
                civic_subscription(text, start, end) || others_subscribers(text, start, end)
            });
        spammy.extend(bait.iter().copied());
        spammy.sort_unstable();
        let second = !second_person.is_empty() || text.contains('@');
        let learned: Vec<f32> = match &self.model {
            Some(m) => m.scores_packed(&self.packed, &x),
            None => Vec::new(),
        };
        let label = |name: &str| -> f32 {
            self.model
                .as_ref()
                .and_then(|m| m.labels.iter().position(|l| l == name))
                .and_then(|i| learned.get(i).copied())
                .unwrap_or(0.0)
        };
        // the learned labels read Latin-script text only; for other scripts their score is
        // noise from hash collisions, which sent ordinary questions in Korean to review
        let reads = latin_share(&norm.text);
        // Where a rule has read words as benign, their own learned weight is taken out too, or
        // the model would carry the score the rule explained away: an idiom's words ("Hell's
        // Kitchen") for the abuse labels, spam words read as benign ("subscribe" as a
        // resident's wish for the city's newsletter), and a request for agreement ("thumbs up
        // if you agree") for spam.
        let words_of = |spans: &[(usize, usize)]| -> Vec<String> {
            spans
                .iter()
                .flat_map(|&(s, e)| {
                    words(&normalize(&text[s..e]).text)
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let mut idiom_words = words_of(&idioms);
        // praise slang in a comment that addresses nobody and has no listed abuse
        if !praise_slang.is_empty()
            && !second
            && obscene.is_empty()
            && insult.is_empty()
            && dehumanizing.is_empty()
        {
            idiom_words.extend(words_of(&praise_of_things(text, &praise_slang)));
        }
        let offensive =
            self.without_words("offensive", label("offensive"), &idiom_words, &x) * reads;
        let hate = self.without_words("hate", label("hate"), &idiom_words, &x) * reads;
        let mut benign_for_spam = words_of(&agreement);
        benign_for_spam.extend(words_of(&benign_spam_words));
        benign_for_spam.extend(benign_checks(&norm.text));
        // the words of an ordinary link (the city's pages, a government's, one post) are not
        // the spam the model learned links to be; of a post's link, only the platform's own
        // words and the IDs, since the rest (a page's name, a thread's title) is the poster's
        for l in found_links.iter().filter(|l| ordinary(l)) {
            if l.flags.contains(&links::Flag::Post) {
                // read as written (normalising first would turn an ID's digits into letters)
                let raw = text[l.start..l.end].to_ascii_lowercase();
                for w in words(&raw).filter(|w| l.platform_word(w)) {
                    benign_for_spam.extend(words(&normalize(w).text).map(str::to_string));
                }
            } else {
                benign_for_spam.extend(words_of(&[(l.start, l.end)]));
            }
        }
        let spam_model = self.without_words("spam", label("spam"), &benign_for_spam, &x)
            * reads
            * if promotes { 1.0 } else { NO_PROMOTION_SPAM };
        let bare = |v: &[(usize, usize)], s: f32| if v.is_empty() { 0.0 } else { s };
        // learned and listed
        score[idx("obscene")] = bare(&obscene, 0.9).max(offensive * 0.6);
        evidence[idx("obscene")] = ev(&obscene);
        score[idx("insult")] = bare(&insult, if second { 0.85 } else { 0.6 }).max(if second {
            offensive * 0.7
        } else {
            0.0
        });
        evidence[idx("insult")] = ev(&insult);
        score[idx("threat")] = bare(&threat, 0.9);
        evidence[idx("threat")] = ev(&threat);
        score[idx("sexual_explicit")] = bare(&sexual, 0.8);
        evidence[idx("sexual_explicit")] = ev(&sexual);
        // The hate model learns from OLID's non-offensive tweets as negatives too (train.rs), so
        // it no longer fires on political talk in general and needs no other sign of offence.
        // Identity hate needs an identity: a group named, a slur, or a confident model. A
        // borderline score on a comment with none ("that proposal is stupid") is discounted,
        // so that sharp criticism is not filed under C.7.vi/viii (validation: hate 0.680 ->
        // 0.682, offensive unchanged; factors 0.7, 0.8 and 0.9 were compared).
        let identity_cue = !groups.is_empty() || !obscene.is_empty() || hate >= 0.7;
        score[idx("identity_hate")] = if identity_cue { hate } else { hate * 0.9 };
        if hate >= self.floor("identity_hate") {
            evidence[idx("identity_hate")] = self.strongest("hate", &norm);
        }
        // a protected group and a dehumanising word in one sentence
        let pair = group_attack(text, &groups, &dehumanizing);
        if !pair.is_empty() {
            score[idx("identity_hate")] = score[idx("identity_hate")].max(0.6);
            evidence[idx("identity_hate")].extend(pair);
        }
        let toxicity = offensive
            .max(score[idx("obscene")] * 0.9)
            .max(score[idx("insult")])
            .max(score[idx("threat")]);
        score[idx("toxicity")] = toxicity;
        evidence[idx("toxicity")] = {
            let mut e = ev(&[obscene.clone(), insult.clone(), threat.clone()].concat());
            if e.is_empty() && toxicity >= self.floor("toxicity") {
                e = self.strongest("offensive", &norm);
            }
            e
        };
        let severe = toxicity >= 0.8
            && (score[idx("threat")] >= 0.5
                || hate >= 0.5
                || (!obscene.is_empty() && !insult.is_empty()));
        score[idx("severe_toxicity")] = if severe { toxicity } else { toxicity * 0.4 };
        evidence[idx("severe_toxicity")] = evidence[idx("toxicity")].clone();
        score[idx("harassment")] = if second {
            score[idx("insult")].max(score[idx("threat")])
        } else {
            score[idx("threat")] * 0.6
        };
        evidence[idx("harassment")] = ev(&[insult.clone(), threat.clone()].concat());
        // spam and promotion
        let link_bonus = if found_links.iter().any(|l| !ordinary(l)) {
            0.15
        } else {
            0.0
        };
        // a referral, affiliate or ad-click link is advertising whatever the words around it
        let referral = found_links
            .iter()
            .any(|l| l.flags.contains(&links::Flag::Referral));
        // "click here for the agenda" pointing only at the city's own pages is help, not spam
        let only_official = !found_links.is_empty()
            && found_links
                .iter()
                .all(|l| l.flags.contains(&links::Flag::Official));
        if only_official {
            spammy.retain(|&(s, e)| !text[s..e].to_ascii_lowercase().starts_with("click"));
        }
        // words a resident uses too ("the winner", "a discount", "DM me") count only beside
        // another sign of spam: a spam phrase, another such word ("crypto ... WhatsApp"), or
        // a price beside a sales word ("CHEAP RAY-BANS 90% OFF"); alone they add a little.
        // (A link is not a sign: "the art contest winner, story at dailybulletin.com".)
        let weak = if weak_spam_words.is_empty() {
            0.0
        } else if !spammy.is_empty()
            || distinct_words(text, &weak_spam_words) >= 2
            || (money
                && weak_spam_words.iter().any(|&(s, e)| {
                    let w = text[s..e].to_lowercase();
                    w == "cheap" || w == "discount"
                }))
        {
            spammy.extend(weak_spam_words.iter().copied());
            spammy.sort_unstable();
            0.0
        } else {
            WEAK_SPAM_WORD
        };
        score[idx("spam")] = (spam_model
            + link_bonus
            + weak
            + match (spammy.len(), bait.len()) {
                (0, _) => 0.0,
                (1, 1) => 0.5,
                (1, _) => 0.4,
                _ => 0.55,
            })
        .min(1.0)
        .max(if referral { REFERRAL_SPAM } else { 0.0 });
        evidence[idx("spam")] = {
            let mut e = ev(&spammy);
            if weak > 0.0 {
                e.extend(weak_spam_words.iter().copied());
            }
            e.extend(found_links.iter().map(|l| (l.start, l.end)));
            if e.is_empty() && spam_model >= self.floor("spam") {
                e = self.strongest("spam", &norm);
            }
            e
        };
        score[idx("self_promotion")] =
            bare(&promo, 0.75).max(if promo.is_empty() { 0.0 } else { spam_model });
        evidence[idx("self_promotion")] = ev(&promo);
        // rules
        let phrase_hits = phrases::find(text, &norm);
        for (kind, signal) in [
            (phrases::Phrase::Solicitation, "solicitation"),
            (phrases::Phrase::CrimeReport, "crime_report"),
            (phrases::Phrase::LegalNotice, "legal_notice"),
            (phrases::Phrase::BusinessProposal, "business_proposal"),
        ] {
            let mut hits: Vec<(usize, usize)> = phrase_hits
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| (f.start, f.end))
                .collect();
            score[idx(signal)] = match hits.len() {
                0 => 0.0,
                1 => 0.7,
                _ => 0.9,
            };
            if kind == phrases::Phrase::Solicitation {
                // "the library fundraiser was a hit" names money without asking for it
                // ("send donations" is an ask; the "donations" inside it is not counted again)
                let asks = hits.clone();
                let mentioned: Vec<(usize, usize)> = phrase_hits
                    .iter()
                    .filter(|f| f.kind == phrases::Phrase::FundsMentioned)
                    .map(|f| (f.start, f.end))
                    .filter(|&(s, e)| !asks.iter().any(|&(a, b)| s < b && a < e))
                    .collect();
                if !mentioned.is_empty() {
                    score[idx(signal)] = if asks.is_empty() {
                        FUNDS_MENTIONED
                    } else {
                        0.9
                    };
                    hits.extend(mentioned);
                    hits.sort_unstable();
                }
            }
            evidence[idx(signal)] = ev(&hits);
        }
        let bad_links: Vec<(usize, usize)> = found_links
            .iter()
            .filter(|l| l.malicious())
            .map(|l| (l.start, l.end))
            .collect();
        let odd_links: Vec<(usize, usize)> = found_links
            .iter()
            .filter(|l| {
                !l.malicious()
                    && (l.flags.contains(&links::Flag::Shortener)
                        || l.flags.contains(&links::Flag::Obfuscated))
            })
            .map(|l| (l.start, l.end))
            .collect();
        score[idx("malicious_link")] = if !bad_links.is_empty() {
            0.95
        } else if !odd_links.is_empty() {
            0.4
        } else {
            0.0
        };
        evidence[idx("malicious_link")] = ev(&[bad_links, odd_links].concat());
        // a mailbox at the city's own domain is a public office's address, not a person's
        let mut personal = pii::find(text);
        personal.retain(|f| {
            f.kind != pii::Pii::Email
                || !pii::mail_domain(&text[f.start..f.end])
                    .is_some_and(|domain| self.links.is_official(&domain))
        });
        // A phone number or a street address alone is most often a public one ("call the
        // police non-emergency line at ...", "the pothole at 123 Main St"); it is doxxing when
        // it is tied to a person, or comes with other personal information.
        let kinds = {
            let mut k: Vec<pii::Pii> = personal.iter().map(|f| f.kind).collect();
            k.sort_by_key(|k| k.as_str());
            k.dedup();
            k
        };
        let only_public_kinds = kinds
            .iter()
            .all(|k| matches!(k, pii::Pii::Phone | pii::Pii::StreetAddress));
        score[idx("personal_info")] = if kinds
            .iter()
            .any(|k| matches!(k, pii::Pii::Ssn | pii::Pii::CardNumber))
        {
            0.99
        } else if personal.is_empty() {
            0.0
        } else if only_public_kinds && kinds.len() == 1 && !about_a_person(&norm.text) {
            0.4
        } else {
            0.9
        };
        evidence[idx("personal_info")] = ev(&personal
            .iter()
            .map(|f| (f.start, f.end))
            .collect::<Vec<_>>());
        score[idx("illegal_activity")] = bare(&illegal, 0.8);
        evidence[idx("illegal_activity")] = ev(&illegal);
        score[idx("unintelligible")] = gibberish::score(&norm.text).max(gibberish::held_keys(text));
        if let (Some(author), Some(at)) = (c.author, c.at_ms) {
            let seen = self.tracker.observe(
                c.site.unwrap_or(""),
                c.thread.unwrap_or(""),
                author,
                at,
                &norm.text,
            );
            score[idx("thread_takeover")] = seen.score();
        }
        score[idx("off_topic")] = off_topic(&norm.text, c.parent_text);
        // clauses and decision
        let mut clauses: Vec<ClauseHit> = Vec::new();
        let mut remove = false;
        let rules = c
            .site
            .and_then(|site| self.site_rules.get(site))
            .unwrap_or(&self.rules);
        for rule in rules {
            let i = idx(&rule.signal);
            let s = score[i];
            if f64::from(s) < rule.threshold {
                continue;
            }
            remove |= rule.auto_remove;
            for clause in &rule.clauses {
                let hit = match clauses.iter_mut().find(|h| &h.clause == clause) {
                    Some(h) => h,
                    None => {
                        clauses.push(ClauseHit {
                            clause: clause.clone(),
                            score: 0.0,
                            signals: vec![],
                            evidence: vec![],
                        });
                        let last = clauses.len() - 1;
                        &mut clauses[last]
                    }
                };
                hit.score = hit.score.max(s);
                hit.signals.push(SIGNALS[i]);
                for &(start, end) in &evidence[i] {
                    let e = Evidence {
                        start,
                        end,
                        text: text[start..end].to_string(),
                    };
                    if !hit.evidence.contains(&e) {
                        hit.evidence.push(e);
                    }
                }
            }
        }
        clauses.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.clause.cmp(&b.clause)));
        let decision = match (clauses.is_empty(), remove) {
            (true, _) => Decision::Allow,
            (false, true) => Decision::Remove,
            (false, false) => Decision::Review,
        };
        Assessment {
            signals: SIGNALS
                .iter()
                .zip(score)
                .map(|(n, s)| (*n, (s * 1000.0).round() / 1000.0))
                .collect(),
            escalate: score[idx("crime_report")] >= 0.5,
            clauses,
            decision,
        }
    }
}

/// Words that tie a phone number or an address to a person rather than an office.
const PERSONAL_CUES: &[&str] = &[
    "he",
    "she",
    "him",
    "her",
    "his",
    "hers",
    "lives",
    "live",
    "living",
    "guy",
    "woman",
    "man",
    "wife",
    "husband",
    "personal",
    "cell",
    "name",
    "home",
    "resides",
    "neighbor",
    "neighbour",
    "landlord",
    "kid",
    "kids",
    "daughter",
    "son",
];

/// Whether normalised text speaks of a person (see [`PERSONAL_CUES`]); "my home" is the
/// writer's own and does not count.
fn about_a_person(norm: &str) -> bool {
    let words: Vec<&str> = words(norm).collect();
    words.iter().enumerate().any(|(i, w)| {
        let w = w.trim_end_matches("'s");
        PERSONAL_CUES.contains(&w) && !(w == "home" && i > 0 && words[i - 1] == "my")
    })
}

/// Things a city offers subscriptions to: "subscribe" followed closely by one of these is a
/// resident pointing at a service, not a plea for subscribers.
const CIVIC_SUBSCRIPTIONS: &[&str] = &[
    "newsletter",
    "alert",
    "email",
    "e-mail",
    "reminder",
    "update",
    "notification",
    "agenda",
    "calendar",
    "bulletin",
    "text",
    "mailing",
];

/// The words of `text` within `before` words before `start` (nearest first) and `after` words
/// after `end` (in order), normalised as the lists read them (case, apostrophes, character
/// references, leetspeak), for rules that read a list hit in its context.
fn words_around(
    text: &str,
    start: usize,
    end: usize,
    before: usize,
    after: usize,
) -> (Vec<String>, Vec<String>) {
    let read = |part: Vec<&str>| -> Vec<String> {
        words(&normalize(&part.join(" ")).text)
            .map(str::to_string)
            .collect()
    };
    let mut near: Vec<&str> = text[..start]
        .split_whitespace()
        .rev()
        .take(before)
        .collect();
    near.reverse();
    let mut b = read(near);
    b.reverse();
    b.truncate(before);
    let mut a = read(text[end..].split_whitespace().take(after).collect());
    a.truncate(after);
    (b, a)
}

/// Whether the spam word at `start..end` of `text` is "subscribers" not asked for: nobody
/// pleads and neither the writer nor the writer's group speaks within six words before it or
/// three after. "Help me get 100 subscribers", "if we reach 1k subscribers", "at 500
/// subscribers I'm sky diving" and "subscribers please" ask; "you are so close to 14,000,000
/// subscribers" and "I saw the city's channel passed 3,000 subscribers" talk of somebody
/// else's count. In the videos, 21 of the 23 comments with "subscribers" were spam, and 19 of
/// those spoke for the writer or pleaded; the 2 ham ones spoke of the singer.
fn others_subscribers(text: &str, start: usize, end: usize) -> bool {
    if !text[start..end].eq_ignore_ascii_case("subscribers") {
        return false;
    }
    let (before, after) = words_around(text, start, end, 6, 3);
    !before.iter().chain(&after).any(|w| {
        matches!(
            w.as_str(),
            "i" | "i'm"
                | "im"
                | "i'll"
                | "i've"
                | "i'd"
                | "me"
                | "my"
                | "mine"
                | "myself"
                | "we"
                | "we're"
                | "us"
                | "our"
                | "ours"
                | "let's"
                | "lets"
                | "please"
                | "plz"
                | "pls"
        )
    })
}

/// Whether the spam word at `start..end` of `text` is "subscribe to the ..." (or "to the
/// city's ...") naming, within six words, something a city offers subscriptions to, and not a
/// channel or a person ("subscribe for daily updates" and "subscribe to the channel for
/// updates" stay spam words).
fn civic_subscription(text: &str, start: usize, end: usize) -> bool {
    if !text[start..end].eq_ignore_ascii_case("subscribe") {
        return false;
    }
    let (before, words) = words_around(text, start, end, 3, 6);
    let addressed = matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["to", "the" | "city" | "city's", ..]
    );
    let is_personal = |w: &str| ["my", "our", "me", "us", "channel", "channels"].contains(&w);
    let is_civic = |w: &str| CIVIC_SUBSCRIPTIONS.iter().any(|c| w.starts_with(c));
    let personal = words.iter().any(|w| is_personal(w));
    if addressed && !personal && words.iter().any(|w| is_civic(w)) {
        return true;
    }
    // the speaker wants to subscribe to something the city offers: "Is there a newsletter
    // for the senior center? I'd like to subscribe." (asking the reader to subscribe "for
    // daily updates" stays spam)
    let speaker = before
        .iter()
        .any(|w| matches!(w.as_str(), "i" | "i'd" | "i'm" | "we" | "we'd"));
    speaker && {
        let (all_before, all_after) = words_around(text, start, end, usize::MAX, usize::MAX);
        let all: Vec<&String> = all_before.iter().chain(&all_after).collect();
        all.iter().any(|w| is_civic(w)) && !all.iter().any(|w| is_personal(w))
    }
}

/// Latin letters from which the learned labels get their full weight: a few English words
/// are read in full however much text in other scripts surrounds them (filler cannot dilute
/// them).
const LATIN_LETTERS_FOR_FULL_WEIGHT: u32 = 12;

/// "Check" not as in "check out my channel": "check the views", "check if the pool is open",
/// "check on my neighbour". In the videos "check" before out, my, it, this, me or them was spam
/// 225 times and ham once; before the, if, on, back, how or what it was ham 17 times and spam
/// once. Returns the word once per such use, in normalised form.
fn benign_checks(normalized: &str) -> Vec<String> {
    if !normalized.contains("check") {
        return Vec::new();
    }
    let words: Vec<&str> = words(normalized).collect();
    words
        .windows(2)
        .filter(|p| {
            matches!(p[0], "check" | "checked" | "checking" | "checks")
                && matches!(
                    p[1],
                    "the"
                        | "if"
                        | "on"
                        | "back"
                        | "how"
                        | "what"
                        | "whether"
                        | "when"
                        | "where"
                        | "why"
                        | "in"
                        | "for"
                        | "to"
                )
        })
        .map(|p| p[0].to_string())
        .collect()
}

/// Things a resident praises with slang: "sick beat", "a killer show".
const PRAISED_THINGS: &[&str] = &[
    "beat",
    "beats",
    "song",
    "songs",
    "track",
    "tune",
    "music",
    "sound",
    "show",
    "shows",
    "video",
    "set",
    "performance",
    "concert",
    "parade",
    "fireworks",
    "ride",
    "rides",
    "view",
    "views",
    "game",
    "goal",
    "shot",
    "play",
    "dunk",
    "trick",
    "tricks",
    "moves",
    "skills",
    "drop",
    "mural",
    "art",
    "park",
    "trail",
    "food",
    "tacos",
    "pizza",
    "burger",
    "burgers",
    "chili",
    "band",
    "drumline",
    "lineup",
    "festival",
    "fair",
    "event",
    "vibes",
    "vibe",
];

/// Saying something is like that: "the show was sick", "that's fire", "it looks insane".
const COPULAS: &[&str] = &[
    "is", "was", "are", "were", "that's", "thats", "it's", "its", "looks", "looked", "sounds",
    "sounded", "looking", "sounding",
];

/// Words between a copula and the slang: "the show was so sick", "this song is a beast".
const INTENSIFIERS: &[&str] = &[
    "a",
    "an",
    "so",
    "really",
    "totally",
    "absolutely",
    "pretty",
    "straight",
    "literally",
    "just",
    "lowkey",
    "honestly",
    "super",
    "kinda",
    "fricking",
    "freaking",
];

/// The praise slang hits at `spans` of `text` ([`lexicon::List::PraiseSlang`]) said of a
/// thing, in a comment that addresses nobody (the caller checks that): before a thing praised
/// ("sick beat", "a killer show"), or after a copula whose subject is a thing ("the fireworks
/// show was sick", "this song is a beast", "that's fire"), with no person named by a pronoun
/// ("he is sick" is left to the model). Their words lose their learned weight for the abuse
/// labels as an idiom's words do.
fn praise_of_things(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let pronoun = |w: &String| {
        matches!(
            w.as_str(),
            "he" | "she" | "they" | "him" | "her" | "them" | "he's" | "she's" | "they're"
        )
    };
    spans
        .iter()
        .copied()
        .filter(|&(start, end)| {
            // every word before the hit (nearest first) and after it
            let (before, after) = words_around(text, start, end, usize::MAX, usize::MAX);
            if before.iter().chain(&after).any(pronoun) {
                return false;
            }
            let before_thing = after
                .first()
                .is_some_and(|n| PRAISED_THINGS.contains(&n.as_str()));
            let mut rest = before
                .iter()
                .skip_while(|w| INTENSIFIERS.contains(&w.as_str()));
            let said_of_thing = rest.next().is_some_and(|copula| {
                COPULAS.contains(&copula.as_str())
                    && (matches!(copula.as_str(), "that's" | "thats" | "it's" | "its")
                        || rest.take(6).any(|d| {
                            matches!(
                                d.as_str(),
                                "this" | "that" | "the" | "it" | "these" | "those"
                            )
                        }))
            });
            before_thing || said_of_thing
        })
        .collect()
}

/// How many different words (case aside) the spans of `text` hold.
fn distinct_words(text: &str, spans: &[(usize, usize)]) -> usize {
    let mut seen: Vec<String> = spans
        .iter()
        .map(|&(s, e)| text[s..e].to_lowercase())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Whether the text names a sum of money or a percentage ("$5000", "US$500", "5000$", "€20",
/// "90%").
fn money_figure(text: &str) -> bool {
    let b = text.as_bytes();
    text.char_indices().any(|(i, c)| {
        let digit_after = || {
            text[i + c.len_utf8()..]
                .trim_start()
                .starts_with(|d: char| d.is_ascii_digit())
        };
        match c {
            '$' | '€' | '£' => {
                digit_after() || text[..i].ends_with(|d: char| d.is_ascii_digit())
            }
            '%' => i > 0 && b[i - 1].is_ascii_digit(),
            _ => false,
        }
    })
}

/// How much the learned labels' scores count for normalised text: 1 for text with at least
/// [`LATIN_LETTERS_FOR_FULL_WEIGHT`] Latin letters or with none at all, otherwise the share
/// of its letters that are Latin. The learned models were trained on English tweets and
/// comments; normalisation has already mapped Cyrillic and Greek look-alikes used to disguise
/// Latin words to Latin.
fn latin_share(norm: &str) -> f32 {
    if norm.is_ascii() {
        return 1.0;
    }
    let (mut letters, mut latin) = (0u32, 0u32);
    for c in norm.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        // ASCII, Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional
        // (Vietnamese)
        if c.is_ascii_alphabetic()
            || ('\u{00C0}'..='\u{024F}').contains(&c)
            || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        {
            latin += 1;
        }
    }
    if letters == 0 || latin >= LATIN_LETTERS_FOR_FULL_WEIGHT {
        1.0
    } else {
        latin as f32 / letters as f32
    }
}

/// Off-topic relative to the post: a long comment sharing no content word with it. Only ever a
/// reason to review.
fn off_topic(norm: &str, parent: Option<&str>) -> f32 {
    let Some(parent) = parent else { return 0.0 };
    let parent = normalize(parent).text;
    let words = |t: &str| -> std::collections::BTreeSet<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 3)
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (words(norm), words(&parent));
    if a.len() < 8 || b.is_empty() {
        return 0.0;
    }
    if a.intersection(&b).next().is_none() {
        0.55
    } else {
        0.0
    }
}

/// The spans of a protected group and a dehumanising word that share a sentence of the
/// original text, within 100 bytes of each other.
fn group_attack(
    text: &str,
    groups: &[(usize, usize)],
    words: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    for g in groups {
        for w in words {
            let (a, b) = if g.0 < w.0 { (g, w) } else { (w, g) };
            if b.0 >= a.1 && b.0 - a.1 <= 100 && !text[a.1..b.0].contains(['.', '!', '?', '\n']) {
                return vec![*g, *w];
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let p = plaza_core::policy::Policy::default_policy().unwrap();
        Engine::new(&p, None)
    }

    fn assess(e: &mut Engine, text: &str) -> Assessment {
        e.assess(&Comment {
            text,
            ..Comment::default()
        })
    }

    /// A signal's score.
    fn score(a: &Assessment, signal: &str) -> f32 {
        a.signals.iter().find(|(n, _)| *n == signal).unwrap().1
    }

    fn clause_ids(a: &Assessment) -> Vec<&str> {
        a.clauses.iter().map(|c| c.clause.as_str()).collect()
    }

    /// Each of `hate` is identity hate filed under C.7.vi; none of `fine` is identity hate.
    fn assert_identity_hate(hate: &[&str], fine: &[&str]) {
        let mut e = engine();
        for text in hate {
            let a = assess(&mut e, text);
            assert!(score(&a, "identity_hate") >= 0.5, "{text}: {a:?}");
            assert!(clause_ids(&a).contains(&"C.7.vi"), "{text}: {a:?}");
        }
        for text in fine {
            let a = assess(&mut e, text);
            assert!(score(&a, "identity_hate") < 0.5, "{text}: {a:?}");
        }
    }

    #[test]
    fn a_group_and_a_dehumanising_word_in_one_sentence_is_identity_hate() {
        assert_identity_hate(
            &["Honestly, immigrants are vermin and the council knows it"],
            &[
                "The rats at the creek are back. Immigrants run half the shops on Main.",
                "Women's soccer league signups are open until Friday",
                "Thank you to the refugees' aid volunteers at the library",
            ],
        );
    }

    /// Keeping a protected group from office or the vote is discrimination (C.7.vi); wanting
    /// a group treated better, or one official off the council, is not.
    #[test]
    fn keeping_a_group_from_office_or_the_vote_is_identity_hate() {
        assert_identity_hate(
            &[
                "Women shouldn't be on the planning commission",
                "Muslims should not be allowed to hold office here",
                "Immigrants shouldnt be allowed to vote in city elections",
            ],
            &[
                "Refugees shouldn't be allowed to wait this long for housing",
                "Councilmember Ruiz shouldn't be on the council after that vote",
                "Racism against immigrants has no place in our city",
            ],
        );
    }

    #[test]
    fn rules_alone_map_comments_to_clauses_with_evidence() {
        let mut e = engine();
        let a = assess(&mut e, "You are a m0r0n and a f.u.c.k.i.n.g liar");
        assert!(
            clause_ids(&a).contains(&"C.7.i") && clause_ids(&a).contains(&"C.7.vii"),
            "{a:?}"
        );
        assert_eq!(
            a.decision,
            Decision::Review,
            "never removed without the city's opt-in"
        );
        let ev: Vec<&str> = a.clauses[0]
            .evidence
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        assert!(ev.contains(&"m0r0n"), "{ev:?}");
        let a = assess(&mut e, "Someone is breaking into cars on 5th Street");
        assert!(clause_ids(&a).contains(&"C.7.xvii"));
        assert!(a.escalate);
        let a = assess(&mut e, "her number is (909) 555-0188");
        assert_eq!(clause_ids(&a), vec!["C.7.xi", "C.7.xii"]);
        let a = assess(&mut e, "When does the library open on Sunday?");
        assert_eq!(a.decision, Decision::Allow);
        assert!(a.clauses.is_empty());
        assert_eq!(a.signals.len(), 20);
    }

    #[test]
    fn auto_removal_follows_the_policy_opt_in() {
        let text = plaza_core::policy::DEFAULT_POLICY.replacen(
            "signal = \"personal_info\"\nclauses = [\"C.7.xi\", \"C.7.xii\"]\nthreshold = 0.5",
            "signal = \"personal_info\"\nclauses = [\"C.7.xi\", \"C.7.xii\"]\nthreshold = 0.5\nauto_remove = true",
            1,
        );
        let p = plaza_core::policy::parse(&text).unwrap();
        let mut e = Engine::new(&p, None);
        assert_eq!(assess(&mut e, "SSN 123-45-6789").decision, Decision::Remove);
        assert_eq!(assess(&mut e, "you idiot").decision, Decision::Review);
    }

    #[test]
    fn the_policys_blocked_domains_catch_links_direct_and_behind_a_redirect() {
        let text = plaza_core::policy::DEFAULT_POLICY.replacen(
            "blocked_domains = []",
            "blocked_domains = [\"scam-deals.net\"]",
            1,
        );
        let p = plaza_core::policy::parse(&text).unwrap();
        let mut e = Engine::new(&p, None);
        for bad in [
            "great prices at https://scam-deals.net/tv",
            "great prices at shop.scam-deals.net",
            "great prices https://www.google.com/url?q=https%3A%2F%2Fscam-deals.net%2Ftv&sa=D",
        ] {
            let a = assess(&mut e, bad);
            assert!(score(&a, "malicious_link") >= 0.9, "{bad}: {a:?}");
            assert!(clause_ids(&a).contains(&"C.7.x"), "{bad}: {a:?}");
        }
        // a list given on the command line adds to the policy's
        let mut e = Engine::new(&p, None).with_blocklist("free-prizes.example.com\n");
        for bad in [
            "https://scam-deals.net/tv",
            "http://free-prizes.example.com/claim",
        ] {
            assert!(
                score(&assess(&mut e, bad), "malicious_link") >= 0.9,
                "{bad}"
            );
        }
        // without the list, the same site is an ordinary link
        let mut plain = engine();
        let a = assess(&mut plain, "great prices at https://scam-deals.net/tv");
        assert!(score(&a, "malicious_link") < 0.5, "{a:?}");
        // an engine adopting the new policy version reads its list, and keeps what it saw
        let repeat = |e: &mut Engine| {
            e.assess(&Comment {
                text: "Join my raffle now, everybody in the thread!",
                author: Some("u1"),
                site: Some("parks"),
                thread: Some("t1"),
                at_ms: Some(1_000),
                ..Comment::default()
            })
        };
        for _ in 0..3 {
            repeat(&mut plain);
        }
        plain.set_policy(&p, Some(2));
        assert_eq!(plain.policy_version(), Some(2));
        let a = assess(&mut plain, "great prices at https://scam-deals.net/tv");
        assert!(score(&a, "malicious_link") >= 0.9, "{a:?}");
        assert!(score(&repeat(&mut plain), "thread_takeover") >= 0.5);
    }

    #[test]
    fn a_site_override_applies_on_that_site_only() {
        let text = format!(
            "{}\n[[moderation_override]]\nsite = \"parks\"\nsignal = \"personal_info\"\nauto_remove = true\n",
            plaza_core::policy::DEFAULT_POLICY
        );
        let p = plaza_core::policy::parse(&text).unwrap();
        let mut e = Engine::new(&p, None);
        let on = |site| Comment {
            text: "SSN 123-45-6789",
            site,
            ..Comment::default()
        };
        assert_eq!(e.assess(&on(Some("parks"))).decision, Decision::Remove);
        assert_eq!(e.assess(&on(Some("library"))).decision, Decision::Review);
        assert_eq!(e.assess(&on(None)).decision, Decision::Review);
    }

    #[test]
    fn repeats_in_a_thread_become_thread_takeover() {
        let mut e = engine();
        let mut last = None;
        for i in 0..4 {
            let c = Comment {
                text: "vote no on measure b vote no on measure b",
                author: Some("x"),
                site: Some("s"),
                thread: Some("t"),
                at_ms: Some(i * 1000),
                ..Comment::default()
            };
            last = Some(e.assess(&c));
        }
        let a = last.unwrap();
        assert!(clause_ids(&a).contains(&"C.7.xxi"), "{a:?}");
    }

    #[test]
    fn the_shipped_model_scores_the_obvious_cases() {
        let p = plaza_core::policy::Policy::default_policy().unwrap();
        let mut e = Engine::new(&p, Some(crate::default_model().unwrap()));
        let spam = assess(
            &mut e,
            "Check out my channel and subscribe!!! http://bit.ly/xyz",
        );
        assert!(score(&spam, "spam") >= 0.5, "{spam:?}");
        let kind = assess(
            &mut e,
            "Thank you to the parks crew for the new benches at Memorial Park.",
        );
        assert_eq!(kind.decision, Decision::Allow, "{kind:?}");
        let rude = assess(&mut e, "@user you are a disgusting piece of shit");
        assert!(score(&rude, "toxicity") >= 0.5);
        // "subscribe" read as a resident's wish for the city's newsletter loses its learned
        // weight too; asked of the reader, it keeps it
        for (text, spam) in [
            (
                "Is there a newsletter for the senior center? I'd like to subscribe.",
                false,
            ),
            ("Please subscribe for daily updates", true),
        ] {
            let a = assess(&mut e, text);
            assert_eq!(score(&a, "spam") >= 0.5, spam, "{text}: {a:?}");
        }
        // words a rule has read as benign lose their learned weight too: a request for
        // agreement, and an idiom's words
        for text in [
            "Thumbs up if you agree we need more crosswalks",
            "Hell\u{2019}s Kitchen on Foothill is closing",
            "Dick's Sporting Goods opens Friday on Foothill",
        ] {
            let a = assess(&mut e, text);
            assert_eq!(a.decision, Decision::Allow, "{text}: {a:?}");
        }
        // a fan's comment shaped like the videos' spam, with nothing to promote, is not spam
        // (the model alone scores these 0.59-0.61); one that promotes something still is
        for (text, spam) in [
            ("most popular video on youtube", false),
            ("Hii youtube", false),
            // one that promotes something: the model's score stands
            ("Watch my videos xx", true),
            ("Nice song .See my new track.", true),
            ("My pics are on my profile", true),
            ("Text 555-123-4567 for hot pics", true),
            // the spam a city's page gets besides the videos' kind
            ("Hot singles in your area tonight", true),
            ("Watch full movie online HD", true),
            ("Join my team and be your own boss", true),
            (
                "Thanks to Mr. Robert Hayes I recovered my hacked account, he is the best. \
                 Message him on Instagram @robert_recovery",
                true,
            ),
            (
                "Who else is trading with Mrs. Sarah Williams? She helped me pay off my \
                 mortgage, write to her on WhatsApp",
                true,
            ),
            (
                "Your page has been flagged for violating community standards. Appeal within \
                 24 hours to avoid suspension",
                true,
            ),
            // ... and what a resident writes with the same words
            (
                "Contact her on Monday about the permit, she's the planner",
                false,
            ),
            (
                "My account on the utility portal was hacked, how do I reset the password?",
                false,
            ),
            (
                "Mr. Hayes from Parks was the best, thanks for fixing the fountain",
                false,
            ),
            // ... and a resident's words that share some of its words
            (
                "Will there be a free live stream of the budget hearing for those of us \
                 working from home and unable to attend?",
                false,
            ),
            (
                "Got an email saying you've been selected for a utility refund, is this real?",
                false,
            ),
            // subscribers asked for, and somebody else's
            (
                "Only 20 more subscribers and I hit 500, you know what to do",
                true,
            ),
            (
                "Help us reach 1000 subscribers before the end of the year!",
                true,
            ),
            ("I'd love to hit 500 subscribers this week", true),
            (
                "The city's YouTube channel just passed 3,000 subscribers, nice work",
                false,
            ),
            (
                "I saw the city's YouTube channel passed 3,000 subscribers, nice work",
                false,
            ),
        ] {
            let a = assess(&mut e, text);
            assert_eq!(score(&a, "spam") >= 0.5, spam, "{text}: {a:?}");
        }
        // sharp criticism of a proposal is not identity hate
        let sharp = assess(&mut e, "That proposal is stupid, honestly");
        assert!(score(&sharp, "identity_hate") < 0.5, "{sharp:?}");
        // the learned labels do not read Korean: an ordinary question is not scored by noise
        let question = assess(&mut e, "도서관 주말 운영 시간이 어떻게 되나요?");
        assert_eq!(question.decision, Decision::Allow, "{question:?}");
        assert!(score(&question, "toxicity") < 0.1, "{question:?}");
        // a word disguised with Cyrillic look-alikes is still read as Latin
        let disguised = assess(&mut e, "@user you are a disgusting piece of ѕhіt");
        assert!(score(&disguised, "toxicity") >= 0.5, "{disguised:?}");
    }

    #[test]
    fn civic_phrasings_are_not_rule_hits() {
        let mut e = engine();
        for (text, signal) in [
            // subscribing to a city service is not a plea for subscribers
            (
                "You can subscribe to the council agenda emails on the clerk's page",
                "spam",
            ),
            (
                "How do I subscribe to the street sweeping reminders?",
                "spam",
            ),
            // "click here" pointing only at the city's own site
            (
                "Click here for the agenda: https://www.ci.claremont.ca.us/agenda",
                "spam",
            ),
            // a resident's business is not self-promotion
            (
                "My business on Main St lost power again, when will it be fixed?",
                "self_promotion",
            ),
            // emergencies and crimes talked about, not reported
            (
                "Subscribe to the emergency alerts, they texted me during the fire",
                "crime_report",
            ),
            ("I support the assault weapons ban", "crime_report"),
            // idioms and ordinary verbs, not threats
            ("The council should be hung out to dry for this", "threat"),
            ("Water rates will shoot up again next year", "threat"),
            ("You will pay more for parking under this plan", "threat"),
            ("My phone will blow up with alerts", "threat"),
            ("The fire could burn down the whole ridge", "threat"),
            (
                "The new bakery is on fire lately, the line goes around the block",
                "crime_report",
            ),
            // a web address after "at", and a mailbox at the city's own domain
            (
                "Sign up for alerts at arborvale.gov/alerts",
                "personal_info",
            ),
            (
                "Write to the clerk at cityclerk@ci.claremont.ca.us",
                "personal_info",
            ),
            ("Write to CityClerk@CI.Claremont.CA.US", "personal_info"),
            // a public phone number or address alone
            (
                "Call the police non-emergency line at 909-399-5411",
                "personal_info",
            ),
            (
                "The meeting is at 207 Harvard Ave in the council chambers",
                "personal_info",
            ),
            (
                "The pothole in front of my home at 123 Main St is back",
                "personal_info",
            ),
            // spam's vocabulary in a resident's mouth, and rallying support for a view
            (
                "Congratulations to the winner of the youth art contest!",
                "spam",
            ),
            ("Is there a senior discount for the pool pass?", "spam"),
            ("Thumbs up if you agree we need more crosswalks", "spam"),
            (
                "The 2% sales tax increase should go to the ballot; thumbs up if you agree",
                "spam",
            ),
            (
                "Congrats to the art contest winner, story at dailybulletin.com/news/art",
                "spam",
            ),
            ("The city's $5M investment in the library paid off", "spam"),
            ("DM me if you found a grey cat near Oak St", "spam"),
            // money raised, named without an ask
            (
                "The library fundraiser was a hit, thanks for the donations",
                "solicitation",
            ),
            (
                "The 5K fundraiser for the shelter is Saturday, details at eventbrite.com/e/123",
                "solicitation",
            ),
            // names, typed with a phone's apostrophe too
            ("Hell\u{2019}s Kitchen on Foothill is closing", "toxicity"),
            ("Dick's Sporting Goods opens Friday", "toxicity"),
            // a resident's own account, named, is not promotion
            (
                "My Instagram account got hacked last week, anyone know how to get it back?",
                "self_promotion",
            ),
            (
                "My YouTube keeps buffering during the council livestream",
                "self_promotion",
            ),
        ] {
            let a = assess(&mut e, text);
            assert!(score(&a, signal) < 0.5, "{text}: {a:?}");
        }
        // the same rules still fire where they should
        for (text, signal) in [
            ("Please subscribe to me, I sub back", "spam"),
            (
                "Click here to claim your prize https://prizes.example.com",
                "spam",
            ),
            ("Check out my channel for more videos", "self_promotion"),
            (
                "Follow my Instagram for more pics of the pier",
                "self_promotion",
            ),
            ("Help, my neighbor's house is on fire", "crime_report"),
            ("The mayor should be hung for this", "threat"),
            ("You will pay for this, I know where you live", "threat"),
            (
                "Email jane.doe@example.com to reach her at home",
                "personal_info",
            ),
            (
                "Councilmember Torres lives at 1423 Sycamore Lane",
                "personal_info",
            ),
            ("Call him on his cell, 909-555-0143", "personal_info"),
            // beside a price or another sign, spam's vocabulary is spam again
            ("CHEAP RAY-BANS 90% OFF CHEAP RAY-BANS 90% OFF", "spam"),
            ("Invest in bitcoin now, DM me on WhatsApp", "spam"),
            ("Crypto investment opportunity, DM me on WhatsApp", "spam"),
            ("Don\u{2019}t miss out!!! Make money from home", "spam"),
            (
                "Raising funds for my son's team, send donations to my PayPal",
                "solicitation",
            ),
            (
                "Fundraiser for my rent, anything helps: $JaneDoe22",
                "solicitation",
            ),
            (
                "Gary Whitman, 88 Ridgecrest Court, 415-555-0188",
                "personal_info",
            ),
        ] {
            let a = assess(&mut e, text);
            assert!(score(&a, signal) >= 0.5, "{text}: {a:?}");
        }
    }

    #[test]
    fn a_given_name_is_not_the_word() {
        let mut e = engine();
        for text in [
            "Thanks to Councilmember Dick Jones for the crosswalk",
            "Mayor Dick said the budget comes back in June",
            "Dick Smith from public works fixed it in a day",
        ] {
            let a = assess(&mut e, text);
            assert!(score(&a, "obscene") < 0.5, "{text}: {a:?}");
        }
        for text in ["Don't be a dick", "what a Dick!", "you dick"] {
            let a = assess(&mut e, text);
            assert!(score(&a, "obscene") >= 0.5, "{text}: {a:?}");
        }
    }

    #[test]
    fn praise_slang_said_of_things() {
        let praise = |text: &str| -> Vec<String> {
            let hits: Vec<(usize, usize)> = lexicon::find(lexicon::List::PraiseSlang, text)
                .iter()
                .map(|f| (f.start, f.end))
                .collect();
            praise_of_things(text, &hits)
                .into_iter()
                .map(|(s, e)| text[s..e].to_string())
                .collect()
        };
        // before a thing praised, or after a copula whose subject is a thing
        for (text, found) in [
            ("sick beat", vec!["sick"]),
            ("that fireworks show was sick", vec!["sick"]),
            ("this song is a beast", vec!["beast"]),
            ("that's fire", vec!["fire"]),
            (
                "the light show was so insane and the band was killer",
                vec!["insane", "killer"],
            ),
        ] {
            assert_eq!(praise(text), found, "{text}");
        }
        // a person named by a pronoun, slang about nothing praised, no slang at all
        for text in [
            "he is sick",
            "she's a beast",
            "sick people should stay home",
            "i've been sick all week",
            "the council meets tonight",
        ] {
            assert!(praise(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn check_as_in_look_at_is_not_check_out() {
        assert_eq!(
            benign_checks("just came to check the views, checked if it hit 2 billion"),
            vec!["check", "checked"]
        );
        assert!(benign_checks("check out my channel, check it out").is_empty());
        assert!(benign_checks("no such word").is_empty());
    }

    #[test]
    fn an_ask_is_not_counted_again_as_a_mention() {
        let mut e = engine();
        let a = assess(&mut e, "Please send donations to the food bank");
        let c = a.clauses.iter().find(|c| c.clause == "C.7.xv").unwrap();
        assert!((c.score - 0.7).abs() < 1e-6, "{a:?}");
        assert_eq!(c.evidence.len(), 1, "{a:?}");
    }

    #[test]
    fn sums_of_money_and_percentages_are_found() {
        for yes in [
            "Make $5000 a week",
            "90% OFF",
            "only \u{20AC} 20",
            "$ 5",
            "US$500",
            "5000$ weekly",
        ] {
            assert!(money_figure(yes), "{yes}");
        }
        for no in ["$JaneDoe22", "100 percent", "50 % of us", "US$", ""] {
            assert!(!money_figure(no), "{no}");
        }
    }

    #[test]
    fn only_subscriptions_to_a_citys_services_are_civic() {
        let check = |text: &str| {
            let start = text.to_ascii_lowercase().find("subscribe").unwrap();
            civic_subscription(text, start, start + "subscribe".len())
        };
        for text in [
            "You can subscribe to the council agenda emails",
            "How do I subscribe to the street sweeping reminders?",
            "Subscribe to the city's emergency alerts",
            "Is there a newsletter for the senior center? I'd like to subscribe.",
            "Do the street sweeping reminders come by text? I\u{2019}d like to subscribe",
            "Where do we subscribe to get the agenda?",
        ] {
            assert!(check(text), "{text}");
        }
        for text in [
            "Subscribe for daily updates and turn on notifications",
            "subscribe to the channel for updates",
            "subscribe to my newsletter",
            "subscribe to me for alerts",
            "I'd like to subscribe.",
            "I'd like to subscribe to your channel for the updates",
            "Great newsletter! Subscribe to me and I will subscribe to you",
        ] {
            assert!(!check(text), "{text}");
        }
    }

    #[test]
    fn latin_share_counts_letters_only() {
        assert_eq!(latin_share("thanks! 😀 2026"), 1.0);
        assert_eq!(latin_share("😀 2026"), 1.0);
        assert_eq!(latin_share("cảm ơn"), 1.0);
        assert_eq!(latin_share("감사"), 0.0);
        assert!((latin_share("ok 감사") - 0.5).abs() < 1e-6);
        // filler in another script does not dilute a few English words
        let insult = format!("you are a disgusting liar {}", "감사합니다 ".repeat(40));
        assert_eq!(latin_share(&insult), 1.0);
        // a word disguised with Cyrillic look-alikes is read as Latin
        assert_eq!(latin_share(&crate::normalize::normalize("ѕhіt").text), 1.0);
    }

    #[test]
    fn deterministic_and_total_on_any_input() {
        for t in [
            "",
            " ",
            "\u{0}\u{1}\u{2}",
            "😀😀😀",
            "ｆｕｃｋ",
            &"a".repeat(100_000),
            "٩(◕‿◕)۶",
            "\u{202E}evil",
        ] {
            let a = engine().assess(&Comment {
                text: t,
                ..Comment::default()
            });
            let b = engine().assess(&Comment {
                text: t,
                ..Comment::default()
            });
            assert_eq!(a, b);
            for c in &a.clauses {
                for ev in &c.evidence {
                    assert_eq!(&t[ev.start..ev.end], ev.text);
                }
            }
        }
    }
}
