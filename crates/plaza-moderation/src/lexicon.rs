//! Plaza's own word and phrase lists for the signals the public data does not label (insult,
//! threat, obscene, sexual content, illegal activity, self-promotion), matched as whole words
//! over normalised text. An entry ending in `*` matches any word it begins (`fuck*`). Each hit's
//! span is in the original text.

use crate::detect::Finding;
use crate::normalize::Normalized;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    Obscene,
    Insult,
    Threat,
    Sexual,
    Illegal,
    SelfPromotion,
    SpamPhrase,
    /// Words that are spam's vocabulary but also a resident's ("the winner of the art
    /// contest", "a senior discount", "the city's investment"): a sign of spam only beside
    /// another one.
    SpamWord,
    /// Asking readers to agree ("thumbs up if you agree"): on a city's page a resident
    /// rallying support for a view, never a sign of spam by itself or beside others.
    Agreement,
    Bait,
    /// Something promoted or an action asked of the reader ("my new track", "vote", "free",
    /// "download"): without one of these, or a link, a handle, a sum of money or a hit of the
    /// spam lists, a comment has nothing to sell, and the learned spam score is discounted.
    PromotionCue,
    SecondPerson,
    Group,
    Dehumanizing,
    /// Slang that praises ("sick", "a beast", "fire"): the learned offensive score reads these
    /// words as the insults tweets use them for; said of a thing, the engine takes their
    /// learned weight out (`praise_of_things` in the engine).
    PraiseSlang,
    /// Idioms that contain a listed word without meaning it ("hung out to dry"): a hit of any
    /// list but [`List::Illegal`] that overlaps one is dropped. Reported apart by [`find_all`].
    Idiom,
}

const OBSCENE: &[&str] = &[
    "fuck*",
    "motherfuck*",
    "shit*",
    "bullshit",
    "bitch*",
    "bastard*",
    "asshole*",
    "ass",
    "dick",
    "dickhead",
    "piss*",
    "crap",
    "damn",
    "goddamn*",
    "cunt*",
    "prick",
    "wank*",
    "twat*",
    "douche*",
    "jackass",
    "dumbass",
    "smartass",
    "hell",
    "bollocks",
    "arse",
    "arses",
    "arsehole*",
    "wtf",
    "stfu",
    "fk",
    "fck*",
    "fuk",
    "fukin",
    "fuking",
    "fuked",
    "fukk*",
    "sh!t",
];

const INSULT: &[&str] = &[
    "idiot*",
    "moron",
    "morons",
    "moronic",
    "stupid",
    "dumb",
    "dumbass",
    "loser*",
    "imbecile*",
    "clown*",
    "pathetic",
    "worthless",
    "useless",
    "incompetent",
    "scum*",
    // "trash" alone is the city's collection service: only the phrases that aim it at someone
    "you're trash",
    "youre trash",
    "you are trash",
    "ur trash",
    "piece of trash",
    "human trash",
    "human garbage",
    "garbage person",
    "pig",
    "pigs",
    "coward*",
    "liar",
    "liars",
    "fool",
    "fools",
    "hypocrite*",
    "lowlife",
    "retard",
    "retards",
    "retarded",
    "dimwit*",
    "halfwit*",
    "nitwit*",
    "jerk",
    "jerks",
    "creep",
    "creeps",
    "creepy",
    "shut up",
    "grow a brain",
    "get a life",
];

