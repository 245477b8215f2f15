//! Normalisation: a matched expression's meaning ([`Sem`]) becomes a TIMEX3
//! type, value and interval, resolved against the publication date in the
//! article's time zone. Direction for names without a year or determiner
//! ("Friday", "in February", "in spring", "Oct. 23") comes from the tense of
//! the clause ([`tense`]): the nearest verb cue in the same sentence, before
//! or after the expression.

use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::TimexType;
use super::grammar::{Rel, Sem};
use super::lexicon::{Cue, PartOfDay, Unit};
use super::tokens::Tok;

/// Direction a clause points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Past tense: the most recent occurrence.
    Past,
    /// Future tense: the coming occurrence.
    Future,
    /// No tense found: the nearest occurrence (weekdays: the past one).
    Unknown,
}

/// Days ahead within which a date without a year is taken as the coming
/// one even in a past-tense clause.
const SOON_DAYS: i64 = 62;

/// Days back within which a date without a year is taken as the past one
/// even in a future-tense clause (the report came out after the event).
const JUST_DAYS: i64 = 7;

/// How far the tense search looks, in tokens, before and after.
const LOOK_BEFORE: usize = 30;
const LOOK_AFTER: usize = 12;

/// The tense around tokens `[start, end)`: the nearest cue in the same
/// sentence (ties go to the left; modals such as "could" carry no tense).
pub fn tense(toks: &[Tok], start: usize, end: usize, text: &str) -> Dir {
    // A preposition right before the expression outweighs the verb:
    // "payable Dec. 7", "by Jan. 14", "effective Feb. 1" look ahead,
    // "since 2019" looks back.
    // "by" and "until" look ahead unless the clause is in the past
    // perfect ("had filed reports by Wednesday", "until Thursday, they
    // had not called him a suspect"): that deadline has passed.
    let mut deadline = false;
    if start > 0 {
        let p = &toks[start - 1];
        let w = &text[p.start as usize..p.end as usize];
        let is = |x: &str| w.eq_ignore_ascii_case(x);
        if ["payable", "effective", "due"].iter().any(|x| is(x)) {
            return Dir::Future;
        }
        deadline = ["by", "until", "till"].iter().any(|x| is(x));
        if is("since") {
            return Dir::Past;
        }
        // "as soon as Tuesday", "as early as Tuesday": the earliest time
        // something can happen, so a coming one.
        if is("as") && start >= 3 {
            let w2 = &text[toks[start - 2].start as usize..toks[start - 2].end as usize];
            let w3 = &text[toks[start - 3].start as usize..toks[start - 3].end as usize];
            if w3.eq_ignore_ascii_case("as")
                && (w2.eq_ignore_ascii_case("soon") || w2.eq_ignore_ascii_case("early"))
            {
                return Dir::Future;
            }
        }
    }
    let mut before = None;
    let mut k = start;
    let mut dist = 0;
    while k > 0 && dist < LOOK_BEFORE {
        if toks[k].newline_before {
            break;
        }
        k -= 1;
        dist += 1;
        let t = &toks[k];
        if t.ends_sentence() && !abbreviation_dot(toks, k) {
            break;
        }
        // A participle after "be" is passive, not past: "would be paid
        // in January", "will be discussed".
        let passive = t.cue == Cue::Past
            && k > 0
            && toks[k - 1].kind == super::tokens::Kind::Word
            && text[toks[k - 1].start as usize..toks[k - 1].end as usize]
                .eq_ignore_ascii_case("be");
        // A plan or arrangement before the expression points ahead:
        // "planned to leave on Thursday", "plans to vote Monday", "talks
        // set to resume Monday", "is to resume trading Tuesday", "was to
        // land Monday" (but "the plan Aug. 21" and "as previously planned
        // Saturday" do not).
        if plan_to(toks, k, text, true) {
            before = Some((dist, Cue::Future, false));
            break;
        }
        let cue = cue_at(toks, k, text);
        if cue != Cue::None && !passive {
            before = Some((dist, cue, past_perfect(toks, k, text)));
            break;
        }
    }
    let mut after = None;
    let mut k = end;
    let mut dist = 0;
    while k < toks.len() && dist < LOOK_AFTER {
        let t = &toks[k];
        if t.newline_before && k > end {
            break;
        }
        dist += 1;
        if t.ends_sentence() && !abbreviation_dot(toks, k) {
            break;
        }
        // The end of a quotation: the reporting verb beyond it does not
        // date the quoted words ("will leave at 4 a.m. Thursday,'' Castro
        // said").
        if closing_quote(toks, k) {
            break;
        }
        // "On Tuesday, the league plans to hold a news conference".
        if plan_to(toks, k, text, false) {
            after = Some((dist, Cue::Future, false));
            break;
        }
        let cue = cue_at(toks, k, text);
        if cue != Cue::None {
            after = Some((dist, cue, past_perfect(toks, k, text)));
            break;
        }
        k += 1;
    }
    let (cue, perfect) = match (before, after) {
        (Some((db, cb, pb)), Some((da, ca, pa))) => {
            if da < db {
                (ca, pa)
            } else {
                (cb, pb)
            }
        }
        (Some((_, c, p)), None) | (None, Some((_, c, p))) => (c, p),
        (None, None) => (Cue::None, false),
    };
    // A past perfect looks back from a past moment, even with a plan
    // ("had been scheduled to expire at midnight Friday").
    if perfect {
        return Dir::Past;
    }
    if deadline {
        return Dir::Future;
    }
    match cue {
        Cue::Past => Dir::Past,
        Cue::Future => Dir::Future,
        Cue::Present | Cue::None => Dir::Unknown,
    }
}

