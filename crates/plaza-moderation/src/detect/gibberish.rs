//! Random or unintelligible posts (C.7.xxi): keyboard mashes, words without vowels, long
//! consonant runs. Scored as the share of letters in gibberish-looking words; a comment needs
//! at least eight letters to be judged at all.

const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

fn vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

fn keyboard_walk(word: &str) -> bool {
    let w = word.as_bytes();
    if w.len() < 4 {
        return false;
    }
    // four or more letters in a row that sit next to each other on one keyboard row
    let mut run = 1;
    for pair in w.windows(2) {
        let adjacent = ROWS.iter().any(|row| {
            let r = row.as_bytes();
            let (a, b) = (
                r.iter().position(|c| *c == pair[0]),
                r.iter().position(|c| *c == pair[1]),
            );
            matches!((a, b), (Some(x), Some(y)) if x.abs_diff(y) == 1)
        });
        run = if adjacent { run + 1 } else { 1 };
        if run >= 4 {
            return true;
        }
    }
    false
}

fn gibberish_word(word: &str) -> bool {
    let (mut letters, mut vowels, mut run, mut longest) = (0usize, 0usize, 0usize, 0usize);
    for b in word.bytes().filter(u8::is_ascii_alphabetic) {
        letters += 1;
        if vowel(char::from(b)) {
            vowels += 1;
            run = 0;
        } else {
            run += 1;
            longest = longest.max(run);
        }
    }
    if letters < 5 {
        return false;
    }
    (vowels as f32 / letters as f32) < 0.12 || longest >= 5 || keyboard_walk(word)
}

/// A score in [0, 1] for the original text: how much of it is one ASCII character held down
/// (`qqqqqqqq`, `;;;;;;;;`), which normalisation cuts to two and [`score`] cannot see. Runs of
/// three or more count; a comment needs at least eight such characters to be judged.
pub fn held_keys(original: &str) -> f32 {
    let (mut total, mut in_runs) = (0usize, 0usize);
    // the current run: its byte and its length, whitespace skipped
    let mut run: Option<(u8, usize)> = None;
    let mut close = |run: Option<(u8, usize)>| {
        if let Some((b, n)) = run
            && b.is_ascii()
            && n >= 3
        {
            in_runs += n;
        }
    };
    for b in original.bytes().filter(|b| !b.is_ascii_whitespace()) {
        total += 1;
        run = match run {
            Some((c, n)) if c == b => Some((c, n + 1)),
            other => {
                close(other);
                Some((b, 1))
            }
        };
    }
    close(run);
    if in_runs < 8 {
        return 0.0;
    }
    let share = in_runs as f32 / total as f32;
    if share >= 0.6 { 0.8 } else { 0.0 }
}

/// A score in [0, 1]: how much of the text looks like random typing. Only Latin-script text is
/// judged (other scripts score 0: the engine does not claim to read them).
pub fn score(normalized: &str) -> f32 {
    let mut letters = 0usize;
    let mut bad = 0usize;
    for word in normalized.split(|c: char| !c.is_alphanumeric()) {
        let n = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
        letters += n;
        if gibberish_word(word) {
            bad += n;
        }
    }
    let non_latin = normalized
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii_alphabetic())
        .count();
    if letters < 8 || non_latin > letters {
        return 0.0;
    }
    bad as f32 / letters as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn held_keys_are_unintelligible_but_emphasis_is_not() {
        for mash in [
            "qqqqqqqqqqqqqqqq",
            ";;;;;;;;;;;;;;;;;;;;",
            "hhhhhhhhh aaaaaah ggggg",
        ] {
            assert!(held_keys(mash) >= 0.5, "{mash}");
        }
        for fine in [
            "Sooooo happy the pool is open!!!!!!",
            "NOOOOO not the library hours again",
            "👏👏👏👏👏👏👏👏👏",
            "ok",
        ] {
            assert_eq!(held_keys(fine), 0.0, "{fine}");
        }
    }

    fn s(t: &str) -> f32 {
        score(&normalize(t).text)
    }

    #[test]
    fn mashes_score_high_and_prose_low() {
        assert!(s("asdfghjkl qwertyuiop") > 0.9);
        assert!(s("sdkfjhsdkjfh sdkjfhskdjf lkjsdf") > 0.5);
        assert!(s("xzkcvbnmq trghpwsdq") > 0.5);
        for ok in [
            "When will the Oak Street repairs be finished?",
            "Thanks to the Parks department for a wonderful summer program.",
            "The strengths of this plan outweigh its weaknesses.",
            "lol",
            "Привет, как дела?",
        ] {
            assert!(s(ok) < 0.3, "{ok}: {}", s(ok));
        }
    }
}