const THREAT: &[&str] = &[
    "kill you",
    "kill u",
    "i will kill",
    "i'll kill",
    "gonna kill",
    "going to kill",
    "you're dead",
    "youre dead",
    "you are dead",
    "i will hurt",
    "i'll hurt",
    "gonna hurt",
    "beat you",
    "beat your",
    "shoot you",
    "shoot up the",
    "shoot up this",
    "shoot up city hall",
    "stab you",
    "burn down city hall",
    "burn down your",
    "burn it down with",
    "burn your",
    "blow up city hall",
    "i'll blow up",
    "i will blow up",
    "gonna blow up the",
    "blow up the building",
    "blow up your",
    "blow you up",
    "bomb the",
    "watch your back",
    "you will pay for this",
    "you will pay for what",
    "you'll pay for this",
    "you'll pay for what",
    "find where you live",
    "know where you live",
    "know where the mayor lives",
    "know where he lives",
    "know where she lives",
    "know where they live",
    "deserve to be shot",
    "deserves to be shot",
    "deserve to die",
    "deserves to die",
    "should be shot",
    "should be hanged",
    "should be hung",
    "watch their backs",
    "watch their back",
    "watch his back",
    "watch her back",
    "with my gun",
    "bring my gun",
    "bringing my gun",
    "make him bleed",
    "make her bleed",
    "make them bleed",
    "make you bleed",
    "bleed for this",
    "stab the",
    "stab him",
    "stab her",
    "shoot him",
    "shoot her",
    "put a bullet",
    "burn city hall",
    "to the ground with",
    "going to find you",
    "gonna find you",
    "i will find you",
    "i'll find you",
    "be the one to do it",
    "accidents happen to",
    "when you walk to your car",
    "hunt you down",
    "hunt them down",
    "coming for you",
    "hang them",
    "hang him",
    "hang her",
    "string them up",
    "put a bullet",
    "deserve to die",
    "should be shot",
    "should die",
    "i will find you",
];

const SEXUAL: &[&str] = &[
    // whole words only where a prefix would catch civic words: "cock*" caught "cocktail",
    // "milf*" the town of Milford, "hookup*" a sewer hookup, "escort*" a police escort; and
    // "sex", "sexy" and "naked" alone are not explicit ("sex offender registry", "same-sex",
    // "the naked eye")
    "porn*",
    "xxx",
    "nude",
    "nudes",
    "nudity",
    "nsfw",
    "horny",
    "dick pic*",
    "boobs",
    "tits",
    "pussy",
    "cock",
    "cocks",
    "blowjob*",
    "onlyfans",
    "camgirl*",
    "hook up tonight",
    "escort service*",
    "milf",
    "milfs",
    "orgasm*",
    "erotic*",
    "sex tape*",
    "sex video*",
    "explicit sex",
    "looking for sex",
    "want sex",
    "sex right now",
    "sexting",
    "quick hookup",
    "hookup tonight",
    "naked pic*",
    "naked photo*",
    "get naked",
    "getting naked",
    "threesome*",
    "moaning all night",
    "suck off",
    "suck me off",
    "jerk off",
    "jerking off",
    "bend her over",
    "bend him over",
    "bend you over",
    "sit on my face",
];

const ILLEGAL: &[&str] = &[
    "buy weed",
    "sell weed",
    "buy drugs",
    "sell drugs",
    "selling pills",
    "buy pills",
    "fake id*",
    "counterfeit",
    "steal from",
    "shoplift*",
    "let's riot",
    "lets riot",
    "loot the",
    "don't pay your",
    "dont pay your",
    "tax evasion",
    "pirated",
    "how to make a bomb",
    "slash their tires",
    "graffiti the",
    "deface the",
    "break the law",
    "run them over",
    "cock fighting",
    "cockfight*",
    "dog fighting",
    "dogfighting",
];

const SELF_PROMOTION: &[&str] = &[
    "my channel",
    "my blog",
    "my website",
    "my site",
    "my music",
    "my video*",
    "my new song",
    "follow me",
    "subscribe to my",
    "check out my",
    "check my",
    "visit my",
    "like my",
    "sub4sub",
    "sub 4 sub",
    "promo code",
    "use my code",
    "my link",
    "link in bio",
    "my cover",
    "my covers",
    "my new track",
    "my track",
    "my playlist",
    "my songs",
    "my podcast",
    "my app",
    "my ebook",
    "my soundcloud",
    "our channel",
    "our new video",
    "subscribe to our",
    "listen to my",
    "shameless plug",
    "follow my instagram",
    "follow my youtube",
    "follow my tiktok",
    "follow my page",
    "give me a follow",
    "dm me to",
    "come try our",
];

