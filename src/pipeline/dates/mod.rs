//! Temporal expressions: finds dates, times, durations and frequencies in a
//! clean body text and normalises them to TimeML TIMEX3 values, resolving
//! relative ones against the publication date in the article's time zone.
//!
//! HeidelTime-style, rule-based and linear:
//!
//! 1. [`tokens`]: one pass gives words (each looked up once in the
//!    [`lexicon`]), numbers and punctuation with byte offsets;
//! 2. [`grammar`]: patterns are tried only at candidate tokens (numbers and
//!    lexicon words), longest match first, giving each expression's
//!    unresolved meaning;
//! 3. [`resolve`]: the meaning becomes a TIMEX3 type, value, `mod` and
//!    calendar interval. Names without a year or determiner take the
//!    direction of the clause's tense ("said on Friday" is the last Friday
//!    on or before publication, "will visit on Tuesday" the next Tuesday on
//!    or after it; "In February, Moscow used" the past February, "an attack
//!    that could come in early January" the coming one).
//!
//! The lexicon is English. Numeric dates (ISO 8601, US `m/d/y`) and years
//! are found in any language.

pub mod grammar;
pub mod lexicon;
pub mod resolve;
pub mod tokens;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// Languages whose words the tagger reads (BCP-47).
pub const LANGUAGES: &[&str] = &["en"];

/// TIMEX3 types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimexType {
    /// A calendar date or period.
    Date,
    /// A time of day or part of a day.
    Time,
    /// A length of time.
    Duration,
    /// A recurrence.
    Set,
}

impl TimexType {
    /// The TimeML name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }
}

/// One temporal expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Timex {
    /// Where it is: a byte range of the text.
    pub span: Span,
    /// TIMEX3 type.
    pub kind: TimexType,
    /// TIMEX3 value ("2022-12-19", "P3D", "PAST_REF").
    pub value: String,
    /// TIMEX3 `mod` ("START", "APPROX").
    pub modifier: Option<&'static str>,
    /// The resolved calendar interval `[start, end)`, when the value is one.
    pub interval: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether the value was resolved relative to the publication date.
    pub anchored: bool,
}

/// Finds and normalises the temporal expressions of `text`. Relative
/// expressions are resolved against `published_at` seen from `tz`; without
/// it they keep `X` for what cannot be decided (`XXXX-02-24`).
pub fn tag(text: &str, published_at: Option<DateTime<Utc>>, tz: Tz) -> Vec<Timex> {
    let budget = crate::pipeline::Budget::unlimited();
    tag_metered(text, published_at, tz, &mut budget.meter())
}

/// [`tag`], counting work on `meter` and stopping early (with the
/// expressions found so far) when it says so.
pub fn tag_metered(
    text: &str,
    published_at: Option<DateTime<Utc>>,
    tz: Tz,
    meter: &mut Meter<'_>,
) -> Vec<Timex> {
    let mut toks = Vec::with_capacity(text.len() / 5);
    tokens::tokenize_metered(text, &mut toks, meter);
    let mut found = Vec::new();
    grammar::scan_metered(text, &toks, &mut found, meter);
    let anchor = published_at.map(|p| resolve::Anchor::new(p, tz));
    let mut out: Vec<Timex> = Vec::with_capacity(found.len());
    // The last quarter the text named: "a year ago" and "the year-earlier
    // period" near it mean that quarter a year before.
    let mut last_quarter: Option<(usize, i32, u32)> = None;
    // The dates the text mentioned, for "that day", "a year earlier".
    let mut refs = References::default();
    for f in found {
        if meter.tick() {
            break;
        }
        let span = Span::new(toks[f.start].start as usize, toks[f.end - 1].end as usize);
        let near =
            last_quarter.filter(|(end, _, _)| span.start.saturating_sub(*end) <= QUARTER_REACH);
        let sem = match (&f.sem, near) {
            (
                grammar::Sem::Ago {
                    n,
                    unit: lexicon::Unit::Year,
                    sign: -1,
                },
                Some((_, y, q)),
            ) => grammar::Sem::Quarter {
                q,
                y: Some(y - *n as i32),
            },
            (grammar::Sem::LastQuarter, Some((_, y, q))) => grammar::Sem::Quarter { q, y: Some(y) },
            (grammar::Sem::YearPeriod { y }, Some((_, _, q))) => {
                grammar::Sem::Quarter { q, y: Some(*y) }
            }
            (grammar::Sem::YearAgoPeriod { q: None }, Some((_, y, q))) => {
                grammar::Sem::Quarter { q, y: Some(y - 1) }
            }
            (grammar::Sem::YearAgoPeriod { q: Some(q) }, Some((_, y, _))) => {
                grammar::Sem::Quarter {
                    q: *q,
                    y: Some(y - 1),
                }
            }
            _ => f.sem.clone(),
        };
        let mut dir = resolve::tense(&toks, f.start, f.end, text);
        // "Wednesday's ruling" names an event the reader has heard of:
        // news use it for the past one.
        if matches!(
            f.sem,
            grammar::Sem::Weekday {
                rel: grammar::Rel::None,
                ..
            }
        ) && possessive(text, &toks, f.end)
        {
            dir = resolve::Dir::Past;
        }
        let anaphoric = matches!(
            sem,
            grammar::Sem::Anaphor { .. }
                | grammar::Sem::Shift { .. }
                | grammar::Sem::WeekdayBefore { .. }
        );
        // "compared with the first nine months ... a year earlier" moves
        // the period just named, which is no calendar date: the shift then
        // counts from publication.
        let reference = match sem {
            grammar::Sem::Shift { .. } if refs.period_since() => None,
            _ => refs.latest(needed(&sem)),
        };
        let resolved = match (anaphoric, anchor, reference) {
            (true, Some(a), Some(rf)) => resolve::resolve_from(&sem, rf, a, dir),
            _ => resolve::resolve(&sem, anchor, dir),
        };
        let Some(mut r) = resolved else {
            continue;
        };
        // What the text narrates becomes the reference time; counted
        // comparisons ("a year ago", "the year-earlier period") and values
        // derived from other mentions do not.
        if !anaphoric
            && sem == f.sem
            && !matches!(
                sem,
                grammar::Sem::Ago { .. } | grammar::Sem::YearAgoPeriod { .. }
            )
            && let Some(a) = anchor
            && let Some(rf) = resolve::Reference::of(&r, a.tz)
        {
            refs.note(rf);
        }
        if r.kind == TimexType::Duration {
            refs.note_period();
        }
        if sem != f.sem {
            r.anchored = true;
        }
        if sem == f.sem
            && !anaphoric
            && let Some(q) = quarter_of(&r.value)
        {
            last_quarter = Some((span.end, q.0, q.1));
        }
        out.push(Timex {
            span,
            kind: r.kind,
            value: r.value,
            modifier: f.modifier,
            interval: r.interval,
            anchored: r.anchored,
        });
    }
    out
}