/// The tense cue of token `k`; "next" in "next to" is a place, not a time,
/// and a past form spelt like its base form ("beat") is the base form
/// after "to", a modal, "do", "not" or "and"/"or" ("will beat", "to beat",
/// "will meet and beat"), a participle after "be" or "get" ("getting beat
/// up"), a noun after an article ("a beat") and part of a compound
/// ("beat-up"): no cue, so the search goes on.
fn cue_at(toks: &[Tok], k: usize, text: &str) -> Cue {
    let t = &toks[k];
    let word = |j: usize| &text[toks[j].start as usize..toks[j].end as usize];
    if t.cue == Cue::Future
        && word(k).eq_ignore_ascii_case("next")
        && toks
            .get(k + 1)
            .is_some_and(|n| text[n.start as usize..n.end as usize].eq_ignore_ascii_case("to"))
    {
        return Cue::None;
    }
    if t.cue == Cue::Past && k > 0 && super::lexicon::base_form_past(word(k)) {
        let before = word(k - 1);
        let base = [
            "to", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "do",
            "does", "did", "ll", "not", "and", "or", "a", "an", "the", "be", "been", "being",
            "get", "gets", "getting", "got",
        ]
        .iter()
        .any(|w| before.eq_ignore_ascii_case(w));
        // Part of a hyphenated compound ("beat-up").
        let compound = (toks[k - 1].end == t.start && toks[k - 1].is('-'))
            || toks
                .get(k + 1)
                .is_some_and(|n| n.start == t.end && n.is('-'));
        if base || compound {
            return Cue::None;
        }
    }
    t.cue
}

/// Whether token `k` closes a quotation of speech: a quotation mark
/// (double, or the second of two single ones: "''") right after a comma,
/// question or exclamation mark. Scare quotes ("their “special operation”
/// in February") close without one and do not end the clause.
fn closing_quote(toks: &[Tok], k: usize) -> bool {
    let t = &toks[k];
    if t.kind != super::tokens::Kind::Punct {
        return false;
    }
    let before = if matches!(t.ch, '"' | '”') {
        k
    } else if matches!(t.ch, '\'' | '’') && k > 0 && toks[k - 1].is(t.ch) {
        k - 1
    } else {
        return false;
    };
    before > 0
        && matches!(toks[before - 1].ch, ',' | '?' | '!')
        && toks[before - 1].kind == super::tokens::Kind::Punct
}

/// Whether the cue at `k` belongs to a past perfect: "had" with a
/// participle at most three words on ("had not called", "had been
/// scheduled"), or a participle at most three words after "had".
fn past_perfect(toks: &[Tok], k: usize, text: &str) -> bool {
    let had = |j: usize| {
        toks[j].kind == super::tokens::Kind::Word
            && text[toks[j].start as usize..toks[j].end as usize].eq_ignore_ascii_case("had")
    };
    let word = |j: usize| toks[j].kind == super::tokens::Kind::Word;
    if had(k) {
        return (k + 1..toks.len().min(k + 4))
            .take_while(|&j| word(j))
            .any(|j| toks[j].cue == Cue::Past || toks[j].cue == Cue::Future);
    }
    toks[k].cue != Cue::None
        && (k.saturating_sub(3)..k)
            .rev()
            .take_while(|&j| word(j))
            .any(had)
}