const SPAM: &[&str] = &[
    "subscribe",
    "free gift*",
    "click here",
    "click the link",
    "earn money",
    "real money",
    "passive income",
    "forex",
    "weight loss",
    "order today",
    "unclaimed",
    "gift card",
    "you have been chosen",
    "reply yes",
    "don't miss out",
    "dont miss out",
    "extra money",
    "free iphone",
    "make money",
    "work from home",
    "limited offer",
    "act now",
    "you have won",
    "claim your",
    "100% free",
    "buy now",
    "check out this",
    "subscribers",
    "subscribirse",
    "mi canal",
    "my subscribers",
    "proflink",
    "views by",
    "follow my",
    "no experience needed",
    "guaranteed returns",
    "inbox me",
    // the spam a city's page gets besides the videos' kind: dating, diet tricks, pirate
    // streams, easy money
    "hot singles",
    "singles in your area",
    "weird trick",
    "watch full movie",
    "full movie online",
    "be your own boss",
    "penis enlargement",
    "male enhancement",
    "enlargement pills",
    // the self-promotion template of 2014 ("I'm getting popular fast because i rap with
    // meaning.. thumbs up if...")
    "getting popular fast",
    "getting known fast",
    // the scams a city's Facebook page gets in its comments: a testimonial for an investment
    // "manager" or an account "recovery expert" with a messaging-app contact, and the page-
    // suspension notice that leads to a phishing link
    "trading with mr",
    "trading with mrs",
    "trading with ms",
    "investing with mr",
    "investing with mrs",
    "investing with ms",
    "invested with mr",
    "invested with mrs",
    "recovery expert",
    "recover your hacked",
    "recovered my hacked",
    "recover lost funds",
    "recover your lost",
    "recovered my lost",
    "binary options",
    "him on whatsapp",
    "her on whatsapp",
    "him on telegram",
    "her on telegram",
    "him on instagram",
    "her on instagram",
    "him via whatsapp",
    "her via whatsapp",
    "him via telegram",
    "her via telegram",
    "violating community standards",
    "violated community standards",
    "violating our community standards",
    "avoid suspension",
    "will be permanently disabled",
    "account will be suspended",
    "page will be suspended",
    "page has been flagged",
    "account has been flagged",
];

/// See [`List::SpamWord`].
const SPAM_WORDS: &[&str] = &[
    "winner",
    "cheap",
    "discount",
    "followers",
    "crypto",
    "bitcoin",
    "investment",
    "dm me",
    "whatsapp",
    "giveaway",
    "inheritance",
];

/// See [`List::Agreement`]. In the YouTube data these were spam 8 times and ham 4.
const AGREEMENT: &[&str] = &[
    "like if",
    "like this if",
    "thumbs up if",
    "thumbs up for",
    "how many people like",
];

/// Engagement bait: asking for likes, thumbs or subscriptions. Unlike a single spam word
/// ("cheap", "winner"), one of these is enough to call a comment spam (for review; removal
/// only where the city opted in).
const BAIT: &[&str] = &[
    "like this comment",
    "help me get",
    "help me reach",
    "subscribe to me",
    "sub to me",
    "give it a like",
    "like and subscribe",
];

