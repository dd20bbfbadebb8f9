//! The shipped model and default policy on Plaza's own civic comments (`data/civic/`): ordinary
//! comments a resident leaves on a city's page must rarely be sent to review, and comments that
//! plainly show a signal must raise it. The held-out third of the ordinary comments was never
//! trained on; the violating comments are never trained on.

use plaza_moderation::engine::{Comment, Engine};
use plaza_moderation::train::civic;

fn engine() -> Result<Engine, String> {
    let policy = plaza_core::policy::Policy::default_policy().map_err(|e| e[0].to_string())?;
    Ok(Engine::new(
        &policy,
        Some(plaza_moderation::default_model()?),
    ))
}

/// The lines the engine sends to review, each with its clauses.
/// Fails, naming them, if any of `lines` is sent to review.
fn assert_allowed(e: &mut Engine, what: &str, lines: &[&str]) {
    let flagged = sent_to_review(e, lines);
    assert!(
        flagged.is_empty(),
        "{what} sent to review:\n{}",
        flagged.join("\n")
    );
}

fn sent_to_review(e: &mut Engine, lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|t| {
            let a = e.assess(&Comment {
                text: t,
                ..Comment::default()
            });
            (a.decision != plaza_moderation::engine::Decision::Allow).then(|| {
                let clauses: Vec<&str> = a.clauses.iter().map(|c| c.clause.as_str()).collect();
                format!("{clauses:?} {t}")
            })
        })
        .collect()
}

/// Residents' ordinary comments, sharp criticism of the city and shared links included: at most
/// 3% go to review (2 of the 260 held-out lines did when this was written; 3 of 274 with the
/// model of the eighth session, whose settings send 2.5 of them over 13 shuffles).
#[test]
fn ordinary_civic_comments_are_rarely_sent_to_review() {
    let mut e = engine().unwrap();
    let held = civic::held_out();
    assert!(held.len() >= 250, "held-out lines: {}", held.len());
    let flagged = sent_to_review(&mut e, &held);
    let share = flagged.len() as f64 / held.len() as f64;
    eprintln!(
        "{} of {} held-out ordinary civic comments sent to review:\n{}",
        flagged.len(),
        held.len(),
        flagged.join("\n")
    );
    assert!(
        share <= 0.03,
        "{} of {} ordinary comments sent to review:\n{}",
        flagged.len(),
        held.len(),
        flagged.join("\n")
    );
}

/// Ordinary comments whose words share letters with vulgar ones (the county assessor, Butte
/// County, Hitchcock): at most one in ten of the held-out third goes to review (none of 44
/// when this was written; 4 of 45 before the other two thirds were trained on and idioms' words
/// lost their learned weight).
#[test]
fn look_alike_words_are_rarely_sent_to_review() {
    let mut e = engine().unwrap();
    let held = civic::held_out_lookalikes();
    assert!(
        held.len() >= 40,
        "held-out look-alike lines: {}",
        held.len()
    );
    let flagged = sent_to_review(&mut e, &held);
    eprintln!(
        "{} of {} held-out look-alike comments sent to review:\n{}",
        flagged.len(),
        held.len(),
        flagged.join("\n")
    );
    assert!(
        flagged.len() * 10 <= held.len(),
        "{} of {} look-alike comments sent to review:\n{}",
        flagged.len(),
        held.len(),
        flagged.join("\n")
    );
}

/// Each violating comment raises the signal it was written to show (spam counts as spam or
/// self-promotion, as the benchmark groups them): at least 90% overall (0.919 when this was
/// written) and every signal at least two in three. These lines were read when the rules were
/// written, so this guards coverage against regressions; it does not measure generalisation.
#[test]
fn violating_civic_comments_raise_their_signal() {
    let mut e = engine().unwrap();
    let rows = civic::violating();
    assert!(rows.len() >= 150, "violating lines: {}", rows.len());
    let mut by_signal: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut missed = Vec::new();
    for (signal, text) in &rows {
        let a = e.assess(&Comment {
            text,
            ..Comment::default()
        });
        let get = |s: &str| {
            a.signals
                .iter()
                .find(|(n, _)| *n == s)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| panic!("unknown signal {s}"))
        };
        let score = match *signal {
            "spam" | "self_promotion" => get("spam").max(get("self_promotion")),
            s => get(s),
        };
        let hit = score >= 0.5;
        let entry = by_signal.entry(signal).or_default();
        entry.0 += usize::from(hit);
        entry.1 += 1;
        if !hit {
            missed.push(format!("{signal} {score:.2} {text}"));
        }
    }
    let hits: usize = by_signal.values().map(|(h, _)| h).sum();
    let recall = hits as f64 / rows.len() as f64;
    eprintln!(
        "violating civic comments raising their signal: {hits} of {} ({recall:.3}); {by_signal:?}",
        rows.len()
    );
    let weak: Vec<String> = by_signal
        .iter()
        .filter(|(_, (h, n))| h * 3 < n * 2)
        .map(|(s, (h, n))| format!("{s} {h}/{n}"))
        .collect();
    assert!(
        recall >= 0.9 && weak.is_empty(),
        "recall {recall:.3}; weak signals {weak:?}; missed:\n{}",
        missed.join("\n")
    );
}

