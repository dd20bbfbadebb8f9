//! Phrase detectors over normalised text: solicitation of funds (C.7.xv), reports of crime and
//! emergencies (C.7.xvii), legal and administrative notices (C.7.xix) and unsolicited business
//! proposals (C.7.xvi). Phrases match whole words of the normalised text, so `d0nate` and
//! `c.a.s.h.a.p.p` are found too; each finding's span is in the original text.
//!
//! The phrase lists are Plaza's own, written for city comment threads.

use super::Finding;
use crate::normalize::Normalized;

/// Which phrase signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phrase {
    Solicitation,
    /// Money raised, named without being asked for ("the library fundraiser was a hit",
    /// "thanks for the donations"): solicitation only beside an ask, a handle or a link.
    FundsMentioned,
    CrimeReport,
    LegalNotice,
    BusinessProposal,
}

const SOLICITATION: &[&str] = &[
    "donate",
    "gofundme",
    "go fund me",
    "kickstarter",
    "patreon",
    "donorbox",
    "cash app",
    "cashapp",
    "venmo",
    "zelle",
    "paypal me",
    "paypal.me",
    "send money",
    "send me money",
    "support my campaign",
    "chip in",
    "contribute to my",
    "help me raise",
    "send donations",
    "raising funds for my",
    "sponsor me",
    "buy me a coffee",
    "ko-fi",
];

const FUNDS_MENTIONED: &[&str] = &["donation", "donations", "fundraiser", "fund raiser"];

const CRIME: &[&str] = &[
    "car crash",
    "someone is hurt",
    "not breathing",
    "collapsed at",
    "spray painting",
    "vandalizing",
    "stealing",
    "stripping copper",
    "breaking into",
    "broke into",
    "break in",
    "break-in",
    "stole",
    "stolen",
    "robbed",
    "robbery",
    "burglary",
    "burglar",
    "shots fired",
    "gunshots",
    "gun shots",
    "has a gun",
    "with a gun",
    "with a knife",
    "stabbed",
    "assaulted",
    "suspicious person",
    "suspicious man",
    "suspicious woman",
    "suspicious vehicle",
    "suspicious car",
    "someone is following",
    "drunk driver",
    "hit and run",
    "there is a fire",
    "there's a fire",
    "house is on fire",
    "smell gas",
    "gas leak",
    "call 911",
    "this is an emergency",
    "there is an emergency",
    "there's an emergency",
    "medical emergency",
    "building is on fire",
    "car is on fire",
    "apartment is on fire",
    "garage is on fire",
    "on fire right now",
    "caught fire",
    "was assaulted",
    "being assaulted",
    "overdose",
    "missing child",
    "kidnapped",
    "vandalism",
    "vandalized",
    "dealing drugs",
    "selling drugs",
    "car break-ins",
];

const LEGAL: &[&str] = &[
    "constitutes formal notice",
    "formal notice",
    "official notice of",
    "take notice that",
    "notice to agent",
    "has been served",
    "formal demand",
    "intent to sue",
    "intend to sue",
    "intent to file",
    "will file suit",
    "litigation hold",
    "notice of intent",
    "hereby served",
    "you are hereby",
    "hereby notified",
    "notice of claim",
    "government claim",
    "claim for damages",
    "cease and desist",
    "notice of intent to sue",
    "intent to sue",
    "subpoena",
    "summons",
    "served with",
    "legal notice",
    "notice of lawsuit",
    "public records request",
    "demand letter",
    "writ of mandate",
    "lis pendens",
];

const BUSINESS: &[&str] = &[
    "our company",
    "my company",
    "our services",
    "my services",
    "offer my services",
    "we offer",
    "we provide",
    "business proposal",
    "partnership opportunity",
    "partner with",
    "request a quote",
    "free quote",
    "free consultation",
    "seo services",
    "marketing services",
    "web design services",
    "contact me for",
    "dm me for",
    "whatsapp me",
    "investment opportunity",
    "bulk order",
    "wholesale",
    "vendor registration",
    "sales rep",
    "our agency",
    "our firm",
    "our team can",
    "we specialize in",
    "we are a consulting",
    "we're a licensed",
    "we are a licensed",
    "i represent a",
    "we represent",
    "bid on your",
    "beat your current",
    "present a pilot",
    "pilot program at no cost",
    "municipal package",
    "government rate",
    "procurement reach out",
    "have procurement",
    "dear city procurement",
    "our software",
    "our cloud software",
    "our product",
    "schedule a demo",
    "15 minute call",
    "our fee",
];