/// See [`List::PromotionCue`]: words for what spam sells or asks for, beyond those in the spam
/// lists above (a hit of those is a cue too). Meant to be wide: a cue only lets the learned
/// score stand, it adds nothing. But not a fan's words: "who's listening in 2015", "the best
/// rapper alive", "sick beat" and "look at the views" promote nothing, so music is a cue only
/// as the writer's own ("my new track", "I'm a rapper").
const PROMOTION_CUE: &[&str] = &[
    // asking the reader to do something
    "check*",
    "subscri*",
    // Spanish and Portuguese: "suscríbete", "inscríbete", "inscreva-se", "sígueme", "regístrate"
    "suscri*",
    "suscrí*",
    "inscr*",
    "sigue*",
    "sígue*",
    "regístr*",
    "sub",
    "subs",
    "visit*",
    "click*",
    "search*",
    "look up",
    "take a look",
    "follow*",
    "shar*",
    "vote*",
    "voting",
    "download*",
    "watch my",
    "see my",
    "hear my",
    "join*",
    "apply",
    "regist*",
    "sign up",
    "contact",
    "call me",
    "text",
    "message me",
    "pm me",
    "dm*",
    "inbox",
    "add me",
    "ask me",
    "e-mail",
    "email*",
    "help*",
    "support*",
    "donat*",
    "kindly",
    "verify",
    "like this",
    "like it",
    "thumbs",
    // what is sold, given or promoted
    "channel*",
    "canal",
    "website*",
    "site*",
    "page*",
    "profile",
    "bio",
    "pic",
    "pics",
    "photo*",
    "link",
    "links",
    "app",
    "apps",
    "promo*",
    "facebook",
    "twitter",
    "instagram",
    // a resident's own account is not promotion by itself ("my Instagram account got
    // hacked", "my YouTube keeps buffering"); with a verb ("follow my", "check out my") or a
    // handle it is
    "my youtube",
    "my tiktok",
    "google",
    "telegram",
    "snapchat",
    "tiktok",
    "onlyfans",
    "ticket*",
    "my new",
    "my song*",
    "my beat*",
    "my album",
    "my mixtape",
    "look at my",
    "my rap*",
    "i rap",
    "i'm a rapper",
    "im a rapper",
    "i am a rapper",
    "upcoming artist",
    "independent artist",
    "live stream",
    "free",
    "gratis",
    "grátis",
    "money",
    "dinero",
    "dinheiro",
    "cash",
    "dollar*",
    "pay",
    "paid",
    "income",
    "profit*",
    "trading",
    "weekly",
    "per day",
    "earn*",
    "win",
    "wins",
    "winning",
    "gana*",
    "ganhe",
    "won",
    "prize*",
    "premio*",
    "reward*",
    "bonus",
    "contest",
    "gift*",
    "giving away",
    "buy*",
    "sell*",
    "sale",
    "deal",
    "deals",
    "offer*",
    "order*",
    "price*",
    "shop*",
    "store*",
    "product*",
    "service*",
    "business",
    "hire*",
    "hiring",
    "invest*",
    "loan*",
    "credit",
    "fund*",
    "survey",
];

/// People named by a protected characteristic (race, religion, national origin, immigration
/// status, sex, gender identity, sexual orientation, disability).
const GROUP: &[&str] = &[
    "immigrants",
    "illegals",
    "migrants",
    "refugees",
    "foreigners",
    "mexicans",
    "muslims",
    "jews",
    "christians",
    "hindus",
    "sikhs",
    "black people",
    "blacks",
    "white people",
    "asians",
    "chinese",
    "latinos",
    "hispanics",
    "arabs",
    "africans",
    "gays",
    "gay people",
    "lesbians",
    "trans people",
    "transgenders",
    "homosexuals",
    "women",
    "females",
    "feminists",
    "disabled people",
    "cripples",
    "the disabled",
    "retarded people",
];

/// See [`List::PraiseSlang`].
const PRAISE_SLANG: &[&str] = &[
    "sick", "sickest", "beast", "fire", "insane", "killer", "wicked", "dope", "lit",
];

