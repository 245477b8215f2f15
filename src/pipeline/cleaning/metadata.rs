//! Metadata printed in the text of an article: the dateline that opens the
//! story ("Feb 25 (Reuters) –", "JAKARTA -", "WASHINGTON (AP) —"), the
//! byline ("By Jane Doe and John Roe", "Elizabeth Smith"), and publication
//! dates in metadata lines ("date 2023-02-25", "Published 3 March 2023").

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;

use super::cues::BYLINE_PREFIX;
use super::features::StopWords;
use crate::pipeline::Dateline;
use crate::pipeline::entities::gazetteer::Gazetteers;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("metadata pattern is valid: {e}"))
}

/// Month names (and abbreviations) in the supported languages, lower-case,
/// with their month number.
static MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("enero", 1),
    ("janvier", 1),
    ("janv", 1),
    ("januar", 1),
    ("jän", 1),
    ("gennaio", 1),
    ("gen", 1),
    ("janeiro", 1),
    ("januari", 1),
    ("ene", 1),
    ("february", 2),
    ("feb", 2),
    ("febrero", 2),
    ("février", 2),
    ("févr", 2),
    ("fevrier", 2),
    ("februar", 2),
    ("febbraio", 2),
    ("fevereiro", 2),
    ("fev", 2),
    ("februari", 2),
    ("pebruari", 2),
    ("march", 3),
    ("mar", 3),
    ("marzo", 3),
    ("mars", 3),
    ("märz", 3),
    ("marz", 3),
    ("março", 3),
    ("maret", 3),
    ("maart", 3),
    ("april", 4),
    ("apr", 4),
    ("abril", 4),
    ("avril", 4),
    ("avr", 4),
    ("aprile", 4),
    ("abr", 4),
    ("may", 5),
    ("mayo", 5),
    ("mai", 5),
    ("maggio", 5),
    ("mag", 5),
    ("maio", 5),
    ("mei", 5),
    ("june", 6),
    ("jun", 6),
    ("junio", 6),
    ("juin", 6),
    ("juni", 6),
    ("giugno", 6),
    ("giu", 6),
    ("junho", 6),
    ("july", 7),
    ("jul", 7),
    ("julio", 7),
    ("juillet", 7),
    ("juil", 7),
    ("juli", 7),
    ("luglio", 7),
    ("lug", 7),
    ("julho", 7),
    ("august", 8),
    ("aug", 8),
    ("agosto", 8),
    ("ago", 8),
    ("août", 8),
    ("aout", 8),
    ("agustus", 8),
    ("augustus", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("settembre", 9),
    ("set", 9),
    ("setembro", 9),
    ("october", 10),
    ("oct", 10),
    ("octubre", 10),
    ("octobre", 10),
    ("oktober", 10),
    ("okt", 10),
    ("ottobre", 10),
    ("ott", 10),
    ("outubro", 10),
    ("out", 10),
    ("november", 11),
    ("nov", 11),
    ("noviembre", 11),
    ("novembre", 11),
    ("novembro", 11),
    ("nopember", 11),
    ("december", 12),
    ("dec", 12),
    ("diciembre", 12),
    ("dic", 12),
    ("décembre", 12),
    ("déc", 12),
    ("dezember", 12),
    ("dez", 12),
    ("dicembre", 12),
    ("dezembro", 12),
    ("desember", 12),
    ("des", 12),
];

fn month_number(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(m, _)| *m == name).map(|(_, n)| *n)
}

const MONTH_ALT: &str = r"(?i:[a-zäéûç]{3,10})\.?";

static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u:\b)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?(?-u:\b)",
    )
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?({MONTH_ALT}),?\s+(?:de\s+)?(\d{{4}})(?-u:\b)"
    ))
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?-u:\b)({MONTH_ALT})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?-u:\b)"
    ))
});