/// Praise in slang said of a thing ("the fireworks show was sick") is not abuse: the slang word
/// loses the learned weight it got from tweets that insult with it. Said to someone, it keeps it.
#[test]
fn praise_slang_about_things_is_allowed() {
    let mut e = engine().unwrap();
    let praise = [
        "That fireworks show was sick!",
        "sick beat",
        "The new skate park is sick",
        "That new mural downtown is fire",
        "The light show was insane, thank you Parks and Rec",
        "The chili at the cook-off was killer",
    ];
    assert_allowed(&mut e, "praise", &praise);
    let abuse = ["you sick freak", "You are sick in the head"];
    assert_eq!(sent_to_review(&mut e, &abuse).len(), abuse.len());
}

/// Sharing a recording or a government's page advertises nothing: the model learned links as
/// spam from the videos, where nearly every link is, and sent a resident's link to the city's
/// own meeting video to review (spam 1.0). Asking for views or subscribers is still spam, and a
/// bare link to a video keeps the weight of a link.
#[test]
fn sharing_a_video_or_a_government_page_is_not_spam() {
    let mut e = engine().unwrap();
    let shared = [
        "Video of the ribbon cutting from the city channel https://www.youtube.com/watch?v=Wc5rNp8Jd2k",
        "Anyone who missed the town hall can watch it here https://www.youtube.com/watch?v=Gy4sKm7Tq1n",
        "Katy Perry - Roar (Official): http://youtu.be/CevxZvSJLk8\u{feff}",
        "FEMA's flood map lookup lets you check your own parcel: https://msc.fema.gov/portal/search",
    ];
    assert_allowed(&mut e, "shared links", &shared);
    let spam = [
        "Check out my new video https://www.youtube.com/watch?v=Wc5rNp8Jd2k",
        "Please watch https://youtu.be/Wc5rNp8Jd2k and subscribe",
        "subscribe to my channel https://www.youtube.com/channel/UC123456",
    ];
    assert_eq!(sent_to_review(&mut e, &spam).len(), spam.len());
    let spam_score = |e: &mut Engine, text: &str| {
        let a = e.assess(&Comment {
            text,
            ..Comment::default()
        });
        a.signals.iter().find(|(n, _)| *n == "spam").unwrap().1
    };
    let bare = spam_score(&mut e, "https://vimeo.com/107297364");
    let said = spam_score(
        &mut e,
        "Council meeting recording https://vimeo.com/107297364",
    );
    assert!(bare > said + 0.1, "bare {bare}, with words {said}");
    // the words of markup are not words said
    let anchor = spam_score(
        &mut e,
        "<a href=\"https://vimeo.com/107297364\">https://vimeo.com/107297364</a><br />",
    );
    assert!(
        anchor > said + 0.1,
        "bare in markup {anchor}, with words {said}"
    );
}

/// Buying from the city is not a sales pitch: phrases such as "buy it at" and "order yours"
/// were tried as spam phrases and sent these to review, so they are not spam phrases.
#[test]
fn buying_from_the_city_is_not_spam() {
    let mut e = engine().unwrap();
    let lines = [
        "Rain barrels are $20, order yours at arborvale.gov/rain-barrels",
        "The Friends of the Library tote bags are back, buy yours at the front desk",
        "Tickets for the tree lighting are free but limited, order yours soon",
        "I saw the new city flag pins, you can buy it at city hall",
        "Where can I buy it here in town? The hardware store was sold out",
        "Get your dog license online or buy it at the animal shelter",
    ];
    assert_allowed(&mut e, "civic purchases", &lines);
}