/// Words that strip a group of its humanity or call for its exclusion.
const DEHUMANIZING: &[&str] = &[
    "vermin",
    "animals",
    "parasites",
    "rats",
    "cockroaches",
    "roaches",
    "subhuman",
    "savages",
    "infest*",
    "invaders",
    "invasion",
    "disease",
    "diseases",
    "diseased",
    "plague",
    "perverts",
    "freaks",
    "mentally ill",
    "don't belong",
    "dont belong",
    "do not belong",
    "go back to",
    "send them back",
    "rounded up",
    "round them up",
    "thrown out",
    "kick them out",
    "keep them out",
    "keep their",
    "should be banned",
    "be banned from",
    // kept from public office or the vote: discrimination on a city's page (C.7.vi)
    "shouldn't be allowed to vote",
    "shouldn't be on the council",
    "shouldn't be on the city council",
    "shouldn't be on the commission",
    "shouldn't be on the planning commission",
    "shouldn't be on the board",
    "shouldn't serve on",
    "shouldn't hold office",
    "shouldn't run for",
    "shouldn't be allowed to hold office",
    "shouldn't be allowed to serve",
    "shouldn't be allowed to run for",
    "shouldnt be allowed to vote",
    "shouldnt be on the council",
    "shouldnt be on the city council",
    "shouldnt be on the commission",
    "shouldnt be on the planning commission",
    "shouldnt be on the board",
    "shouldnt serve on",
    "shouldnt hold office",
    "shouldnt run for",
    "shouldnt be allowed to hold office",
    "shouldnt be allowed to serve",
    "shouldnt be allowed to run for",
    "should not be allowed to vote",
    "should not be on the council",
    "should not be on the city council",
    "should not be on the commission",
    "should not be on the planning commission",
    "should not be on the board",
    "should not serve on",
    "should not hold office",
    "should not run for",
    "should not be allowed to hold office",
    "should not be allowed to serve",
    "should not be allowed to run for",
    "ruin everything",
    "ruined the",
    "control the",
    "breed like",
    "inferior",
    "disgusting",
];

const SECOND_PERSON: &[&str] = &[
    "you", "your", "you're", "youre", "u", "ur", "yourself", "you are", "ya",
];

impl List {
    fn entries(self) -> &'static [&'static str] {
        match self {
            List::Obscene => OBSCENE,
            List::Insult => INSULT,
            List::Threat => THREAT,
            List::Sexual => SEXUAL,
            List::Illegal => ILLEGAL,
            List::SelfPromotion => SELF_PROMOTION,
            List::SpamPhrase => SPAM,
            List::SpamWord => SPAM_WORDS,
            List::Agreement => AGREEMENT,
            List::Bait => BAIT,
            List::PromotionCue => PROMOTION_CUE,
            List::SecondPerson => SECOND_PERSON,
            List::Group => GROUP,
            List::Dehumanizing => DEHUMANIZING,
            List::PraiseSlang => PRAISE_SLANG,
            List::Idiom => IDIOMS,
        }
    }
}

/// One automaton for every list, built on first use: all entries found in one pass.
struct Matcher {
    ac: Option<aho_corasick::AhoCorasick>,
    /// Per pattern: its list and whether it is a stem (`*`).
    meta: Vec<(List, bool)>,
}

/// Idioms that carry a listed word without its meaning (see [`List::Idiom`]).
const IDIOMS: &[&str] = &[
    "hung out to dry",
    "hang him out to dry",
    "hang her out to dry",
    "hang them out to dry",
    // names and places
    "moby dick",
    "dick's sporting goods",
    "dicks sporting goods",
    "hell's kitchen",
    "hells kitchen",
    "hells canyon",
    "hell's canyon",
    "cock fighting",
    "cock fights",
];

/// Every list, in a fixed order ([`find_all`] returns hits in this order).
pub const LISTS: [List; 15] = [
    List::Obscene,
    List::Insult,
    List::Threat,
    List::Sexual,
    List::Illegal,
    List::SelfPromotion,
    List::SpamPhrase,
    List::SpamWord,
    List::Agreement,
    List::Bait,
    List::PromotionCue,
    List::SecondPerson,
    List::Group,
    List::Dehumanizing,
    List::PraiseSlang,
];