/// The first calendar date written in `text`, as an instant: with the
/// written time and offset when there are both, else midnight (or the
/// written time) in `tz`.
pub fn find_date(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let at_midnight = |y: i32, m: u32, d: u32, time: Option<NaiveTime>| {
        let local = NaiveDate::from_ymd_opt(y, m, d)?.and_time(time.unwrap_or(NaiveTime::MIN));
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let num = |s: Option<regex::Match>| s.and_then(|m| m.as_str().parse::<u32>().ok());
    if let Some(c) = ISO_DATE.captures(text) {
        let (y, m, d) = (num(c.get(1))? as i32, num(c.get(2))?, num(c.get(3))?);
        let time = match (num(c.get(4)), num(c.get(5))) {
            (Some(h), Some(min)) => NaiveTime::from_hms_opt(h, min, num(c.get(6)).unwrap_or(0)),
            _ => None,
        };
        if let (Some(t), Some(offset)) = (time, c.get(7)) {
            let stamp = format!(
                "{y:04}-{m:02}-{d:02}T{}{}",
                t.format("%H:%M:%S"),
                normalise_offset(offset.as_str())
            );
            if let Ok(parsed) = DateTime::parse_from_rfc3339(&stamp) {
                return Some(parsed.with_timezone(&Utc));
            }
        }
        return at_midnight(y, m, d, time);
    }
    let written = |y: i32, m: u32, d: u32, end: usize| {
        // A time may follow: "4 December 2007, 23:57 GMT".
        match time_after(text.get(end..).unwrap_or_default()) {
            Some((time, Some(offset_minutes))) => {
                let local = NaiveDate::from_ymd_opt(y, m, d)?.and_time(time);
                let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)?;
                offset
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            }
            Some((time, None)) => at_midnight(y, m, d, Some(time)),
            None => at_midnight(y, m, d, None),
        }
    };
    if let Some(c) = DAY_MONTH_YEAR.captures(text)
        && let Some(m) = c.get(2).and_then(|m| month_number(m.as_str()))
    {
        return written(num(c.get(3))? as i32, m, num(c.get(1))?, c.get(0)?.end());
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(text)
        && let Some(m) = c.get(1).and_then(|m| month_number(m.as_str()))
    {
        return written(num(c.get(3))? as i32, m, num(c.get(2))?, c.get(0)?.end());
    }
    None
}

/// Words that open a date line ("Last Updated:", "Published", "Posted
/// on"), lower-case: a cheap test before the cue patterns.
const DATE_LABELS: &[&str] = &[
    "last",
    "published",
    "updated",
    "posted",
    "date",
    "dated",
    "publicado",
    "actualizado",
    "publié",
    "mis",
    "veröffentlicht",
    "aktualisiert",
    "stand",
    "pubblicato",
    "aggiornato",
    "atualizado",
    "gepubliceerd",
    "bijgewerkt",
    "diterbitkan",
    "diperbarui",
    "dipublikasikan",
];

/// The date of a date line ("Last Updated: Tuesday, 4 December 2007,
/// 23:57 GMT"): a short line that opens with a date label, reads as a
/// metadata line, and has a date.
pub fn date_line(line: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let line = line.trim();
    let first = line.split([' ', ':']).next()?;
    if line.len() > 300 || !DATE_LABELS.contains(&first.to_lowercase().as_str()) {
        return None;
    }
    let chars = line.chars().count();
    if super::cues::kind_of(line, chars) != Some(crate::pipeline::RemovedKind::MetadataLine) {
        return None;
    }
    find_date(line, tz)
}

/// A time right after a written date (", 23:57 GMT", " at 10:30 a.m.
/// EST", " 14.05 Uhr"): the time of day and, when a zone is named, its
/// offset from UTC in minutes.
fn time_after(rest: &str) -> Option<(NaiveTime, Option<i32>)> {
    let c = TIME_AFTER.captures(rest)?;
    let mut hour: u32 = c.name("h")?.as_str().parse().ok()?;
    let minute: u32 = c.name("m")?.as_str().parse().ok()?;
    match c.name("ampm").map(|m| m.as_str().to_ascii_lowercase()) {
        Some(p) if p.starts_with('p') && hour < 12 => hour += 12,
        Some(p) if p.starts_with('a') && hour == 12 => hour = 0,
        _ => {}
    }
    let time = NaiveTime::from_hms_opt(hour, minute, 0)?;
    let offset = c.name("zone").and_then(|z| {
        let z = z.as_str();
        let signed = z.trim_start_matches("GMT").trim_start_matches("UTC");
        if let Some(digits) = signed.strip_prefix(['+', '-']) {
            let sign = signed.as_bytes()[0];
            let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
            let (h, m) = match digits.len() {
                1 | 2 => (digits.parse::<i32>().ok()?, 0),
                4 => (
                    digits[..2].parse::<i32>().ok()?,
                    digits[2..].parse::<i32>().ok()?,
                ),
                _ => return None,
            };
            let minutes = h * 60 + m;
            return Some(if sign == b'-' { -minutes } else { minutes });
        }
        let hours = match z.to_ascii_uppercase().as_str() {
            "GMT" | "UTC" | "Z" => 0,
            "BST" | "CET" | "WAT" => 1,
            "CEST" | "EET" | "SAST" => 2,
            "EEST" | "MSK" => 3,
            "IST" => return Some(330),
            "EST" => -5,
            "EDT" | "AST" => -4,
            "CST" => -6,
            "CDT" => -5,
            "MST" => -7,
            "MDT" => -6,
            "PST" => -8,
            "PDT" => -7,
            _ => return None,
        };
        Some(hours * 60)
    });
    Some((time, offset))
}

/// A time of day opening the text after a date, with an optional zone.
static TIME_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^\s*(?:,|-|–|—|\||/|\bat\b|\bum\b|\bà\b|\ba las\b|\bàs\b|\balle\b)?\s*(?P<h>\d{1,2})[:.h](?P<m>\d{2})(?::\d{2})?\s*(?:(?P<ampm>(?i:[ap]\.?m\.?))\s*)?(?:uhr\s*)?(?:(?P<zone>(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?|GMT|UTC|Z|BST|CEST|CET|WAT|EEST|EET|SAST|MSK|IST|EST|EDT|AST|CST|CDT|MST|MDT|PST|PDT)(?-u:\b))?",
    )
});

