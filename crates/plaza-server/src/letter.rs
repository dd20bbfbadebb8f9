//! The written authorization letter (B.9, B.11): the same text as an HTML page to print and
//! as a PDF, for the City Manager's signature and the employee's acknowledgement.

use crate::App;
use crate::error::AppError;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use plaza_store::Authorization;

/// The letter, one paragraph per line; empty lines separate blocks.
pub async fn text(app: &App, a: &Authorization) -> Result<Vec<String>, AppError> {
    let (pv, policy) = app.store.policy().await?;
    let city = policy.meta.issuer.clone();
    let until = match a.ends_at {
        Some(t) => format!("until {}", t.date()),
        None => "until revoked in writing".to_string(),
    };
    let mut lines = vec![
        city.clone(),
        format!("Office of the City Manager · {}", policy.settings.official_website),
        String::new(),
        format!("Date: {}", a.granted_at.date()),
        format!("Written authorization no. {}", a.id),
        String::new(),
        format!("To: {}, {} ({})", a.person_name, a.person_title, a.person_email),
        String::new(),
        "Subject: Written authorization to act on a City social media site".to_string(),
        String::new(),
        format!(
            "Under sections B.9 and B.11 of the {} {} (version {}), I authorize you to {} on the City site \"{}\" ({}, account {}), at the level \"{}\".",
            city,
            policy.meta.name,
            policy.meta.version,
            a.level.description(),
            a.site_name,
            a.site_platform.label(),
            a.site_handle,
            a.level.as_str()
        ),
        format!("Scope: you may address only these matters on the City's behalf (B.12): {}", a.scope),
        format!("This authorization takes effect on {} and remains in force {}.", a.starts_at.date(), until),
        "When you post on the City's behalf, your full name, title and contact information are made available; you share no other personal information about yourself or other employees (B.12). You do not share the site's password with anyone (B.14); Plaza holds the credentials. You conduct yourself as a professional representative of the City (B.11). A violation may lead to loss of access to City social media sites and to disciplinary action (B.17, E.1).".to_string(),
        "Everything you do in Plaza on this site is part of the City's public record (B.19).".to_string(),
        String::new(),
        format!("Authorized by: {}, City Manager", a.granted_by_name),
        "Signature: ______________________________    Date: ______________".to_string(),
        String::new(),
        format!("Acknowledged by: {}", a.person_name),
        "I have read this authorization and the Social Media Policy and accept them.".to_string(),
        "Signature: ______________________________    Date: ______________".to_string(),
        String::new(),
        format!("Plaza record: authorization {} under policy version {} (Plaza #{}).", a.id, policy.meta.version, pv),
    ];
    if let Some(t) = a.attested_at {
        lines.push(format!(
            "Signature recorded in Plaza on {}: {}",
            t.human(),
            a.attestation.clone().unwrap_or_default()
        ));
    }
    if let Some(t) = a.revoked_at {
        lines.push(format!(
            "REVOKED on {}: {}",
            t.human(),
            a.revoke_reason.clone().unwrap_or_default()
        ));
    }
    Ok(lines)
}

/// Maps text to the PDF's WinAnsi encoding (Latin-1 subset), replacing what it cannot show.
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '·' => 0xB7,
            '“' | '”' => b'"',
            '‘' | '’' => b'\'',
            '–' | '—' => b'-',
            c if (c as u32) < 0x7f && (c as u32) >= 0x20 => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Wraps a paragraph to lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// A plain A4/Letter-safe PDF of the letter in Helvetica, paginated.
pub fn pdf(title: &str, paragraphs: &[String]) -> Vec<u8> {
    const W: f32 = 612.0;
    const H: f32 = 792.0;
    const MARGIN: f32 = 72.0;
    const SIZE: f32 = 11.0;
    const LEAD: f32 = 15.0;
    let mut lines: Vec<(String, bool)> = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        if p.is_empty() {
            lines.push((String::new(), false));
            continue;
        }
        for l in wrap(p, 84) {
            lines.push((l, i == 0));
        }
        lines.push((String::new(), false));
    }
    let per_page = ((H - 2.0 * MARGIN) / LEAD) as usize;
    let pages: Vec<&[(String, bool)]> = lines.chunks(per_page.max(1)).collect();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let mut next = 6;
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    let mut ids = Vec::new();
    for _ in &pages {
        ids.push((Ref::new(next), Ref::new(next + 1)));
        next += 2;
    }
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(ids.len() as i32);
    for ((page_id, content_id), chunk) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, W, H));
        page.parent(tree);
        page.contents(*content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(Name(b"F1"), font);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        res.finish();
        page.finish();
        let mut c = Content::new();
        let mut y = H - MARGIN;
        for (text, is_bold) in chunk {
            if !text.is_empty() {
                c.begin_text();
                c.set_font(
                    Name(if *is_bold { b"F2" } else { b"F1" }),
                    if *is_bold { 14.0 } else { SIZE },
                );
                c.next_line(MARGIN, y);
                c.show(Str(&winansi(text)));
                c.end_text();
            }
            y -= LEAD;
        }
        pdf.stream(*content_id, &c.finish());
    }
    pdf.type1_font(font)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Plaza"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_builds_a_pdf() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        let paras: Vec<String> = (0..80)
            .map(|i| format!("Paragraph {i} with some words to wrap across the line."))
            .collect();
        let bytes = pdf("Test", &paras);
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 4") || text.contains("/Count 3") || text.contains("/Count 5"),
            "paginated"
        );
        assert_eq!(winansi("Café · “x”"), b"Caf\xe9 \xb7 \"x\"".to_vec());
    }
}