impl Phrase {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phrase::Solicitation => "solicitation",
            Phrase::FundsMentioned => "funds_mentioned",
            Phrase::CrimeReport => "crime_report",
            Phrase::LegalNotice => "legal_notice",
            Phrase::BusinessProposal => "business_proposal",
        }
    }

    fn phrases(self) -> &'static [&'static str] {
        match self {
            Phrase::Solicitation => SOLICITATION,
            Phrase::FundsMentioned => FUNDS_MENTIONED,
            Phrase::CrimeReport => CRIME,
            Phrase::LegalNotice => LEGAL,
            Phrase::BusinessProposal => BUSINESS,
        }
    }

    /// Every signal.
    pub const ALL: [Phrase; 5] = [
        Phrase::Solicitation,
        Phrase::FundsMentioned,
        Phrase::CrimeReport,
        Phrase::LegalNotice,
        Phrase::BusinessProposal,
    ];
}

/// Phrase findings in the normalised text of `original`, with spans in the original.
pub fn find(original: &str, norm: &Normalized) -> Vec<Finding<Phrase>> {
    let mut out = Vec::new();
    static AUTOMATON: std::sync::OnceLock<Option<(aho_corasick::AhoCorasick, Vec<Phrase>)>> =
        std::sync::OnceLock::new();
    let built = AUTOMATON.get_or_init(|| {
        let mut needles = Vec::new();
        let mut kinds = Vec::new();
        for kind in Phrase::ALL {
            for p in kind.phrases() {
                needles.push(*p);
                kinds.push(kind);
            }
        }
        aho_corasick::AhoCorasick::new(&needles)
            .ok()
            .map(|ac| (ac, kinds))
    });
    if let Some((ac, kinds)) = built {
        for (pattern, (start, end)) in super::words::whole_word_hits(ac, norm, |_| false) {
            out.push(Finding {
                kind: kinds[pattern],
                start,
                end,
            });
        }
    }
    // Cash App handles ("$name"), read from the original: leetspeak would turn "$" into "s"
    let bytes = original.as_bytes();
    for (at, _) in original.match_indices('$') {
        let name: String = original[at + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let letters = name.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3
            && name.chars().next().is_some_and(|c| c.is_alphabetic())
            && (at == 0 || bytes[at - 1].is_ascii_whitespace())
        {
            out.push(Finding {
                kind: Phrase::Solicitation,
                start: at,
                end: at + 1 + name.len(),
            });
        }
    }
    // cryptocurrency addresses are payment handles too (validated: detect::wallets)
    out.extend(
        super::wallets::find(original)
            .into_iter()
            .map(|(start, end)| Finding {
                kind: Phrase::Solicitation,
                start,
                end,
            }),
    );
    out.sort_by_key(|f| (f.start, f.end));
    out.dedup_by(|a, b| a.kind == b.kind && a.start < b.end && b.start < a.end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn kinds(t: &str) -> Vec<(Phrase, String)> {
        find(t, &normalize(t))
            .into_iter()
            .map(|f| (f.kind, t[f.start..f.end].to_string()))
            .collect()
    }

    #[test]
    fn finds_each_kind_with_the_original_words() {
        assert_eq!(
            kinds("Please D0NATE to my gofundme!")[0],
            (Phrase::Solicitation, "D0NATE".into())
        );
        assert!(
            kinds("send $JaneDoe22 what you can")
                .contains(&(Phrase::Solicitation, "$JaneDoe22".into()))
        );
        assert_eq!(
            kinds("BTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            [(
                Phrase::Solicitation,
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".into()
            )]
        );
        assert_eq!(
            kinds("Someone is breaking into cars on 5th St")[0],
            (Phrase::CrimeReport, "breaking into".into())
        );
        assert_eq!(
            kinds("YOU ARE HEREBY SERVED with a notice of claim")[0].0,
            Phrase::LegalNotice
        );
        assert_eq!(
            kinds("We offer SEO services for cities")[0].0,
            Phrase::BusinessProposal
        );
    }

    #[test]
    fn ordinary_comments_find_nothing() {
        for t in [
            "When does the library open on Sunday?",
            "The park cost $50,000 to renovate.",
            "Great job on the street repairs, thank you!",
            "I disagree with the council's vote on housing.",
        ] {
            assert!(kinds(t).is_empty(), "{t}: {:?}", kinds(t));
        }
    }

    proptest::proptest! {
        #[test]
        fn spans_are_on_char_boundaries(s in "\\PC{0,100}") {
            for f in find(&s, &normalize(&s)) {
                proptest::prop_assert!(f.start < f.end && f.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(f.start) && s.is_char_boundary(f.end));
            }
        }
    }
}