/// Whether token `k` opens a plan or arrangement: "plan(s|ned)", "set",
/// "likely" or a form of "be" followed by "to". After the expression only
/// a present plan counts: "On Friday, the government planned to pay" may
/// date the planning.
fn plan_to(toks: &[Tok], k: usize, text: &str, past_forms: bool) -> bool {
    let w = |j: usize| {
        toks.get(j)
            .map_or("", |t| &text[t.start as usize..t.end as usize])
    };
    let present = ["plan", "plans", "set", "likely", "is", "are"];
    let past = ["planned", "was", "were"];
    (present.iter().any(|p| w(k).eq_ignore_ascii_case(p))
        || past_forms && past.iter().any(|p| w(k).eq_ignore_ascii_case(p)))
        && w(k + 1).eq_ignore_ascii_case("to")
}

/// A period right after a short word ("Aug.", "p.m.") does not end a sentence.
fn abbreviation_dot(toks: &[Tok], k: usize) -> bool {
    k > 0 && toks[k].ch == '.' && toks[k - 1].end == toks[k].start && {
        let p = &toks[k - 1];
        p.end - p.start <= 4 && p.lex != super::lexicon::Lex::None
            || (p.end - p.start == 1 && p.kind == super::tokens::Kind::Word)
    }
}

/// A resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// TIMEX3 type.
    pub kind: TimexType,
    /// TIMEX3 value.
    pub value: String,
    /// Calendar interval `[start, end)`, when the value is one.
    pub interval: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether the value depends on the publication date.
    pub anchored: bool,
}

/// The publication date in the article's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Anchor {
    /// Local calendar day of publication.
    pub date: NaiveDate,
    /// The article's time zone.
    pub tz: Tz,
}

impl Anchor {
    /// The anchor of a publication time seen from `tz`.
    pub fn new(published_at: DateTime<Utc>, tz: Tz) -> Anchor {
        Anchor {
            date: published_at.with_timezone(&tz).date_naive(),
            tz,
        }
    }