fn normalise_offset(offset: &str) -> String {
    match offset {
        "Z" => "Z".to_string(),
        o if o.len() == 5 => format!("{}:{}", &o[..3], &o[3..]),
        o => o.to_string(),
    }
}

/// "Feb 25 (Reuters) –", "19 Dic. (EFE) -"
static DATE_AGENCY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)\s*\((?P<src>[A-Z][\w .&'-]{1,30})\)\s*[-–—]+\s*",
    )
});
/// "JAKARTA -", "WASHINGTON (AP) —", "MINSK, Belarus, Dec 19 (Reuters) -"
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?P<loc>\p{Lu}[\p{Lu}'’.\- ]{1,40}\p{Lu}\.?(?:,\s*\p{Lu}[\p{L}.]+(?:\s\p{Lu}[\p{L}.]+)?)?)(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?))?\s*(?:\((?P<src>[\p{Lu}][\w .&'-]{1,30})\))?\s*(?:[-–—]+|:)\s+",
    )
});
/// "(Reuters) - "
static AGENCY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\((?P<src>[A-Z][\w .&'-]{1,30})\)\s*[-–—]+\s*"));

/// A dateline at the start of `paragraph`: the dateline and the byte length
/// of the prefix it takes (to strip from the body).
pub fn dateline(paragraph: &str) -> Option<(Dateline, usize)> {
    let captures = DATE_AGENCY
        .captures(paragraph)
        .or_else(|| PLACE.captures(paragraph))
        .or_else(|| AGENCY.captures(paragraph))?;
    let whole = captures.get(0)?;
    // Something must follow, and it must be the story, not a one-word line.
    if paragraph.len() - whole.end() < 20 {
        return None;
    }
    let field = |name: &str| {
        captures
            .name(name)
            .map_or(String::new(), |m| m.as_str().trim().to_string())
    };
    let location = field("loc");
    // An all-caps place must have at least three letters ("US -" is not one).
    if !location.is_empty() && location.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return None;
    }
    let text = whole.as_str().trim_end().to_string();
    Some((
        Dateline {
            location,
            source: field("src"),
            date: field("date"),
            text,
            ..Dateline::default()
        },
        whole.end(),
    ))
}

/// The reporters a credit line names ("Reporting by Jane Doe in Minsk and
/// John Roe in Kyiv; Editing by Ann Poe" gives Jane Doe and John Roe): the
/// names of its "Reporting by", "Reported by", "Writing by" and "Written
/// by" clauses (not additional reporting, editing or photography), each
/// without the place it was written from.
pub fn credit_authors(line: &str, stop: &StopWords) -> Vec<String> {
    let mut authors = Vec::new();
    for clause in line.split(';') {
        let clause = clause.trim().trim_start_matches('(').trim_end_matches(')');
        let lower = clause.to_lowercase();
        let Some(prefix) = [
            "reporting by ",
            "reported by ",
            "writing by ",
            "written by ",
        ]
        .iter()
        .find(|p| lower.starts_with(**p)) else {
            continue;
        };
        let Some(names) = clause.get(prefix.len()..) else {
            continue;
        };
        for part in JOINERS.split(names) {
            // "Jane Doe in Minsk": the place goes.
            let part = part.split(" in ").next().unwrap_or(part);
            let part = part.trim().trim_end_matches('.');
            if !part.is_empty()
                && is_name(part, stop, true)
                && part.split_whitespace().count() >= 2
                && authors.len() < 6
                && !authors.iter().any(|a| a == part)
            {
                authors.push(part.to_string());
            }
        }
    }
    authors
}

/// Name particles that may stand lower-case inside a name.
const PARTICLES: &[&str] = &[
    "de", "da", "del", "della", "di", "do", "dos", "du", "van", "von", "der", "den", "la", "le",
    "bin", "binti", "al", "el", "y", "ter",
];

/// Words that join authors in a byline.
static JOINERS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\s*(?:,|&|(?-u:\b)and(?-u:\b)|(?-u:\b)y(?-u:\b)|(?-u:\b)et(?-u:\b)|(?-u:\b)und(?-u:\b)|(?-u:\b)e(?-u:\b)|(?-u:\b)dan(?-u:\b)|(?-u:\b)en(?-u:\b))\s*",
    )
});

