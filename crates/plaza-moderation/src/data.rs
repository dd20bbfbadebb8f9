//! Parsers for the labelled public data sets (the caller reads the files): TweetEval text and
//! label files, the Davidson et al. CSV, and the YouTube Spam Collection CSVs.

/// A labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub text: String,
    pub label: u8,
}

/// TweetEval: one text a line, one label (0/1) a line.
pub fn tweeteval(text: &str, labels: &str) -> Result<Vec<Labelled>, String> {
    let texts: Vec<&str> = text.lines().collect();
    let labels: Vec<&str> = labels.lines().collect();
    if texts.len() != labels.len() {
        return Err(format!("{} texts but {} labels", texts.len(), labels.len()));
    }
    texts
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (t, l))| {
            let label = l
                .trim()
                .parse::<u8>()
                .map_err(|_| format!("label line {}: {l:?} is not a number", i + 1))?;
            Ok(Labelled {
                text: t.to_string(),
                label,
            })
        })
        .collect()
}

/// Davidson et al.: `class` 0 hate speech, 1 offensive, 2 neither; the text is `tweet`.
pub fn davidson(csv_text: &str) -> Result<Vec<Labelled>, String> {
    read_csv(csv_text, "tweet", "class")
}

/// YouTube Spam Collection: `CONTENT`, `CLASS` (1 spam).
pub fn youtube(csv_text: &str) -> Result<Vec<Labelled>, String> {
    read_csv(csv_text, "CONTENT", "CLASS")
}

/// Any CSV with a text column and a numeric label column.
pub fn csv_columns(
    csv_text: &str,
    text_col: &str,
    label_col: &str,
) -> Result<Vec<Labelled>, String> {
    read_csv(csv_text, text_col, label_col)
}

fn read_csv(csv_text: &str, text_col: &str, label_col: &str) -> Result<Vec<Labelled>, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let ti = headers
        .iter()
        .position(|h| h == text_col)
        .ok_or_else(|| format!("no column {text_col}"))?;
    let li = headers
        .iter()
        .position(|h| h == label_col)
        .ok_or_else(|| format!("no column {label_col}"))?;
    let mut out = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("record {}: {e}", n + 1))?;
        let label = rec
            .get(li)
            .unwrap_or("")
            .trim()
            .parse::<u8>()
            .map_err(|_| format!("record {}: bad label", n + 1))?;
        out.push(Labelled {
            text: rec.get(ti).unwrap_or("").to_string(),
            label,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_format() {
        assert_eq!(
            tweeteval("a\nb\n", "0\n1\n").unwrap()[1],
            Labelled {
                text: "b".into(),
                label: 1
            }
        );
        assert!(tweeteval("a\n", "0\n1\n").is_err());
        let d = ",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,\"hi, \"\"you\"\"\"\n";
        assert_eq!(
            davidson(d).unwrap()[0],
            Labelled {
                text: "hi, \"you\"".into(),
                label: 2
            }
        );
        let y =
            "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,\"A\",\"2013\",\"check out my channel\",1\n";
        assert_eq!(youtube(y).unwrap()[0].label, 1);
    }
}