fn matcher() -> &'static Matcher {
    static MATCHER: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| {
        let mut needles = Vec::new();
        let mut meta = Vec::new();
        for l in LISTS.into_iter().chain([List::Idiom]) {
            for e in l.entries() {
                needles.push(e.strip_suffix('*').unwrap_or(e));
                meta.push((l, e.ends_with('*')));
            }
        }
        Matcher {
            ac: aho_corasick::AhoCorasick::new(&needles).ok(),
            meta,
        }
    })
}

/// Whether the hit at `start..end` of `text` is a given name that is also a listed word, written
/// "Dick", with a capitalised surname after it ("Dick Jones") or a title before it ("Mayor
/// Dick", "Mr. Dick").
fn given_name(text: &str, start: usize, end: usize) -> bool {
    if &text[start..end] != "Dick" {
        return false;
    }
    let surname = text[end..]
        .strip_prefix(' ')
        .and_then(|r| r.split_whitespace().next())
        .is_some_and(|w| {
            let mut c = w.chars();
            c.next().is_some_and(char::is_uppercase)
                && w.trim_end_matches(|c: char| !c.is_alphanumeric())
                    .chars()
                    .skip(1)
                    .all(char::is_lowercase)
                && w.len() > 1
        });
    let title = text[..start]
        .split_whitespace()
        .next_back()
        .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
        .is_some_and(|w| {
            [
                "mr",
                "mayor",
                "councilmember",
                "councilman",
                "supervisor",
                "commissioner",
                "director",
                "chief",
                "uncle",
                "officer",
            ]
            .contains(&w.as_str())
        });
    surname || title
}

/// Each list's hits as spans of the original text, in the order of [`LISTS`].
pub type ListHits = [Vec<(usize, usize)>; 15];

/// Whole-word hits of every list in the normalised text `norm` of `text`, in the order of
/// [`LISTS`], and the idioms and given names found, as spans of `text`. One pass over the text.
pub fn find_all(text: &str, norm: &Normalized) -> (ListHits, Vec<(usize, usize)>) {
    let mut out: ListHits = Default::default();
    let mut idioms: Vec<(usize, usize)> = Vec::new();
    let m = matcher();
    let Some(ac) = &m.ac else {
        return (out, idioms);
    };
    for (pattern, span) in crate::detect::words::whole_word_hits(ac, norm, |p| m.meta[p].1) {
        match LISTS.iter().position(|l| *l == m.meta[pattern].0) {
            // "Councilmember Dick Jones": a given name cancels the word as an idiom does
            Some(_) if given_name(text, span.0, span.1) => idioms.push(span),
            Some(i) => out[i].push(span),
            None => idioms.push(span),
        }
    }
    for (list, v) in LISTS.iter().zip(out.iter_mut()) {
        // an idiom takes the sting out of a word, not the crime out of an act
        // ("cock fighting" is not sexual, and is animal fighting all the same)
        if *list != List::Illegal {
            v.retain(|&(s, e)| !idioms.iter().any(|&(a, b)| s < b && a < e));
        }
        v.sort_unstable();
        v.dedup_by(|a, b| a.0 < b.1 && b.0 < a.1);
    }
    (out, idioms)
}