/// The authors named by a byline block, if it is one.
pub fn byline(block: &str, stop: &StopWords) -> Option<Vec<String>> {
    if block.chars().count() > 100 {
        return None;
    }
    let (rest, prefixed) = match BYLINE_PREFIX.find(block) {
        Some(m) => (&block[m.end()..], true),
        None => (block, false),
    };
    // "Jane Doe | Reuters", "Jane Doe - 3 March 2023": the names come first.
    let names = rest
        .split(['|', '•', '·', '—', '–'])
        .next()
        .unwrap_or(rest)
        .trim();
    let mut authors = Vec::new();
    for part in JOINERS.split(names) {
        let part = part.trim().trim_end_matches('.');
        if part.is_empty() {
            continue;
        }
        if !is_name(part, stop, prefixed) {
            return None;
        }
        authors.push(part.to_string());
    }
    (!authors.is_empty() && authors.len() <= 6).then_some(authors)
}

/// The gazetteer lists a byline is checked against: (given names,
/// surnames, everyday English words).
fn name_lists() -> (&'static Gazetteers, u32, u32, u32) {
    let g = Gazetteers::embedded();
    let bit = |name: &str| {
        g.names()
            .iter()
            .position(|n| n == name)
            .map_or(0, |i| 1u32 << i)
    };
    (g, bit("given_names"), bit("surnames"), bit("common_words"))
}