/// The one calendar date that makes up all of `date` (a dateline's "Feb
/// 25", "25 February"), resolved against `published_at` seen from `tz` like
/// any expression of a body with no tense around it (the nearest such
/// date); `None` when `date` is not wholly one date.
pub fn resolve_date(date: &str, published_at: Option<DateTime<Utc>>, tz: Tz) -> Option<Timex> {
    let date = date.trim();
    if date.is_empty() || date.len() > 64 {
        return None;
    }
    let mut found = tag(date, published_at, tz);
    if found.len() != 1 {
        return None;
    }
    let t = found.pop()?;
    let whole = t.span.start == 0 && !date[t.span.end..].chars().any(char::is_alphanumeric);
    (whole && t.kind == TimexType::Date).then_some(t)
}

/// The dates mentioned so far, the latest of each granularity (day, week,
/// month, quarter, year), in order of mention.
#[derive(Default)]
struct References {
    last: [Option<(usize, resolve::Reference)>; 5],
    seen: usize,
    /// When the text last named a length of time ("the nine months").
    period: usize,
}

impl References {
    fn rank(unit: lexicon::Unit) -> usize {
        use lexicon::Unit as U;
        match unit {
            U::Second | U::Minute | U::Hour | U::Day => 0,
            U::Week => 1,
            U::Month => 2,
            U::Quarter => 3,
            U::Year | U::Decade | U::Century => 4,
        }
    }

    fn note(&mut self, r: resolve::Reference) {
        self.seen += 1;
        self.last[Self::rank(r.unit)] = Some((self.seen, r));
    }

    fn note_period(&mut self) {
        self.seen += 1;
        self.period = self.seen;
    }

    /// Whether a length of time was named after the last date.
    fn period_since(&self) -> bool {
        self.period > 0
            && self
                .last
                .iter()
                .flatten()
                .all(|(seen, _)| *seen < self.period)
    }

    /// The most recently mentioned date at least as fine as `unit`: "that
    /// day" needs a day, "that year" takes a day, month or year.
    fn latest(&self, unit: lexicon::Unit) -> Option<resolve::Reference> {
        self.last[..=Self::rank(unit)]
            .iter()
            .flatten()
            .max_by_key(|(seen, _)| *seen)
            .map(|(_, r)| *r)
    }
}

/// The granularity an anaphoric meaning needs of its reference date.
fn needed(sem: &grammar::Sem) -> lexicon::Unit {
    match sem {
        grammar::Sem::Anaphor { unit, .. } | grammar::Sem::Shift { unit, .. } => *unit,
        _ => lexicon::Unit::Day,
    }
}

fn possessive(text: &str, toks: &[tokens::Tok], k: usize) -> bool {
    toks.get(k).is_some_and(|t| t.is('\'') || t.is('’'))
        && toks
            .get(k + 1)
            .is_some_and(|t| text[t.start as usize..t.end as usize].eq_ignore_ascii_case("s"))
}

/// Bytes after a named quarter within which "a year ago" refers to it.
const QUARTER_REACH: usize = 400;