    fn utc(&self, t: NaiveDateTime) -> DateTime<Utc> {
        self.tz
            .from_local_datetime(&t)
            .earliest()
            .map(|x| x.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&t))
    }

    fn days(&self, a: NaiveDate, b: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((
            self.utc(a.and_time(NaiveTime::MIN)),
            self.utc(b.and_time(NaiveTime::MIN)),
        ))
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn add_months(y: i32, m: u32, delta: i32) -> (i32, u32) {
    let idx = y * 12 + (m as i32 - 1) + delta;
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

fn month_start(y: i32, m: u32) -> Option<NaiveDate> {
    ymd(y, m, 1)
}

fn week_value(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn part_hours(p: PartOfDay) -> (u32, u32) {
    match p {
        PartOfDay::Morning => (6, 12),
        PartOfDay::Afternoon => (12, 18),
        PartOfDay::Evening => (18, 24),
        PartOfDay::Night => (21, 30),
    }
}

/// The day of `Sem::Date` that marks US Election Day.
pub const ELECTION_DAY: u32 = 32;

/// The day of `Sem::Date` that marks Easter Sunday.
pub const EASTER: u32 = 33;

/// Easter Sunday of year `y` (Gregorian computus).
fn easter(y: i32) -> Option<NaiveDate> {
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let g = (8 * b + 13) / 25;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 19 * l) / 433;
    let month = (h + l - 7 * m + 90) / 25;
    let day = (h + l - 7 * m + 33 * month + 19) % 32;
    ymd(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Day `d` of month `m` in year `y`; day 0 is Thanksgiving (the fourth
/// Thursday of November), [`ELECTION_DAY`] the Tuesday after the first
/// Monday of November and [`EASTER`] Easter Sunday.
fn date_of(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    match d {
        EASTER => easter(y),
        0 => NaiveDate::from_weekday_of_month_opt(y, 11, chrono::Weekday::Thu, 4),
        ELECTION_DAY => {
            NaiveDate::from_weekday_of_month_opt(y, 11, chrono::Weekday::Mon, 1)?.succ_opt()
        }
        _ => ymd(y, m, d),
    }
}

/// Resolves one meaning. `None` when it names no real date (Feb 30).
pub fn resolve(sem: &Sem, anchor: Option<Anchor>, dir: Dir) -> Option<Resolved> {
    let date_kind = TimexType::Date;
    let Some(a) = anchor else {
        return Some(unanchored(sem));
    };
    let today = a.date;
    let day = |d: NaiveDate, anchored: bool| Resolved {
        kind: date_kind,
        value: d.format("%Y-%m-%d").to_string(),
        interval: a.days(d, d + Duration::days(1)),
        anchored,
    };
    let month = |y: i32, m: u32, anchored: bool| -> Option<Resolved> {
        let (ny, nm) = add_months(y, m, 1);
        Some(Resolved {
            kind: date_kind,
            value: format!("{y:04}-{m:02}"),
            interval: a.days(month_start(y, m)?, month_start(ny, nm)?),
            anchored,
        })
    };
    let year = |y: i32, anchored: bool| -> Option<Resolved> {
        Some(Resolved {
            kind: date_kind,
            value: format!("{y:04}"),
            interval: a.days(ymd(y, 1, 1)?, ymd(y + 1, 1, 1)?),
            anchored,
        })
    };
    let week = |d: NaiveDate| Resolved {
        kind: date_kind,
        value: week_value(d),
        interval: a.days(monday(d), monday(d) + Duration::days(7)),
        anchored: true,
    };
    let quarter = |y: i32, q: u32, anchored: bool| -> Option<Resolved> {
        let (ny, nm) = add_months(y, 3 * q - 2, 3);
        Some(Resolved {
            kind: date_kind,
            value: format!("{y:04}-Q{q}"),
            interval: a.days(month_start(y, 3 * q - 2)?, month_start(ny, nm)?),
            anchored,
        })
    };
    let with_part = |d: NaiveDate, p: Option<PartOfDay>, anchored: bool| -> Resolved {
        match p {
            None => day(d, anchored),
            Some(p) => {
                let (h0, h1) = part_hours(p);
                let base = d.and_time(NaiveTime::MIN);
                Resolved {
                    kind: TimexType::Time,
                    value: format!("{}T{}", d.format("%Y-%m-%d"), p.code()),
                    interval: Some((
                        a.utc(base + Duration::hours(i64::from(h0))),
                        a.utc(base + Duration::hours(i64::from(h1))),
                    )),
                    anchored,
                }
            }
        }
    };
    let cur_q = (today.month() - 1) / 3 + 1;
    Some(match *sem {
        Sem::Date { y: Some(y), m, d } => day(date_of(y, m, d)?, false),
        Sem::Date { y: None, m, d } => {
            let make = |y: i32| date_of(y, m, d);
            let y0 = today.year();
            let cands: Vec<NaiveDate> = [y0 - 1, y0, y0 + 1].into_iter().filter_map(make).collect();
            let past = cands.iter().rev().find(|c| **c <= today).copied();
            let next = cands.iter().find(|c| **c > today).copied();
            // A past clause still means the coming date when it is within a
            // month ("said the vote is set for Jan. 14" on Jan. 5).
            let soon = next.filter(|c| (*c - today).num_days() <= SOON_DAYS);
            let just = past.filter(|c| (today - *c).num_days() <= JUST_DAYS);
            let pick = match dir {
                Dir::Past => soon.or(past),
                Dir::Future => just.or(next).or(past),
                Dir::Unknown => cands
                    .iter()
                    .min_by_key(|c| ((**c - today).num_days().abs(), **c > today))
                    .copied(),
            }?;
            day(pick, true)
        }
        Sem::YearMonth { y, m } => month(y, m, false)?,
        Sem::MonthOff { m, off } => month(today.year() + off, m, true)?,
        Sem::QuarterOff { q, off } => quarter(today.year() + off, q, true)?,
        Sem::YearAgoPeriod { q: Some(q) } => quarter(today.year() - 1, q, true)?,
        Sem::YearAgoPeriod { q: None } => year(today.year() - 1, true)?,
        Sem::YearPeriod { y } => year(y, false)?,
        Sem::Month { m, rel } => {
            let (y0, m0) = (today.year(), today.month());
            let y = match (rel, dir) {
                (Rel::This, _) => y0,
                (Rel::Last, _) => {
                    if m < m0 {
                        y0
                    } else {
                        y0 - 1
                    }
                }
                (Rel::Next, _) => {
                    if m > m0 {
                        y0
                    } else {
                        y0 + 1
                    }
                }
                (Rel::None, Dir::Past) => {
                    // The coming month still reads as coming ("trading
                    // for November" on Oct. 30).
                    if m <= m0 || add_months(y0, m0, 1) == (y0, m) {
                        y0
                    } else if m0 == 12 && m == 1 {
                        y0 + 1
                    } else {
                        y0 - 1
                    }
                }
                (Rel::None, Dir::Future) => {
                    if m >= m0 {
                        y0
                    } else {
                        y0 + 1
                    }
                }
                (Rel::None, Dir::Unknown) => {
                    let diff = m as i32 - m0 as i32;
                    if diff > 6 {
                        y0 - 1
                    } else if diff < -6 {
                        y0 + 1
                    } else {
                        y0
                    }
                }
            };
            month(y, m, true)?
        }
        Sem::Year(y) => year(y, false)?,
        Sem::Decade(d) => Resolved {
            kind: date_kind,
            value: format!("{d:03}"),
            interval: a.days(ymd(d * 10, 1, 1)?, ymd(d * 10 + 10, 1, 1)?),
            anchored: false,
        },
        Sem::DecadeWord(d) => {
            let y = today.year();
            let mut c = y / 100 * 10 + i32::from(d);
            if c * 10 > y {
                c -= 10;
            }
            resolve(&Sem::Decade(c), anchor, dir)?
        }
        Sem::Century(c) => Resolved {
            kind: date_kind,
            value: format!("{c:02}"),
            interval: a.days(ymd(c * 100, 1, 1)?, ymd(c * 100 + 100, 1, 1)?),
            anchored: false,
        },
        Sem::WeekdayBefore { wd } => {
            let cur = today.weekday().number_from_monday() as i64;
            let back = (cur - i64::from(wd)).rem_euclid(7);
            day(
                today - Duration::days(if back == 0 { 7 } else { back }),
                true,
            )
        }
        Sem::WeekOf(ref inner) => {
            let r = resolve(inner, anchor, dir)?;
            let (s, _) = r.interval?;
            week(s.with_timezone(&a.tz).date_naive())
        }
        Sem::Weekday { wd, rel, part } => {
            let cur = today.weekday().number_from_monday() as i64;
            let wd = i64::from(wd);
            let back = (cur - wd).rem_euclid(7);
            let fwd = (wd - cur).rem_euclid(7);
            let off = match (rel, dir) {
                (Rel::Last, _) => -(if back == 0 { 7 } else { back }),
                (Rel::Next, _) => {
                    if fwd == 0 {
                        7
                    } else {
                        fwd
                    }
                }
                (Rel::This, Dir::Future) | (Rel::None, Dir::Future) => fwd,
                (Rel::This, _) | (Rel::None, _) => -back,
            };
            with_part(today + Duration::days(off), part, true)
        }
        Sem::DayRel { off, part } => with_part(today + Duration::days(i64::from(off)), part, true),
        Sem::Season { s, rel, y } => {
            let (ys, idx) = match y {
                Some(y) => (y, i32::from(s)),
                None => {
                    let m = today.month();
                    let (cy, cs) = match m {
                        3..=5 => (today.year(), 0),
                        6..=8 => (today.year(), 1),
                        9..=11 => (today.year(), 2),
                        12 => (today.year(), 3),
                        _ => (today.year() - 1, 3),
                    };
                    let cur = cy * 4 + cs;
                    let s = i32::from(s);
                    let at_or_before = cur - (cur - s).rem_euclid(4);
                    let at_or_after = cur + (s - cur).rem_euclid(4);
                    let target = match (rel, dir) {
                        (Rel::This, _) => today.year() * 4 + s,
                        (Rel::Last, _) => {
                            if at_or_before == cur {
                                cur - 4
                            } else {
                                at_or_before
                            }
                        }
                        (Rel::Next, _) => {
                            if at_or_after == cur {
                                cur + 4
                            } else {
                                at_or_after
                            }
                        }
                        (Rel::None, Dir::Past) => at_or_before,
                        (Rel::None, Dir::Future) => at_or_after,
                        (Rel::None, Dir::Unknown) => {
                            if at_or_after - cur < cur - at_or_before {
                                at_or_after
                            } else {
                                at_or_before
                            }
                        }
                    };
                    (target.div_euclid(4), target.rem_euclid(4))
                }
            };
            let code = ["SP", "SU", "FA", "WI"][idx as usize];
            let start_m = [3, 6, 9, 12][idx as usize];
            let (ey, em) = add_months(ys, start_m, 3);
            Resolved {
                kind: date_kind,
                value: format!("{ys:04}-{code}"),
                interval: a.days(month_start(ys, start_m)?, month_start(ey, em)?),
                anchored: y.is_none(),
            }
        }
        Sem::RelUnit { unit, off } => match unit {
            Unit::Week => week(today + Duration::days(7 * i64::from(off))),
            Unit::Month => {
                let (y, m) = add_months(today.year(), today.month(), off);
                month(y, m, true)?
            }
            Unit::Year => year(today.year() + off, true)?,
            Unit::Quarter => {
                let idx = today.year() * 4 + cur_q as i32 - 1 + off;
                quarter(idx.div_euclid(4), (idx.rem_euclid(4) + 1) as u32, true)?
            }
            Unit::Decade => {
                let d = today.year().div_euclid(10) + off;
                Resolved {
                    kind: date_kind,
                    value: format!("{d:03}"),
                    interval: a.days(ymd(d * 10, 1, 1)?, ymd(d * 10 + 10, 1, 1)?),
                    anchored: true,
                }
            }
            _ => day(today + Duration::days(i64::from(off)), true),
        },
        Sem::Weekend { rel } => {
            let cur = i64::from(today.weekday().num_days_from_monday());
            let this_sat = monday(today) + Duration::days(5);
            let sat = match (rel, dir) {
                (Rel::Last, _) => this_sat - Duration::days(7),
                (Rel::Next, _) => this_sat + Duration::days(7),
                (Rel::This, _) | (Rel::None, Dir::Future) => this_sat,
                (Rel::None, _) if cur >= 5 => this_sat,
                (Rel::None, _) => this_sat - Duration::days(7),
            };
            Resolved {
                kind: date_kind,
                value: format!("{}-WE", week_value(sat)),
                interval: a.days(sat, sat + Duration::days(2)),
                anchored: true,
            }
        }
        Sem::Quarter { q, y } => match y {
            Some(y) => quarter(y, q, false)?,
            None => {
                let y = if q > cur_q && dir == Dir::Past {
                    today.year() - 1
                } else {
                    today.year()
                };
                quarter(y, q, true)?
            }
        },
        Sem::LastQuarter => {
            let idx = today.year() * 4 + cur_q as i32 - 2;
            quarter(idx.div_euclid(4), (idx.rem_euclid(4) + 1) as u32, true)?
        }
        Sem::Half { h, y } => {
            let anchored = y.is_none();
            let y = y.unwrap_or(today.year());
            let m0 = if h == 1 { 1 } else { 7 };
            let (ey, em) = add_months(y, m0, 6);
            Resolved {
                kind: date_kind,
                value: format!("{y:04}-H{h}"),
                interval: a.days(month_start(y, m0)?, month_start(ey, em)?),
                anchored,
            }
        }
        Sem::Ago { n, unit, sign } => {
            let n = i64::from(n) * i64::from(sign);
            match unit {
                Unit::Year => year(today.year() + n as i32, true)?,
                Unit::Decade => year(today.year() + 10 * n as i32, true)?,
                Unit::Century => year(today.year() + 100 * n as i32, true)?,
                Unit::Month => {
                    let (y, m) = add_months(today.year(), today.month(), n as i32);
                    month(y, m, true)?
                }
                Unit::Quarter => {
                    let (y, m) = add_months(today.year(), today.month(), 3 * n as i32);
                    quarter(y, (m - 1) / 3 + 1, true)?
                }
                Unit::Week => week(today + Duration::days(7 * n)),
                Unit::Day => day(today + Duration::days(n), true),
                Unit::Hour | Unit::Minute | Unit::Second => day(today, true),
            }
        }
        Sem::Ref(v) => Resolved {
            kind: date_kind,
            value: v.to_string(),
            interval: None,
            anchored: true,
        },
        Sem::Duration { .. } | Sem::Set(_) | Sem::HalfDuration(_) => unanchored(sem),
        // Without a date mentioned before, the reference is the
        // publication date.
        Sem::Anaphor { .. } => {
            return resolve_from(
                sem,
                Reference {
                    unit: Unit::Day,
                    date: today,
                },
                a,
                dir,
            );
        }
        Sem::Shift { n, unit, sign } => resolve(&Sem::Ago { n, unit, sign }, anchor, dir)?,
        Sem::Clock { h, min, ref day } => {
            let d = match day.as_deref() {
                None => today,
                Some(inner) => {
                    let r = resolve(inner, anchor, dir)?;
                    let (s, _) = r.interval?;
                    s.with_timezone(&a.tz).date_naive()
                }
            };
            let base = d.and_time(NaiveTime::MIN)
                + Duration::hours(i64::from(h))
                + Duration::minutes(i64::from(min));
            Resolved {
                kind: TimexType::Time,
                value: format!("{}T{h:02}:{min:02}", d.format("%Y-%m-%d")),
                interval: Some((a.utc(base), a.utc(base + Duration::minutes(1)))),
                anchored: true,
            }
        }
    })
}

/// The reference time of anaphoric expressions: the date the text last
/// mentioned ("On Oct. 23 ... that day", "in 1995 ... the following
/// year"), with the granularity its value was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// Granularity of the value (`Day` for "1998-10-23" and its parts of
    /// the day, `Week`, `Month`, `Quarter`, `Year`).
    pub unit: Unit,
    /// First day of the value's period.
    pub date: NaiveDate,
}

impl Reference {
    /// The reference a resolved expression gives: only calendar values of
    /// a day, week, month, quarter or year (not references, durations,
    /// seasons or weekends).
    pub fn of(r: &Resolved, tz: Tz) -> Option<Reference> {
        if !matches!(r.kind, TimexType::Date | TimexType::Time) {
            return None;
        }
        let v = r.value.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        if v.len() < 4 || !digits(&v[..4]) {
            return None;
        }
        let unit = match &v[4..] {
            [] => Unit::Year,
            [b'-', m @ ..] if m.len() == 2 && digits(m) => Unit::Month,
            [b'-', b'Q', q] if q.is_ascii_digit() => Unit::Quarter,
            [b'-', b'W', w @ ..] if w.len() == 2 && digits(w) => Unit::Week,
            [b'-', m1, m2, b'-', d1, d2, ..] if digits(&[*m1, *m2, *d1, *d2]) => Unit::Day,
            _ => return None,
        };
        let (start, _) = r.interval?;
        Some(Reference {
            unit,
            date: start.with_timezone(&tz).date_naive(),
        })
    }
}

/// `d` moved by `n` units (months keep their day where it exists).
fn shift(d: NaiveDate, unit: Unit, n: i64) -> Option<NaiveDate> {
    let months = |k: i64| {
        let m = Months::new(u32::try_from(k.unsigned_abs()).ok()?);
        if k < 0 {
            d.checked_sub_months(m)
        } else {
            d.checked_add_months(m)
        }
    };
    match unit {
        Unit::Second | Unit::Minute | Unit::Hour => Some(d),
        Unit::Day => d.checked_add_signed(Duration::days(n)),
        Unit::Week => d.checked_add_signed(Duration::days(7 * n)),
        Unit::Month => months(n),
        Unit::Quarter => months(3 * n),
        Unit::Year => months(12 * n),
        Unit::Decade => months(120 * n),
        Unit::Century => months(1200 * n),
    }
}

/// Resolves an anaphoric meaning against a reference time: "that year"
/// and "the following day" name the `unit` holding the reference date
/// (`off` units on); "a year earlier" and "two days later" move the
/// reference date and keep its granularity ("the third quarter ... a year
/// earlier" is the quarter a year before, "Aug. 12 ... a year earlier" the
/// day). Other meanings resolve as usual.
pub fn resolve_from(sem: &Sem, reference: Reference, a: Anchor, dir: Dir) -> Option<Resolved> {
    let at = Anchor {
        date: reference.date,
        tz: a.tz,
    };
    let mut r = match *sem {
        Sem::Anaphor { unit, off, part } => match part {
            Some(p) => resolve(&Sem::DayRel { off, part: Some(p) }, Some(at), dir)?,
            None => resolve(&Sem::RelUnit { unit, off }, Some(at), dir)?,
        },
        // "the previous Friday": before the date last mentioned.
        Sem::WeekdayBefore { .. } => resolve(sem, Some(at), dir)?,
        Sem::Shift { n, unit, sign } => {
            let date = shift(reference.date, unit, i64::from(n) * i64::from(sign))?;
            let at = Anchor { date, tz: a.tz };
            resolve(
                &Sem::RelUnit {
                    unit: reference.unit,
                    off: 0,
                },
                Some(at),
                dir,
            )?
        }
        _ => return resolve(sem, Some(a), dir),
    };
    r.anchored = true;
    Some(r)
}

/// Values of expressions without a publication date: absolute ones as
/// written, relative ones with `X` for what cannot be decided.
fn unanchored(sem: &Sem) -> Resolved {
    let (kind, value) = match sem {
        Sem::Date { y: Some(y), m, d } if (1..=31).contains(d) => {
            (TimexType::Date, format!("{y:04}-{m:02}-{d:02}"))
        }
        Sem::Date { m, d, .. } => (TimexType::Date, format!("XXXX-{m:02}-{d:02}")),
        Sem::YearMonth { y, m } => (TimexType::Date, format!("{y:04}-{m:02}")),
        Sem::Month { m, .. } => (TimexType::Date, format!("XXXX-{m:02}")),
        Sem::Year(y) => (TimexType::Date, format!("{y:04}")),
        Sem::Decade(d) => (TimexType::Date, format!("{d:03}")),
        Sem::Century(c) => (TimexType::Date, format!("{c:02}")),
        Sem::DecadeWord(d) => (TimexType::Date, format!("XX{d}")),
        Sem::WeekdayBefore { wd } => (TimexType::Date, format!("XXXX-WXX-{wd}")),
        Sem::Weekday { wd, part, .. } => match part {
            Some(p) => (TimexType::Time, format!("XXXX-WXX-{wd}T{}", p.code())),
            None => (TimexType::Date, format!("XXXX-WXX-{wd}")),
        },
        Sem::Season { s, y, .. } => {
            let code = ["SP", "SU", "FA", "WI"][usize::from(*s)];
            match y {
                Some(y) => (TimexType::Date, format!("{y:04}-{code}")),
                None => (TimexType::Date, format!("XXXX-{code}")),
            }
        }
        Sem::Quarter { q, y: Some(y) } => (TimexType::Date, format!("{y:04}-Q{q}")),
        Sem::Half { h, y: Some(y) } => (TimexType::Date, format!("{y:04}-H{h}")),
        Sem::Half { h, y: None } => (TimexType::Date, format!("XXXX-H{h}")),
        Sem::Quarter { q, .. } => (TimexType::Date, format!("XXXX-Q{q}")),
        Sem::Ref(v) => (TimexType::Date, (*v).to_string()),
        Sem::Duration { n, unit } => {
            let (code, clock) = unit.code();
            let t = if clock { "T" } else { "" };
            // Counted decades, centuries and quarters are written in years
            // and months ("two decades" P20Y, "three quarters" P9M), as
            // TimeBank does; vague ones keep their own unit ("decades" PXDE).
            let v = match (n, unit) {
                (Some(n), Unit::Decade) => format!("P{}Y", n * 10),
                (Some(n), Unit::Century) => format!("P{}Y", n * 100),
                (Some(n), Unit::Quarter) => format!("P{}M", n * 3),
                (Some(n), _) => format!("P{t}{n}{code}"),
                (None, _) => format!("P{t}X{code}"),
            };
            (TimexType::Duration, v)
        }
        Sem::Set(v) => (TimexType::Set, v.clone()),
        Sem::HalfDuration(v) => (TimexType::Duration, v.clone()),
        Sem::Clock { h, min, .. } => (TimexType::Time, format!("XXXX-XX-XXT{h:02}:{min:02}")),
        Sem::DayRel { part: Some(p), .. } => (TimexType::Time, format!("XXXX-XX-XXT{}", p.code())),
        _ => (TimexType::Date, "XXXX-XX-XX".to_string()),
    };
    let anchored = !matches!(
        sem,
        Sem::Date { y: Some(_), .. }
            | Sem::YearMonth { .. }
            | Sem::Year(_)
            | Sem::Decade(_)
            | Sem::Century(_)
            | Sem::Duration { .. }
            | Sem::Set(_)
            | Sem::HalfDuration(_)
            | Sem::Quarter { y: Some(_), .. }
            | Sem::Half { y: Some(_), .. }
            | Sem::Season { y: Some(_), .. }
    );
    Resolved {
        kind,
        value,
        interval: None,
        anchored: anchored && !matches!(sem, Sem::Ref(_)),
    }
}