/// Whether a capitalised line without "By" reads as a person's name rather
/// than a label made of everyday words ("Accessibility Links", "Main Page",
/// "Top Stories"): its first word is a given name or no everyday word, and
/// so is its last word a surname or no everyday word.
fn reads_as_name(tokens: &[&str]) -> bool {
    let (g, given, surname, word) = name_lists();
    let ok = |t: &str, name_list: u32| {
        let lists = g.lists_of(t.trim_end_matches('.'));
        lists & name_list != 0 || lists & word == 0
    };
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => ok(first, given) && ok(last, surname),
        _ => false,
    }
}

fn is_name(part: &str, stop: &StopWords, prefixed: bool) -> bool {
    let tokens: Vec<&str> = part.split_whitespace().collect();
    if !prefixed && !reads_as_name(&tokens) {
        return false;
    }
    let min = if prefixed { 1 } else { 2 };
    if tokens.len() < min || tokens.len() > 4 {
        return false;
    }
    let mut capitalised = 0;
    for t in &tokens {
        let lower = t.to_lowercase();
        if PARTICLES.contains(&lower.as_str()) {
            continue;
        }
        let mut chars = t.chars();
        let first_upper = chars.next().is_some_and(char::is_uppercase);
        let rest_ok = chars.all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'));
        if !first_upper || !rest_ok || stop.contains(lower.trim_end_matches('.')) {
            return false;
        }
        capitalised += 1;
    }
    capitalised >= min
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::cleaning::features::stop_words;

    #[test]
    fn datelines_of_the_usual_shapes() {
        let (d, n) = dateline(
            "Feb 25 (Reuters) – Belarusian President Alexander Lukashenko said he held talks.",
        )
        .unwrap();
        assert_eq!(
            (d.date.as_str(), d.source.as_str(), d.location.as_str()),
            ("Feb 25", "Reuters", "")
        );
        assert_eq!(d.text, "Feb 25 (Reuters) –");
        assert_eq!(n, "Feb 25 (Reuters) – ".len());
        let (d, _) = dateline(
            "JAKARTA - Russian President Vladimir Putin and his counterpart met on Monday.",
        )
        .unwrap();
        assert_eq!((d.location.as_str(), d.source.as_str()), ("JAKARTA", ""));
        let (d, _) =
            dateline("WASHINGTON (AP) — The Senate voted on Tuesday to pass the bill.").unwrap();
        assert_eq!(
            (d.location.as_str(), d.source.as_str()),
            ("WASHINGTON", "AP")
        );
        let (d, _) = dateline(
            "MINSK, Belarus, Dec 19 (Reuters) - Russian President Vladimir Putin arrived.",
        )
        .unwrap();
        assert_eq!(
            (d.location.as_str(), d.date.as_str(), d.source.as_str()),
            ("MINSK, Belarus", "Dec 19", "Reuters")
        );
        let (d, _) =
            dateline("NEW YORK - Stocks fell sharply on Wall Street on Friday afternoon.").unwrap();
        assert_eq!(d.location, "NEW YORK");
    }

    #[test]
    fn ordinary_openings_are_not_datelines() {
        assert!(
            dateline("The Kremlin has yet to provide any statement about the conversation.")
                .is_none()
        );
        assert!(dateline("US - a short line").is_none());
        assert!(dateline("“We will never be enemies of Russia,” Lukashenko said.").is_none());
        assert!(dateline("NATO").is_none());
    }

    #[test]
    fn bylines_with_and_without_prefix() {
        let en = stop_words("en");
        assert_eq!(byline("Elizabeth Smith", en).unwrap(), ["Elizabeth Smith"]);
        assert_eq!(
            byline("By Jane Doe and John Roe", en).unwrap(),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            byline("Por María de la Cruz", stop_words("es")).unwrap(),
            ["María de la Cruz"]
        );
        assert_eq!(byline("By Jane Doe | Reuters", en).unwrap(), ["Jane Doe"]);
        assert!(byline("Ukraine prepares", en).is_none());
        assert!(byline("Latest news", en).is_none());
        assert!(byline("Putin meets Lukashenko, what was discussed", en).is_none());
        assert!(byline("The Kremlin has yet to provide any statement.", en).is_none());
    }

    #[test]
    fn labels_of_everyday_words_are_no_bylines() {
        let en = stop_words("en");
        for label in [
            "Accessibility Links",
            "Main Page",
            "Top Stories",
            "Skip Navigation",
        ] {
            assert!(byline(label, en).is_none(), "{label}");
        }
        // Names that are everyday words too, and names in no list.
        assert_eq!(byline("Rose Page", en).unwrap(), ["Rose Page"]);
        assert_eq!(byline("Xolani Mkhize", en).unwrap(), ["Xolani Mkhize"]);
        assert_eq!(byline("By Jane Hope", en).unwrap(), ["Jane Hope"]);
    }

    #[test]
    fn credit_lines_name_their_reporters() {
        let en = stop_words("en");
        assert_eq!(
            credit_authors(
                "Reporting by Jane Doe in Minsk and John Roe in Kyiv; Editing by Ann Poe",
                en
            ),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            credit_authors("(Additional reporting by Ann Poe; Editing by John Roe)", en),
            Vec::<String>::new()
        );
        assert_eq!(
            credit_authors("Writing by Jane Doe; editing by John Roe", en),
            ["Jane Doe"]
        );
    }

    #[test]
    fn date_lines_of_a_page() {
        let d = date_line("Last Updated: Tuesday, 4 December 2007, 23:57 GMT", Tz::UTC).unwrap();
        assert_eq!(d.to_rfc3339(), "2007-12-04T23:57:00+00:00");
        let d = date_line("Published on March 3, 2023", Tz::UTC).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-03-03T00:00:00+00:00");
        assert!(date_line("The law was published on March 3, 2023.", Tz::UTC).is_none());
        assert!(date_line("Published in 2019, the study found little.", Tz::UTC).is_none());
        assert!(date_line("Last year the budget grew by 3 per cent.", Tz::UTC).is_none());
    }

    #[test]
    fn a_time_after_the_date_is_kept_with_its_zone() {
        let utc = Tz::UTC;
        let d = find_date(
            "Last Updated: Tuesday, 4 December 2007, 23:57 GMT",
            Tz::Europe__Madrid,
        )
        .unwrap();
        assert_eq!(d.to_rfc3339(), "2007-12-04T23:57:00+00:00");
        let d = find_date("Published March 3, 2023 at 10:30 p.m. EST", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-03-04T03:30:00+00:00");
        let d = find_date(
            "Aktualisiert am 3. März 2023, 14:05 Uhr",
            Tz::Europe__Berlin,
        )
        .unwrap();
        assert_eq!(d.to_rfc3339(), "2023-03-03T13:05:00+00:00");
        let d = find_date("Updated 3 March 2023, 12:00 GMT+2", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-03-03T10:00:00+00:00");
        let d = find_date("Updated 3 March 2023, 99:00", utc).is_none();
        assert!(!d, "an impossible time falls back to the day");
    }

    #[test]
    fn dates_in_metadata_lines() {
        let utc = Tz::UTC;
        let d = find_date("date 2023-02-25 Reading Time: 2 minutes", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-02-25T00:00:00+00:00");
        let d = find_date("Published 3 March 2023", Tz::Europe__Madrid).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-03-02T23:00:00+00:00");
        let d = find_date("Publicado el 19 de diciembre de 2022", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2022-12-19T00:00:00+00:00");
        let d = find_date("Updated February 24, 2023", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-02-24T00:00:00+00:00");
        let d = find_date("Posted 2022-12-16T10:30:00-05:00", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2022-12-16T15:30:00+00:00");
        assert!(find_date("Reading Time: 2 minutes", utc).is_none());
        assert!(find_date("2023-02-30", utc).is_none(), "no such day");
    }
}