/// `(year, quarter)` of a value such as "1989-Q3".
fn quarter_of(value: &str) -> Option<(i32, u32)> {
    let (y, q) = value.split_once("-Q")?;
    Some((y.parse().ok()?, q.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap())
    }

    /// (text, value, type) of every expression.
    fn tags(text: &str, published: Option<DateTime<Utc>>) -> Vec<(String, String, &'static str)> {
        tag(text, published, Tz::UTC)
            .into_iter()
            .map(|t| (text[t.span.range()].to_string(), t.value, t.kind.as_str()))
            .collect()
    }

    fn one(text: &str, published: Option<DateTime<Utc>>) -> (String, String) {
        let t = tags(text, published);
        assert_eq!(t.len(), 1, "{text}: {t:?}");
        (t[0].0.clone(), t[0].1.clone())
    }

    /// A text, its publication day (y, m, d), and the span ("" for any)
    /// and value of the one expression it holds.
    type Case<'a> = (&'a str, (i32, u32, u32), &'a str, &'a str);

    fn check_one(cases: &[Case]) {
        for &(text, (y, m, d), span, value) in cases {
            let (s, v) = one(text, at(y, m, d));
            assert_eq!(v, value, "{text}");
            assert!(span.is_empty() || s == span, "{text}: {s}");
        }
    }

    /// The values of every expression in `text`.
    fn values(text: &str, published: Option<DateTime<Utc>>) -> Vec<String> {
        tags(text, published).into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn weekday_in_the_past_is_the_last_one_on_or_before_publication() {
        // 2023-02-25 is a Saturday, 2023-02-24 a Friday.
        let sat = at(2023, 2, 25);
        assert_eq!(one("Lukashenko said on Friday that", sat).1, "2023-02-24");
        assert_eq!(
            one("Lukashenko said on Friday that", at(2023, 2, 24)).1,
            "2023-02-24"
        );
        assert_eq!(one("He met Putin on Monday.", sat).1, "2023-02-20");
    }

    #[test]
    fn weekday_in_the_future_is_the_next_one() {
        let sat = at(2023, 2, 25);
        let (text, value) = one("Belta said Lukashenko would start a visit on Tuesday.", sat);
        assert_eq!((text.as_str(), value.as_str()), ("Tuesday", "2023-02-28"));
        assert_eq!(
            one("The summit will open on Monday.", at(2022, 12, 16)).1,
            "2022-12-19"
        );
    }

    #[test]
    fn month_without_year_follows_the_tense() {
        let pubd = at(2022, 12, 19);
        assert_eq!(one("In February, Moscow used its ally.", pubd).1, "2022-02");
        assert_eq!(
            one(
                "Russia is preparing for an attack that could come in early January.",
                pubd
            ),
            ("early January".to_string(), "2023-01".to_string())
        );
        assert_eq!(
            one("Last October, Russia created a unit.", pubd).1,
            "2022-10"
        );
        let t = tag("an offensive in early January", pubd, Tz::UTC);
        assert_eq!(t[0].modifier, Some("START"));
    }

    #[test]
    fn irregular_past_forms_date_a_month_to_the_past() {
        // Reuters, 2019-11-19: "beat" is past, so October is the last one.
        let pubd = at(2019, 11, 19);
        assert_eq!(
            one("Norway's October oil production beat forecasts.", pubd),
            ("October".to_string(), "2019-10".to_string())
        );
        // With no tense January would be the nearer, coming one.
        assert_eq!(one("In January, exports shrank.", pubd).1, "2019-01");
        assert_eq!(one("In January, exports shrink.", pubd).1, "2020-01");
        // Spelt like the base form: after a modal, "to" or "and" it is the
        // base form, after an article a noun, in a compound an adjective;
        // the clause keeps the tense of its other words.
        for text in [
            "Producers will beat estimates in October.",
            "Exports are set to beat estimates in October.",
            "Producers will report and beat estimates in October.",
            "Analysts expect a beat in October.",
        ] {
            assert_eq!(one(text, pubd).1, "2020-10", "{text}");
        }
        assert_eq!(
            one("In January, beat-up tankers are scrapped.", pubd).1,
            "2020-01"
        );
    }

    #[test]
    fn a_dateline_date_resolves_like_any_date() {
        let t = resolve_date("Feb 25", at(2019, 2, 26), Tz::UTC).expect("a date");
        assert_eq!(t.value, "2019-02-25");
        let (start, end) = t.interval.expect("resolved");
        assert_eq!(start, Utc.with_ymd_and_hms(2019, 2, 25, 0, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2019, 2, 26, 0, 0, 0).unwrap());
        // The nearest one: a late-December dateline read in January.
        let t = resolve_date("30 December", at(2020, 1, 2), Tz::UTC).expect("a date");
        assert_eq!(t.value, "2019-12-30");
        // In the article's time zone.
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let t = resolve_date("Feb. 25", at(2019, 2, 25), tokyo).expect("a date");
        assert_eq!(
            t.interval.map(|i| i.0),
            Some(Utc.with_ymd_and_hms(2019, 2, 24, 15, 0, 0).unwrap())
        );
        // No publication date: X for the year, no interval.
        let t = resolve_date("Feb 25", None, Tz::UTC).expect("a date");
        assert_eq!((t.value.as_str(), t.interval), ("XXXX-02-25", None));
        // Not wholly a date.
        assert!(resolve_date("", at(2019, 2, 26), Tz::UTC).is_none());
        assert!(resolve_date("Monday talks", at(2019, 2, 26), Tz::UTC).is_none());
        assert!(resolve_date("two years", at(2019, 2, 26), Tz::UTC).is_none());
    }

    #[test]
    fn absolute_dates_in_many_spellings() {
        let p = at(2023, 2, 25);
        assert_eq!(one("on 25 February 2023 it", p).1, "2023-02-25");
        assert_eq!(one("on 2023-02-25 it", p).1, "2023-02-25");
        assert_eq!(one("Feb 25 (Reuters) - Belarusian", p).1, "2023-02-25");
        assert_eq!(one("on Aug. 7, 1998, bombs", p).1, "1998-08-07");
        assert_eq!(one("a plan to absorb Belarus by 2030.", p).1, "2030");
        assert_eq!(one("in the 1990s there", p).1, "199");
        assert_eq!(
            one(
                "since Putin launched his invasion on February 24,",
                at(2022, 12, 16)
            )
            .1,
            "2022-02-24"
        );
        assert_eq!(
            one("since Putin launched his invasion on February 24,", None).1,
            "XXXX-02-24"
        );
    }

    #[test]
    fn relative_expressions() {
        let mon = at(2022, 12, 19);
        assert_eq!(one("troops that last week carried out", mon).1, "2022-W50");
        assert_eq!(
            one("announced Sunday night that", mon),
            ("Sunday night".into(), "2022-12-18TNI".into())
        );
        assert_eq!(one("two years ago, the", mon).1, "2020");
        assert_eq!(
            one("a report from earlier this week", at(2022, 12, 16)).1,
            "2022-W50"
        );
        assert_eq!(
            one("As part of next week’s summit", at(2022, 12, 16)).1,
            "2022-W51"
        );
        assert_eq!(one("more likely in spring.", mon).1, "2023-SP");
        assert_eq!(one("it is currently looking", mon).1, "PRESENT_REF");
        let t = tag("last night he and I spoke", at(2023, 2, 25), Tz::UTC);
        assert_eq!(
            (t[0].kind, t[0].value.as_str()),
            (TimexType::Time, "2023-02-24TNI")
        );
        assert!(t[0].anchored);
    }

    #[test]
    fn durations_and_sets() {
        let p = at(2022, 12, 19);
        assert_eq!(
            one("a three-day visit", p),
            ("three-day".into(), "P3D".into())
        );
        assert_eq!(one("just as the ten months of the invasion", p).1, "P10M");
        assert_eq!(one("there have been activities for months", p).1, "PXM");
        assert_eq!(one("it lasted 2 hours", p).1, "PT2H");
        assert_eq!(
            tags("in his daily speech", p),
            vec![("daily".into(), "P1D".into(), "SET")]
        );
        assert_eq!(one("we meet every week", p).1, "P1W");
        assert_eq!(one("the lowest for two decades", p).1, "P20Y");
        assert_eq!(one("over the next three quarters", p).1, "P9M");
        assert!(tags("he was 52 years old, a 6-year-old boy", p).is_empty());
        let t = tag("more than four hours", p, Tz::UTC);
        assert_eq!(
            (t[0].value.as_str(), t[0].modifier),
            ("PT4H", Some("MORE_THAN"))
        );
    }

    #[test]
    fn half_units_are_written_in_the_next_smaller_unit() {
        let p = at(1998, 8, 17);
        assert_eq!(
            one("and then about 5 1/2 hours in Nairobi", p),
            ("5 1/2 hours".into(), "PT5H30M".into())
        );
        assert_eq!(
            one("refugee camps for 2 1/2 years.", p),
            ("2 1/2 years".into(), "P2Y6M".into())
        );
        assert_eq!(
            one("But a minute and a half later, a pilot", p).1,
            "PT1M30S"
        );
        // A plain fraction is still not a date.
        assert!(tags("about 1/2 of the staff", p).is_empty());
    }

    #[test]
    fn mixed_numbers_are_one_quantity() {
        // Reuters: "a near 1-1/2 year trade war" was "2 year", P2Y.
        let p = at(2019, 11, 19);
        assert_eq!(
            one("It ends a near 1-1/2 year trade war.", p),
            ("1-1/2 year".into(), "P1Y6M".into())
        );
        for (text, span) in [
            ("It lasted 1 1/2 years.", "1 1/2 years"),
            ("It lasted 1.5 years.", "1.5 years"),
            ("It lasted one and a half years.", "one and a half years"),
            ("It lasted a year and a half.", "a year and a half"),
            ("a 1-1/2-year deal", "1-1/2-year"),
        ] {
            assert_eq!(one(text, p), (span.into(), "P1Y6M".into()), "{text}");
        }
        assert_eq!(one("after 2.5 hours", p).1, "PT2H30M");
        assert_eq!(one("a 5 1/2-hour flight", p).1, "PT5H30M");
        // Ages stay untagged, with or without the half; a decimal with no
        // whole smaller unit is left alone.
        assert!(tags("a 2-1/2-year-old boy", p).is_empty());
        assert!(tags("the boy, 2 1/2 years old, said", p).is_empty());
        assert!(
            tags("after 1.5 weeks", p)
                .iter()
                .all(|t| !t.0.contains("1.5"))
        );
        assert!(tags("a 1.5 percent rise", p).is_empty());
    }

    #[test]
    fn year_earlier_after_a_is_the_period_not_a_year() {
        // "a year-earlier loss" is the same period a year before (TimeBank
        // annotates "year-earlier" as that period), not the duration "a year".
        let t = tags(
            "net of $1 million in the third quarter, compared with a year-earlier loss of $2 million.",
            at(1989, 11, 2),
        );
        assert_eq!(
            t,
            vec![
                ("the third quarter".into(), "1989-Q3".into(), "DATE"),
                ("year-earlier".into(), "1988-Q3".into(), "DATE"),
            ]
        );
    }

    #[test]
    fn plans_and_earliest_times_point_ahead() {
        // 1998-09-30 is a Wednesday.
        let wed = at(1998, 9, 30);
        assert_eq!(
            one(
                "The team planned to leave Nairobi on Thursday for Dar es Salaam.",
                wed
            )
            .1,
            "1998-10-01"
        );
        // 2000-04-03 is a Monday.
        let mon = at(2000, 4, 3);
        assert_eq!(
            one(
                "the father could come to the U.S. as early as Tuesday.",
                mon
            )
            .1,
            "2000-04-04"
        );
        assert_eq!(
            one("They said he was ready to leave as soon as Tuesday.", mon).1,
            "2000-04-04"
        );
        // Without such a cue a past clause keeps the past one, and "plan"
        // as a noun or without "to" is no cue.
        assert_eq!(one("He left on Tuesday.", mon).1, "2000-03-28");
        assert_eq!(
            one("The thrift announced the plan Aug. 21.", at(1989, 10, 27)).1,
            "1989-08-21"
        );
        assert_eq!(
            one(
                "the offensive began as previously planned Saturday night.",
                mon
            )
            .1,
            "2000-04-01TNI"
        );
    }

    #[test]
    fn arrangements_to_do_something_point_ahead() {
        // 1998-03-22 is a Sunday, 1989-10-27 a Friday.
        assert_eq!(
            one(
                "Extremists opposed to the truce tried to undermine the talks, set to resume Monday in Belfast.",
                at(1998, 3, 22)
            )
            .1,
            "1998-03-23"
        );
        assert_eq!(
            one(
                "The stock was suspended in London and is to resume trading in Paris Tuesday.",
                at(1989, 10, 27)
            )
            .1,
            "1989-10-31"
        );
        // "was to" + verb is a plan seen from the past, still ahead of it.
        assert_eq!(
            one("The plane was to land Monday.", at(1998, 3, 22)).1,
            "1998-03-23"
        );
        // "set" without "to" is no cue.
        assert_eq!(
            one("Police set up roadblocks on Tuesday.", at(1998, 3, 22)).1,
            "1998-03-17"
        );
    }

    #[test]
    fn deadlines_in_the_past_perfect_and_places_named_next_to() {
        // 1990-08-16 is a Thursday, 1999-05-07 a Friday, 1989-10-30 a
        // Monday, 1998-08-08 a Saturday.
        check_one(&[
            (
                "Most U.N. members had filed compliance reports by Wednesday.",
                (1990, 8, 16),
                "",
                "1990-08-15",
            ),
            (
                "Until Thursday, they had not called him a suspect.",
                (1999, 5, 7),
                "",
                "1999-05-06",
            ),
            // Without the past perfect "by" and "until" still look ahead.
            (
                "Members said they would file reports by Wednesday.",
                (1990, 8, 16),
                "",
                "1990-08-22",
            ),
            (
                "The offer was extended until Friday.",
                (1990, 8, 16),
                "",
                "1990-08-17",
            ),
            // A plan seen from the past perfect is over.
            (
                "The offer had been scheduled to expire at midnight Friday.",
                (1989, 10, 30),
                "",
                "1989-10-27T24:00",
            ),
            // "next to" is a place: the past clause decides.
            (
                "More than 100 people have been killed in the blasts next to the U.S. embassies in Kenya and Tanzania on Friday.",
                (1998, 8, 8),
                "",
                "1998-08-07",
            ),
        ]);
    }

    #[test]
    fn plans_after_the_weekday_and_quotations_bound_the_tense() {
        // 1998-10-26 is a Monday, 1998-09-30 a Wednesday, 2000-04-05 a
        // Wednesday.
        check_one(&[
            (
                "On Tuesday, the National Abortion Rights Action League plans to hold a news conference.",
                (1998, 10, 26),
                "",
                "1998-10-27",
            ),
            // A past plan after the weekday may date the planning.
            (
                "On Friday, the Kenyan government planned to pay the first families.",
                (1998, 9, 30),
                "",
                "1998-09-25",
            ),
            // Scare quotes do not end the clause.
            (
                "In February, their “special military operation” began.",
                (2022, 12, 19),
                "",
                "2022-02",
            ),
        ]);
        // The reporting verb after a quotation does not date it.
        let v = values(
            "``This father will leave at 4 a.m. Thursday,'' Castro said.",
            at(2000, 4, 5),
        );
        assert_eq!(v, ["2000-04-06T04:00"]);
    }

    #[test]
    fn weeks_of_a_date_previous_weekdays_and_parts_of_the_day() {
        check_one(&[
            (
                "The case may be resolved in a court hearing the week of March 6, Gonzalez said.",
                (2000, 2, 24),
                "the week of March 6",
                "2000-W10",
            ),
            // Without a date mentioned, the last one before publication.
            (
                "Stocks rose from the previous Friday.",
                (1989, 10, 30),
                "the previous Friday",
                "1989-10-27",
            ),
            (
                "By mid afternoon, official Serb sources were saying the operation was over.",
                (1998, 3, 6),
                "mid afternoon",
                "1998-03-06TAF",
            ),
            (
                "In London at mid-afternoon yesterday, Ratners's shares were up 2 pence.",
                (1989, 11, 2),
                "mid-afternoon yesterday",
                "1989-11-01TAF",
            ),
            // One expression, that morning.
            (
                "He was arrested at the airport in the early hours of Thursday as he was about to be deported.",
                (1999, 10, 8),
                "the early hours of Thursday",
                "1999-10-07TMO",
            ),
        ]);
        // 1989-10-30 is a Monday: "Friday" is Oct. 27, the night before it
        // Oct. 26, the Friday before it Oct. 20, and "the morning" its
        // morning.
        let v = values(
            "London share prices closed sharply lower Friday. Shares were depressed by overnight losses in New York. The index shed 47.3 points, down 4.5% from the previous Friday. Dealers placed heavy buy orders in the morning.",
            at(1989, 10, 30),
        );
        assert_eq!(
            v,
            ["1989-10-27", "1989-10-26TNI", "1989-10-20", "1989-10-27TMO"]
        );
        // "4 in the morning" is a clock time, not the morning itself.
        let t = tags("The father will leave at 4 in the morning.", at(2000, 4, 5));
        assert!(t.iter().all(|x| x.0 != "the morning"), "{t:?}");
    }

    #[test]
    fn second_days_spoken_years_and_decades_ordinal_days_and_holidays() {
        let v = values(
            "The accession will be held at the NATO summit on April 24 and 25.",
            at(1999, 2, 10),
        );
        assert_eq!(v, ["1999-04-24", "1999-04-25"]);
        // Not a count of things after the date.
        assert_eq!(
            values("Between April 24 and 25 flights left.", at(1999, 2, 10)).len(),
            1
        );
        // An ordinal day only after a present "is".
        assert_eq!(
            values(
                "In Saudi Arabia, today is the eighth day of Desert Shield.",
                at(1990, 8, 15)
            ),
            ["1990-08-15", "1990-08-15"]
        );
        assert!(tags("He died on the second day of the trip.", at(1998, 3, 6)).is_empty());
        check_one(&[
            (
                "that thirteen dollar a barrel level we saw in the winter of nineteen ninety-four.",
                (1998, 2, 23),
                "winter of nineteen ninety-four",
                "1994-WI",
            ),
            (
                "Numbers were dropping through the nineties.",
                (1998, 3, 3),
                "the nineties",
                "199",
            ),
            ("It recalls the twenties.", (1998, 3, 3), "", "192"),
            ("It recalls the twenties.", (2023, 3, 3), "", "202"),
            (
                "It's the second day of an offensive by the police.",
                (1998, 3, 6),
                "the second day",
                "1998-03-06",
            ),
            (
                "It will be a major theme of our campaign until Election Day.",
                (1998, 10, 26),
                "Election Day",
                "1998-11-03",
            ),
            (
                "Voters went to the polls on Election Day.",
                (2000, 11, 20),
                "",
                "2000-11-07",
            ),
            // Easter Sunday by the computus, and the (ISO) week holding it.
            (
                "The pope will celebrate Easter in Rome.",
                (2024, 3, 1),
                "",
                "2024-03-31",
            ),
            (
                "The shops closed on Easter Sunday.",
                (1998, 4, 20),
                "",
                "1998-04-12",
            ),
            (
                "Protesters prayed for help as Easter week began.",
                (2000, 4, 17),
                "Easter week",
                "2000-W16",
            ),
        ]);
    }

    #[test]
    fn the_year_alone_is_the_current_one_and_can_name_a_year() {
        let p = at(1989, 11, 2);
        assert_eq!(
            one("For the year, pet food volume was flat.", p),
            ("the year".to_string(), "1989".to_string())
        );
        assert_eq!(
            one("shares rose to a high for the year of $42.875 a share.", p).1,
            "1989"
        );
        let t = tags("revenue fell through the first nine months of the year.", p);
        assert_eq!(t[1], ("the year".into(), "1989".into(), "DATE"));
        // "the year before" and "the year when" name another year.
        assert!(tags("sales rose from the year before", p).is_empty());
        assert!(tags("It was the year when prices fell.", p).is_empty());
        // A written or spoken year after it is that year.
        let p = at(1998, 2, 5);
        assert_eq!(
            one(
                "His promise to halve unemployment by the year two thousand failed.",
                p
            ),
            ("the year two thousand".to_string(), "2000".to_string())
        );
        assert_eq!(one("by the year 2010", p).1, "2010");
        assert_eq!(one("in the year two thousand and five", p).1, "2005");
        assert_eq!(one("in the year nineteen ninety-six", p).1, "1996");
    }

    #[test]
    fn counted_lengths_with_more_and_ordinal_centuries() {
        let p = at(2000, 6, 1);
        assert_eq!(
            tags(
                "Elian will remain in the United States for at least two more weeks.",
                p
            ),
            vec![("at least two more weeks".into(), "P2W".into(), "DURATION")]
        );
        assert_eq!(
            one("Russia may use the naval base for 20 more years.", p).1,
            "P20Y"
        );
        assert_eq!(
            one("The loan may be extended for an additional year.", p),
            ("an additional year".to_string(), "P1Y".to_string())
        );
        // Not a count before "more": "more years" alone stays vague.
        assert_eq!(one("It could take more years.", p).1, "PXY");
        assert_eq!(
            one("the fabled 11th century temple near Angkor Wat", p),
            ("11th century".to_string(), "10".to_string())
        );
        assert_eq!(
            one("the most significant events of the 20th century.", p).1,
            "19"
        );
        assert_eq!(one("she is a 20th century democrat", None).1, "19");
    }

    #[test]
    fn rates_and_ordinals_are_not_temporal() {
        let p = at(1989, 10, 26);
        // A set word after an amount is a rate.
        assert!(tags("revenue will increase by 20% annually.", p).is_empty());
        assert!(tags("a plant that would produce about 10,000 units annually", p).is_empty());
        assert!(tags("dividend payments of C$17.9 million annually", p).is_empty());
        // Without an amount it is a recurrence.
        assert_eq!(
            one("commemorations like those held here annually for Marti", p).1,
            "P1Y"
        );
        assert_eq!(
            one(
                "a conglomerate that has been doubling its profits annually",
                p
            )
            .1,
            "P1Y"
        );
        // "a second" before a noun is the ordinal.
        assert!(tags("A second group of three directors sued.", p).is_empty());
        assert!(tags("it will be a second betrayal, she said", p).is_empty());
        assert_eq!(one("He paused for a second.", p).1, "PT1S");
        assert_eq!(
            one("The lights went out a second later.", p).0,
            "a second later"
        );
    }

    #[test]
    fn current_is_the_present_and_the_then_current_a_past_one() {
        let p = at(1989, 10, 26);
        assert_eq!(
            tags(
                "The company delayed construction because of current market conditions.",
                p
            ),
            vec![("current".into(), "PRESENT_REF".into(), "DATE")]
        );
        assert_eq!(
            one("Kellogg's current share is believed to be under 40%.", p).0,
            "current"
        );
        assert_eq!(
            one(
                "holders may buy shares at 50% of the then current market price",
                p
            ),
            ("then current".to_string(), "PAST_REF".to_string())
        );
        // With a calendar unit it is that unit.
        assert_eq!(
            one("sales will grow in the current year.", p),
            ("the current year".to_string(), "1989".to_string())
        );
        // Not before punctuation ("an alternating current.").
        assert!(tags("It runs on direct current.", p).is_empty());
    }

    #[test]
    fn discourse_now_and_narrative_soon_are_not_times() {
        let p = at(1998, 10, 26);
        assert!(tags("Now, Ms. Conlin said, it will have new resonance.", p).is_empty());
        assert!(tags("\"Now, he says, it looks like a trap.\"", p).is_empty());
        assert_eq!(
            one(
                "Now officials are investigating whether he was involved.",
                p
            )
            .1,
            "PRESENT_REF"
        );
        assert_eq!(
            one("The embassy is now operating out of offices.", p).1,
            "PRESENT_REF"
        );
        assert!(tags("He was soon released and appeared healthy.", p).is_empty());
        assert!(tags("a trickle of cash that soon became a flood", p).is_empty());
        assert_eq!(
            one("Prosecutors said they may soon seek an indictment.", p),
            ("soon".to_string(), "FUTURE_REF".to_string())
        );
        assert_eq!(
            one("Kellogg soon will begin selling boxes.", p).1,
            "FUTURE_REF"
        );
    }

    #[test]
    fn capitalised_common_time_words_inside_a_sentence_are_titles() {
        let p = at(1991, 2, 25);
        assert!(
            tags(
                "Baker said on ABC-TV's \"This Week With David Brinkley\" that",
                p
            )
            .is_empty()
        );
        assert!(tags("Gonzalez said on CBS's ''60 Minutes.''", p).is_empty());
        assert!(tags("This is VOA Today.", p).is_empty());
        assert!(tags("a picture from the film ``High Noon.''", p).is_empty());
        // At the start of a sentence or a quote, and for names that are
        // always capitalised, the expression stays.
        assert_eq!(one("\"Today is a sad day,\" she said.", p).1, "1991-02-25");
        assert_eq!(one("This week, the allies attacked.", p).1, "1991-W09");
        assert_eq!(one("The vote will be on Christmas Day.", p).1, "1991-12-25");
        assert_eq!(one("Officials said Monday that", p).1, "1991-02-25");
    }

    #[test]
    fn halves_of_a_year_spoken_years_this_past_and_one_day() {
        let p = at(1989, 10, 26);
        assert_eq!(
            one("lower earnings for the last half of 1989 and beyond", p),
            ("the last half of 1989".to_string(), "1989-H2".to_string())
        );
        assert_eq!(one("profit rose in the first half of 1990", p).1, "1990-H1");
        assert_eq!(one("profit rose in the first half.", p).1, "1989-H1");
        assert_eq!(
            one("profit rose in the second half of 1990", None).1,
            "1990-H2"
        );
        assert_eq!(
            one(
                "January nineteen ninety-seven. Atlanta again.",
                at(1998, 2, 27)
            ),
            (
                "January nineteen ninety-seven".to_string(),
                "1997-01".to_string()
            )
        );
        assert_eq!(
            one(
                "It scrapped the business this past spring, so costs fell.",
                p
            ),
            ("this past spring".to_string(), "1989-SP".to_string())
        );
        assert_eq!(one("Sales slowed this past week.", p).1, "1989-W42");
        // "one day" after a modal or a subject is some day ahead.
        assert_eq!(
            one("Islam will one day be the second largest religion.", p),
            ("one day".to_string(), "FUTURE_REF".to_string())
        );
        assert_eq!(one("The strike lasted one day.", p).1, "P1D");
    }

    #[test]
    fn numbers_and_words_that_are_not_dates() {
        let p = at(2022, 12, 19);
        assert!(tags("Russia was preparing 200,000 new troops", p).is_empty());
        assert!(tags("a 1 billion aid package", p).is_empty());
        assert!(tags("It may rain and we may march. We won 3-1.", p).is_empty());
        assert!(tags("He calls now and then.", p).is_empty());
        assert!(tags("early warning aircraft were deployed", p).is_empty());
        assert!(tags("prices fall in the 2000 stores", p).is_empty());
    }

    #[test]
    fn intervals_are_in_the_article_time_zone() {
        let t = tag(
            "It happened yesterday.",
            Some(Utc.with_ymd_and_hms(2023, 2, 25, 3, 0, 0).unwrap()),
            Tz::America__New_York,
        );
        // 03:00 UTC is still Feb 24 in New York, so yesterday is Feb 23.
        assert_eq!(t[0].value, "2023-02-23");
        let (s, e) = t[0].interval.unwrap();
        assert_eq!(s, Utc.with_ymd_and_hms(2023, 2, 23, 5, 0, 0).unwrap());
        assert_eq!(e - s, chrono::Duration::days(1));
    }

    #[test]
    fn anaphoric_expressions_resolve_against_the_last_mentioned_date() {
        let p = at(2000, 2, 24);
        let t = tags(
            "Farkas was promoted on Oct. 2, 1995, and the following year he left.",
            p,
        );
        assert_eq!(t[1], ("the following year".into(), "1996".into(), "DATE"));
        let t = tags("He fled in June 1998 and returned later that year.", p);
        assert_eq!(t[1], ("later that year".into(), "1998".into(), "DATE"));
        let t = tags(
            "He was shot on Oct. 23, 1998. Earlier that day, police were warned.",
            p,
        );
        assert_eq!(
            t[1],
            ("Earlier that day".into(), "1998-10-23".into(), "DATE")
        );
        let t = tags(
            "The bid came in March 1989. The following month, it was sold.",
            p,
        );
        assert_eq!(t[1].1, "1989-04");
        let t = tags("He fell ill on Feb. 3, 1999 and died the next day.", p);
        assert_eq!(t[1], ("the next day".into(), "1999-02-04".into(), "DATE"));
        let t = tags("On Jan. 5, 1999 he arrived; he left that same day.", p);
        assert_eq!(t[1].1, "1999-01-05");
        // A part of the day after a reference: the next morning is TIME.
        let t = tags(
            "He was arrested on Feb. 22 and appeared the next morning.",
            p,
        );
        assert_eq!(
            t[1],
            ("the next morning".into(), "2000-02-23TMO".into(), "TIME")
        );
    }

    #[test]
    fn anaphoric_expressions_need_a_date_fine_enough() {
        let p = at(2000, 2, 24);
        // "that day" cannot take a year: it falls back to publication.
        let t = tags("Sales in 1995 rose. Trades made that day fell.", p);
        assert_eq!(t[1].1, "2000-02-24");
        // "that year" takes the year of a day.
        let t = tags("It opened on May 3, 1990, and closed that year.", p);
        assert_eq!(t[1].1, "1990");
        // Nothing mentioned before: the publication's year.
        assert_eq!(one("Imports that year fell.", p).1, "2000");
    }

    #[test]
    fn earlier_and_later_move_the_reference_keeping_its_granularity() {
        let p = at(1989, 10, 26);
        let t = tags(
            "Profit fell in the third quarter, from $5 a share a year earlier.",
            p,
        );
        assert_eq!(t[1], ("a year earlier".into(), "1988-Q3".into(), "DATE"));
        let t = tags(
            "It posted the figures Aug. 12, against $3 million a year earlier.",
            p,
        );
        assert_eq!(t[1].1, "1988-08-12");
        let t = tags(
            "The crash was on Oct. 13. Three days later, prices rose.",
            p,
        );
        assert_eq!(t[1].1, "1989-10-16");
        // "ago" stays deictic: it counts from publication.
        let t = tags(
            "The crash was on Oct. 13, 1987. Two weeks ago, prices rose.",
            p,
        );
        assert_eq!(t[1].1, "1989-W41");
        // After a length of time the comparison is not to a date.
        let t = tags(
            "On Oct. 2 it said that in the first nine months net rose from a year earlier.",
            p,
        );
        assert_eq!(t.last().unwrap().1, "1988");
        // A derived value is no reference: the second comparison still
        // counts from the quarter.
        let t = tags(
            "In the third quarter, net rose from a year earlier; sales fell from a year earlier.",
            p,
        );
        assert_eq!((t[1].1.as_str(), t[2].1.as_str()), ("1988-Q3", "1988-Q3"));
    }

    /// Meter steps and expressions of tagging `text`.
    fn work(text: &str) -> (u64, usize) {
        let budget = crate::pipeline::Budget::unlimited();
        let mut meter = budget.meter();
        let out = tag_metered(text, at(2023, 2, 25), Tz::UTC, &mut meter);
        assert_eq!(meter.stopped(), None);
        (meter.steps(), out.len())
    }

    /// Asserts that `make(8n)` costs at most 8 × 1.25 the steps of
    /// `make(n)` and, when `grows`, finds about 8 times the expressions.
    fn assert_linear(what: &str, n: usize, grows: bool, make: impl Fn(usize) -> String) {
        let (small, out_small) = work(&make(n));
        let (large, out_large) = work(&make(8 * n));
        let ratio = large as f64 / small as f64;
        assert!(
            small > 0 && ratio <= 8.0 * 1.25,
            "{what}: {small} steps for n, {large} for 8n (x{ratio:.2})"
        );
        let grown = out_large as f64 / out_small.max(1) as f64;
        assert!(
            !grows || (out_small > 0 && (8.0 / 1.25..=8.0 * 1.25).contains(&grown)),
            "{what}: {out_small} expressions for n, {out_large} for 8n"
        );
    }

    #[test]
    fn the_stage_is_linear_in_the_text() {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        assert_linear("many dates", 300, true, |n| {
            (0..n)
                .map(|i| {
                    format!(
                        "On Friday, {} {}, {}, he said that a year earlier, three days later \
                         and last week the 1990s were over. ",
                        MONTHS[i % 12],
                        i % 28 + 1,
                        1990 + i % 30
                    )
                })
                .collect()
        });
        assert_linear("a paragraph repeated", 200, true, |n| {
            "The third quarter ended Sept. 30, and a year ago the company said it would pay \
             the dividend next Tuesday, two weeks later than in 1988.\n"
                .repeat(n)
        });
        // Runs of words that each open a pattern ("early", "the", "more
        // than", "earlier this") before one date: a pattern must not re-read
        // the run.
        for run in [
            "early ",
            "the ",
            "more than ",
            "earlier this ",
            "1 ",
            "2 1/2 ",
            "March ",
        ] {
            assert_linear(run, 2000, false, |n| run.repeat(n) + "January 2020.");
        }
    }

    #[test]
    fn cancellation_stops_the_stage() {
        use crate::pipeline::budget::{CancelFlag, Interrupted};
        // Long enough that the stage is still running when the flag is
        // raised, in a debug or an optimised build.
        let copies = if cfg!(debug_assertions) {
            20_000
        } else {
            200_000
        };
        let text =
            "On Friday he said that last week, on Feb. 20, three days later, ... \n".repeat(copies);
        let flag = CancelFlag::new();
        flag.cancel();
        let budget = crate::pipeline::Budget::new(None, flag);
        let mut meter = budget.meter();
        assert!(tag_metered(&text, at(2023, 2, 25), Tz::UTC, &mut meter).is_empty());
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        assert!(
            meter.steps() < 16,
            "{} steps after cancellation",
            meter.steps()
        );
        // Cancelled while it runs: what was found so far, in text order.
        let (full_steps, full) = work(&text);
        let flag = CancelFlag::new();
        let budget = crate::pipeline::Budget::new(None, flag.clone());
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(5));
            flag.cancel();
        });
        let mut meter = budget.meter();
        let part = tag_metered(&text, at(2023, 2, 25), Tz::UTC, &mut meter);
        canceller.join().expect("the canceller ran");
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        assert!(meter.steps() < full_steps && part.len() < full);
        assert!(part.windows(2).all(|w| w[0].span.end <= w[1].span.start));
    }
}