/// Whole-word hits of one list in `text`, with spans in `text`.
pub fn find(list: List, text: &str) -> Vec<Finding<List>> {
    let i = LISTS.iter().position(|l| *l == list).unwrap_or(0);
    find_all(text, &crate::normalize::normalize(text)).0[i]
        .iter()
        .map(|&(start, end)| Finding {
            kind: list,
            start,
            end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(list: List, t: &str) -> Vec<String> {
        find(list, t)
            .into_iter()
            .map(|f| t[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn whole_words_stems_and_tricks() {
        assert_eq!(
            hits(List::Obscene, "what the F.U.C.K is this"),
            vec!["F.U.C.K"]
        );
        assert_eq!(hits(List::Obscene, "fucking hell"), vec!["fucking", "hell"]);
        assert!(hits(List::Obscene, "Shell Oil and the classic assessment").is_empty());
        assert_eq!(hits(List::Insult, "you absolute m0r0n"), vec!["m0r0n"]);
        assert_eq!(hits(List::Threat, "I'll kill you"), vec!["I'll kill"]);
        assert!(hits(List::Threat, "this heat will kill the lawn").is_empty());
        // an idiom carrying a listed word cancels it
        assert!(hits(List::Threat, "they should be hung out to dry").is_empty());
        // no hit of any of `lists` in any of `texts`
        let clean = |lists: &[List], texts: &[&str]| {
            for t in texts {
                for l in lists {
                    assert!(hits(*l, t).is_empty(), "{l:?}: {t}");
                }
            }
        };
        clean(
            &[List::Obscene, List::Sexual],
            &[
                "The Moby Dick reading is on Saturday",
                "Dick's Sporting Goods is opening on Foothill",
                "Hell's Kitchen the diner is closing",
                "A cock fighting ring was busted",
                "Thanks to Councilmember Dick Jones",
            ],
        );
        // the idiom cancels the word, not the crime
        assert_eq!(
            hits(List::Illegal, "Cock fighting tonight behind the feed store"),
            vec!["Cock fighting"]
        );
        assert_eq!(hits(List::Obscene, "you dick"), vec!["dick"]);
        assert_eq!(
            hits(List::Threat, "they should be hung"),
            vec!["should be hung"]
        );
        // civic words that share a prefix or a word with sexual terms (the Scunthorpe problem)
        clean(
            &[List::Sexual],
            &[
                "Cocktail hour at the library fundraiser",
                "Milford Avenue is closed",
                "The sewer hookup fee doubled",
                "A police escort led the parade",
                "Where is the sex offender registry?",
                "Same-sex couples can marry at city hall",
                "You can see it with the naked eye",
                "The mayor was cocky at the meeting",
            ],
        );
        clean(
            &[List::Obscene, List::Insult],
            &[
                "Is there arsenic in the well water?",
                "Arsenal won again",
                "Our sister city Fukuoka sent a delegation",
                "Fire retardant drops near the ridge",
                "Creeping costs on the library project",
                "The morning commute",
            ],
        );
        assert_eq!(hits(List::Sexual, "free nudes here"), vec!["nudes"]);
        assert_eq!(
            hits(List::Sexual, "escort services 24/7"),
            vec!["escort services"]
        );
        assert_eq!(
            hits(List::SelfPromotion, "Check out my channel!"),
            vec!["Check out my", "my channel"]
                .into_iter()
                .take(1)
                .collect::<Vec<_>>()
        );
        // what spam sells or asks for, stems and typing tricks included
        assert_eq!(
            hits(List::PromotionCue, "D0WNLOAD the app, FREE gifts"),
            vec!["D0WNLOAD", "app", "FREE", "gifts"]
        );
        // (overlapping hits of one list are reported once)
        assert_eq!(
            hits(List::PromotionCue, "Nice song. See my new track"),
            vec!["See my"]
        );
        assert!(hits(List::PromotionCue, "I'm watching this in 2014, epic").is_empty());
        // a fan's words about the music are not; the writer's own music is
        assert!(
            hits(
                List::PromotionCue,
                "Who's listening in 2015? Best rapper alive, sick beat, look at the views"
            )
            .is_empty()
        );
        assert_eq!(
            hits(List::PromotionCue, "I'm a rapper, and my rap is new"),
            vec!["I'm a rapper", "my rap"]
        );
        assert_eq!(
            hits(List::PromotionCue, "Suscríbete, inscreva-se!"),
            vec!["Suscríbete", "inscreva"]
        );
    }
}
