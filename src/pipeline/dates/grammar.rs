//! The patterns of the temporal tagger. [`scan`] walks the tokens once and
//! tries the patterns only at candidate tokens (numbers and words the
//! lexicon knows); the longest pattern starting there wins and the scan
//! resumes after it. Each match carries its meaning ([`Sem`]), still
//! unresolved: turning it into a TIMEX3 value against the publication date
//! is [`super::resolve`]'s job.

use std::cell::Cell;

use super::lexicon::{Cue, Lex, PartOfDay, Unit, W};
use super::tokens::{Kind, Tok};
use crate::pipeline::budget::Meter;

/// Which occurrence a relative name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// No determiner: the tense of the clause decides.
    None,
    /// "this": the current one.
    This,
    /// "last": the previous one.
    Last,
    /// "next": the following one.
    Next,
}

/// The meaning of a matched expression before resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Sem {
    /// A calendar day; the year is missing when not written.
    Date { y: Option<i32>, m: u32, d: u32 },
    /// A month of a written year ("July 1997").
    YearMonth { y: i32, m: u32 },
    /// A month without a year ("in February", "last October").
    Month { m: u32, rel: Rel },
    /// A length written with a half ("5 1/2 hours", "a minute and a half"),
    /// as its TIMEX3 value (`PT5H30M`).
    HalfDuration(String),
    /// A year.
    Year(i32),
    /// A decade, as its first three digits ("the 1990s" -> 199).
    Decade(i32),
    /// A decade named in words ("the nineties"), by its digit: the latest
    /// such decade not after publication.
    DecadeWord(u8),
    /// A century, as its first two digits ("the 20th century" -> 19).
    Century(i32),
    /// A weekday, 1 (Monday) to 7, with an optional part of the day.
    Weekday {
        wd: u32,
        rel: Rel,
        part: Option<PartOfDay>,
    },
    /// A day relative to publication (today 0, yesterday -1), with an
    /// optional part of the day.
    DayRel { off: i32, part: Option<PartOfDay> },
    /// A season (0 spring .. 3 winter), of a written year or relative.
    Season { s: u8, rel: Rel, y: Option<i32> },
    /// The week, month, quarter or year `off` units from publication.
    RelUnit { unit: Unit, off: i32 },
    /// A weekend.
    Weekend { rel: Rel },
    /// "the previous Friday": the last such weekday before the date the
    /// text mentioned last (else publication).
    WeekdayBefore { wd: u32 },
    /// "the week of March 6": the week holding that date.
    WeekOf(Box<Sem>),
    /// A numbered quarter ("the third quarter"), of a written year or the
    /// publication's.
    Quarter { q: u32, y: Option<i32> },
    /// A numbered quarter of the year `off` years from publication
    /// ("this year's third quarter").
    QuarterOff { q: u32, off: i32 },
    /// A month of the year `off` years from publication ("January this
    /// year", "June last year").
    MonthOff { m: u32, off: i32 },
    /// "the year-earlier quarter", "the year-ago period": the same period a
    /// year before the one the text last named (a quarter), else the
    /// previous year; `q` when the quarter is written.
    YearAgoPeriod { q: Option<u32> },
    /// "the 1988 quarter": the quarter the text last named, in year `y`;
    /// the year itself when no quarter was named.
    YearPeriod { y: i32 },
    /// "the quarter", "the latest quarter": the last completed quarter.
    LastQuarter,
    /// A half year ("the first half"), of a written year ("the second
    /// half of 1990") or the publication's.
    Half { h: u32, y: Option<i32> },
    /// `n` units before publication ("two years ago").
    Ago { n: u32, unit: Unit, sign: i32 },
    /// PRESENT_REF, PAST_REF or FUTURE_REF.
    Ref(&'static str),
    /// A period named by reference to a date the text mentioned before
    /// ("that day", "the same month", "the following year", "the next
    /// morning"): the `unit` holding the reference date, `off` units on,
    /// with an optional part of the day.
    Anaphor {
        unit: Unit,
        off: i32,
        part: Option<PartOfDay>,
    },
    /// `n` units before (`sign` -1: "two days earlier") or after ("a week
    /// later") a date the text mentioned before.
    Shift { n: u32, unit: Unit, sign: i32 },
    /// A length of time; `n` is `None` when vague ("months").
    Duration { n: Option<u32>, unit: Unit },
    /// A recurrence with its TIMEX3 value.
    Set(String),
    /// A clock time, on the day of `day` (publication day when `None`).
    Clock {
        h: u32,
        min: u32,
        day: Option<Box<Sem>>,
    },
}

/// One match: token range `[start, end)`, meaning, modifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Meaning.
    pub sem: Sem,
    /// TIMEX3 `mod`.
    pub modifier: Option<&'static str>,
}

struct G<'a> {
    t: &'a [Tok],
    text: &'a str,
    /// Patterns tried since the meter last counted them: the work of a
    /// match attempt, which reads a bounded number of tokens per pattern.
    visits: Cell<u64>,
}

/// Finds every temporal expression in the tokens, left to right.
pub fn scan(text: &str, toks: &[Tok], out: &mut Vec<Found>) {
    let budget = crate::pipeline::Budget::unlimited();
    scan_metered(text, toks, out, &mut budget.meter());
}

/// [`scan`], counting one meter step per token and one per pattern tried
/// (patterns read a bounded number of tokens ahead, so the steps measure
/// the work); when the meter stops, the expressions found so far.
pub fn scan_metered(text: &str, toks: &[Tok], out: &mut Vec<Found>, meter: &mut Meter<'_>) {
    let g = G {
        t: toks,
        text,
        visits: Cell::new(0),
    };
    let mut i = 0;
    while i < toks.len() {
        if meter.add(1 + g.visits.take()) {
            break;
        }
        let t = &toks[i];
        let candidate = match t.kind {
            Kind::Number => true,
            Kind::Word => t.lex != Lex::None,
            Kind::Punct => false,
        };
        if candidate && let Some(f) = g.match_at(i) {
            i = f.end.max(i + 1);
            if !g.title(&f) {
                out.push(f);
            }
            continue;
        }
        i += 1;
    }
    meter.add(g.visits.take());
}

/// The TIMEX3 value of `n` and a half `unit`s, in the next smaller unit
/// ("5 1/2 hours" `PT5H30M`, "2 1/2 years" `P2Y6M`); `None` for units
/// without a whole smaller one.
fn half_value(n: u32, unit: Unit) -> Option<String> {
    Some(match unit {
        Unit::Year => format!("P{n}Y6M"),
        Unit::Month => format!("P{n}M15D"),
        Unit::Day => format!("P{n}DT12H"),
        Unit::Hour => format!("PT{n}H30M"),
        Unit::Minute => format!("PT{n}M30S"),
        Unit::Decade => format!("P{}Y", n * 10 + 5),
        Unit::Century => format!("P{}Y", n * 100 + 50),
        _ => return None,
    })
}

/// A lower-case plural noun the lexicon does not know ("flights", "units").
fn plural_noun(t: &Tok, w: &str) -> bool {
    t.kind == Kind::Word
        && t.lex == Lex::None
        && !t.cap
        && w.ends_with('s')
        && !w.ends_with("ss")
        && w.len() > 3
}

fn found(start: usize, end: usize, sem: Sem) -> Option<Found> {
    Some(Found {
        start,
        end,
        sem,
        modifier: None,
    })
}

impl G<'_> {
    /// Counts one pattern tried.
    fn visit(&self) {
        self.visits.set(self.visits.get() + 1);
    }

    fn lex(&self, j: usize) -> Lex {
        self.t.get(j).map_or(Lex::None, |t| t.lex)
    }

    fn w(&self, j: usize, w: W) -> bool {
        self.lex(j) == Lex::Word(w)
    }

    fn word(&self, j: usize) -> &str {
        self.t
            .get(j)
            .map_or("", |t| &self.text[t.start as usize..t.end as usize])
    }

    fn is(&self, j: usize, c: char) -> bool {
        self.t.get(j).is_some_and(|t| t.is(c))
    }

    /// Tokens `j` and `j + 1` touch (no space between).
    fn adj(&self, j: usize) -> bool {
        match (self.t.get(j), self.t.get(j + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    /// `-` glued between `j - 1` and `j + 1` at `j`.
    fn hyphen(&self, j: usize) -> bool {
        j > 0 && self.is(j, '-') && self.adj(j - 1) && self.adj(j)
    }

    fn plain_number(&self, j: usize) -> Option<(u32, u8)> {
        let t = self.t.get(j)?;
        (t.kind == Kind::Number && t.digits > 0).then_some((t.num, t.digits))
    }

    /// Whether an amount ends right before `i`: a number or percentage
    /// ("20% annually", "$17.9 million annually"), or a plural noun counted
    /// by one ("10,000 units annually").
    fn after_amount(&self, i: usize) -> bool {
        let Some(k) = i.checked_sub(1) else {
            return false;
        };
        let p = self.word(k);
        let prev = &self.t[k];
        prev.kind == Kind::Number
            || prev.is('%')
            || ["million", "billion", "percent"]
                .iter()
                .any(|x| p.eq_ignore_ascii_case(x))
            || (plural_noun(prev, p) && k > 0 && self.t[k - 1].kind == Kind::Number)
    }

    /// A four-digit year at `j`.
    fn year(&self, j: usize) -> Option<i32> {
        let (n, d) = self.plain_number(j)?;
        (d == 4 && (1000..=2199).contains(&n)).then_some(n as i32)
    }

    /// A count at `j`: digits, a number word ("twenty-five"), or "a"/"an".
    /// Returns the value and the index after it.
    fn count(&self, j: usize) -> Option<(u32, usize)> {
        let t = self.t.get(j)?;
        match (t.kind, t.lex) {
            (Kind::Number, _) if t.digits > 0 && t.digits <= 3 => Some((t.num, j + 1)),
            (Kind::Word, Lex::Number(n)) => {
                if (20..100).contains(&n)
                    && self.hyphen(j + 1)
                    && let Lex::Number(u) = self.lex(j + 2)
                    && u < 10
                {
                    return Some((n + u, j + 3));
                }
                Some((n, j + 1))
            }
            (Kind::Word, Lex::Word(W::A)) => Some((1, j + 1)),
            _ => None,
        }
    }

    /// The whole part of a decimal ending in a half at `i` ("1.5", "2.50"):
    /// at most three digits before the point.
    fn decimal_half(&self, i: usize) -> Option<u32> {
        let t = self.t.get(i)?;
        if t.kind != Kind::Number || t.digits > 0 {
            return None;
        }
        let (whole, fraction) = self.word(i).split_once('.')?;
        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !plain(whole) || whole.len() > 3 || !matches!(fraction, "5" | "50") {
            return None;
        }
        whole.parse().ok()
    }

    /// A unit at `j`, singular or plural, and the index after it.
    fn unit(&self, j: usize) -> Option<(Unit, bool)> {
        match self.lex(j) {
            Lex::Unit(u, p) => Some((u, p)),
            Lex::Quarter(p) => Some((Unit::Quarter, p)),
            Lex::Word(W::Weekend) if self.word(j).ends_with('s') => Some((Unit::Week, true)),
            _ if self.word(j).eq_ignore_ascii_case("second") => Some((Unit::Second, false)),
            _ => None,
        }
    }

    /// Whether "second" at `j` (after "a") is the ordinal: a word the
    /// lexicon does not know follows it ("a second group"), other than a
    /// conjunction or preposition ("a second or two", "a second to think").
    fn ordinal_second(&self, j: usize) -> bool {
        let Some(t) = self.t.get(j + 1) else {
            return false;
        };
        let w = self.word(j + 1);
        t.kind == Kind::Word
            && t.lex == Lex::None
            && ![
                "or", "and", "to", "for", "as", "when", "than", "before", "after", "longer",
            ]
            .iter()
            .any(|x| w.eq_ignore_ascii_case(x))
    }

    /// Whether a match is part of a title: a common temporal word
    /// capitalised where no sentence starts (ABC's "This Week", CBS's "60
    /// Minutes", "VOA Today", "High Noon"). Names of months, weekdays and
    /// holidays are capitalised anyway.
    fn title(&self, f: &Found) -> bool {
        if matches!(f.sem, Sem::Date { .. } | Sem::WeekOf(_)) {
            return false;
        }
        (f.start..f.end).any(|k| {
            let t = &self.t[k];
            let common = !matches!(
                t.lex,
                Lex::None | Lex::Month(..) | Lex::Weekday(..) | Lex::Number(_) | Lex::Ordinal(_)
            );
            let w = self.word(k);
            let mixed = t.cap && w.bytes().any(|b| b.is_ascii_lowercase());
            let inside =
                k > f.start || (k > 0 && matches!(self.t[k - 1].kind, Kind::Word | Kind::Number));
            common && mixed && inside
        })
    }

    /// Whether token `i` opens a sentence (after a full stop, a line break
    /// or an opening quote).
    fn sentence_start(&self, i: usize) -> bool {
        let Some(t) = self.t.get(i) else {
            return false;
        };
        if i == 0 || t.newline_before {
            return true;
        }
        let p = &self.t[i - 1];
        p.ends_sentence()
            || (matches!(p.ch, '"' | '“' | '`') && p.kind == Kind::Punct && {
                i < 2 || self.t[i - 2].ends_sentence() || self.t[i - 1].newline_before
            })
    }

    /// Whether token `j` is a past verb form in the active voice ("was",
    /// "became", "ordered"; not "be applied").
    fn past_verb(&self, j: usize) -> bool {
        self.t.get(j).is_some_and(|t| {
            t.kind == Kind::Word
                && t.cue == Cue::Past
                && t.lex == Lex::None
                && !(j > 0 && self.word(j - 1).eq_ignore_ascii_case("be"))
        })
    }

    fn match_at(&self, i: usize) -> Option<Found> {
        if let Some(f) = self.modified(i) {
            return Some(f);
        }
        self.core(i)
    }

    /// Expressions with a leading modifier: "early January", "the end of
    /// 1990", "mid-November", "earlier this week", "more than four hours".
    fn modified(&self, i: usize) -> Option<Found> {
        self.visit();
        let (j, modifier, point) = match self.lex(i) {
            Lex::Word(W::Early) => (i + 1, "START", true),
            Lex::Word(W::Late) => (i + 1, "END", true),
            Lex::Word(W::Mid) if self.is(i + 1, '-') => (i + 2, "MID", true),
            Lex::Word(W::Mid) => (i + 1, "MID", true),
            Lex::Word(W::The) if self.w(i + 2, W::Of) => match self.lex(i + 1) {
                Lex::Word(W::End) => (i + 3, "END", true),
                Lex::Word(W::Beginning) => (i + 3, "START", true),
                Lex::Word(W::Middle) => (i + 3, "MID", true),
                _ => return None,
            },
            Lex::Word(W::Earlier | W::Later) if self.w(i + 1, W::In) && self.w(i + 2, W::The) => {
                // "earlier in the year": this year.
                let (unit, _) = self.unit(i + 3)?;
                return found(i, i + 4, Sem::RelUnit { unit, off: 0 });
            }
            Lex::Word(W::Earlier | W::Later) if self.w(i + 1, W::That) => {
                // "later that day": the day itself.
                let f = self.that(i + 1)?;
                return found(i, f.end, f.sem);
            }
            Lex::Word(W::Earlier | W::Later) if self.w(i + 1, W::This) => {
                // "earlier this week": the week itself, no modifier.
                let f = self.core(i + 1)?;
                return found(i, f.end, f.sem);
            }
            Lex::Word(W::Approx) => (i + 1, "APPROX", false),
            Lex::Word(W::Nearly) => (i + 1, "APPROX", false),
            Lex::Word(W::More) if self.w(i + 1, W::Than) => (i + 2, "MORE_THAN", false),
            Lex::Word(W::Less) if self.w(i + 1, W::Than) => (i + 2, "LESS_THAN", false),
            Lex::Word(W::Over) => (i + 1, "MORE_THAN", false),
            Lex::Word(W::Under) => (i + 1, "LESS_THAN", false),
            Lex::Word(W::At) if self.w(i + 1, W::Least) => (i + 2, "EQUAL_OR_MORE", false),
            Lex::Word(W::At) if self.w(i + 1, W::Most) => (i + 2, "EQUAL_OR_LESS", false),
            _ => return None,
        };
        // "the end of the year": the current one.
        if point
            && self.w(j, W::The)
            && let Some((unit @ (Unit::Week | Unit::Month | Unit::Year | Unit::Decade), false)) =
                self.unit(j + 1)
        {
            return Some(Found {
                start: i,
                end: j + 2,
                sem: Sem::RelUnit { unit, off: 0 },
                modifier: Some(modifier),
            });
        }
        // "mid-afternoon yesterday", "late Friday night" is handled by the
        // weekday; "by mid afternoon": that part of the day the text
        // speaks of.
        if point && let Lex::Part(p) = self.lex(j) {
            let sem = match self.lex(j + 1) {
                Lex::Day(off) => Sem::DayRel {
                    off: i32::from(off),
                    part: Some(p),
                },
                _ => Sem::Anaphor {
                    unit: Unit::Day,
                    off: 0,
                    part: Some(p),
                },
            };
            let end = if matches!(sem, Sem::DayRel { .. }) {
                j + 2
            } else {
                j + 1
            };
            return Some(Found {
                start: i,
                end,
                sem,
                modifier: Some(modifier),
            });
        }
        let f = self.core(j)?;
        let fits = if point {
            matches!(
                f.sem,
                Sem::Month { .. }
                    | Sem::YearMonth { .. }
                    | Sem::Year(_)
                    | Sem::Decade(_)
                    | Sem::Season { .. }
                    | Sem::RelUnit { .. }
                    | Sem::Quarter { .. }
            )
        } else {
            matches!(f.sem, Sem::Duration { n: Some(_), .. } | Sem::Ago { .. })
        };
        fits.then_some(Found {
            start: i,
            end: f.end,
            sem: f.sem,
            modifier: Some(modifier),
        })
    }

    /// Whether the token before `i` is a word that introduces a bare month
    /// or season name ("in", "since", "last", "early").
    fn introduced(&self, i: usize) -> bool {
        i > 0
            && matches!(
                self.lex(i - 1),
                Lex::Word(
                    W::In
                        | W::Since
                        | W::Until
                        | W::Prep
                        | W::Of
                        | W::Early
                        | W::Late
                        | W::Mid
                        | W::The
                        | W::This
                        | W::Last
                        | W::Next
                        | W::Past
                        | W::And
                        | W::Or
                )
            )
    }

    /// A day of the month after a month name at `j`: "25", "25,".
    fn day_after_month(&self, j: usize) -> Option<u32> {
        let (n, d) = self.plain_number(j)?;
        let clock = self.is(j + 1, ':') && self.adj(j) && self.adj(j + 1);
        ((1..=31).contains(&n) && d <= 2 && !clock && !self.is(j + 1, '%')).then_some(n)
    }

    /// Optional ", 1998" / " 1998" after a day; returns year and end.
    fn year_after(&self, j: usize) -> (Option<i32>, usize) {
        if self.is(j, ',')
            && let Some(y) = self.year(j + 1)
        {
            return (Some(y), j + 2);
        }
        if let Some(y) = self.year(j) {
            return (Some(y), j + 1);
        }
        (None, j)
    }

    fn core(&self, i: usize) -> Option<Found> {
        self.visit();
        let t = self.t.get(i)?;
        match t.kind {
            Kind::Number => self.number(i),
            Kind::Word => self.words(i),
            Kind::Punct => None,
        }
    }

    fn number(&self, i: usize) -> Option<Found> {
        self.visit();
        let t = &self.t[i];
        // Currency and section numbers are no dates.
        if i > 0
            && self.adj(i - 1)
            && self
                .t
                .get(i - 1)
                .is_some_and(|p| p.kind == Kind::Punct && matches!(p.ch, '$' | '£' | '€' | '#'))
        {
            return None;
        }
        // "April 24 and 25": the second day of the same month.
        if i >= 3
            && let Some(d) = self.day_after_month(i)
            && matches!(self.lex(i - 1), Lex::Word(W::And | W::Or))
            && let Some(first) = (i.saturating_sub(4)..i - 2)
                .rev()
                .filter(|&k| matches!(self.lex(k), Lex::Month(..)))
                .find_map(|k| self.words(k))
            && first.end == i - 1
            && let Sem::Date { y: None, m, .. } = first.sem
            && !self.unit_follows(i + 1)
            && !self
                .t
                .get(i + 1)
                .is_some_and(|t| plural_noun(t, self.word(i + 1)) || self.word(i + 1) == "percent")
        {
            let (y, end) = self.year_after(i + 1);
            return found(i, end, Sem::Date { y, m, d });
        }
        if let Some((n, d)) = self.plain_number(i) {
            // ISO 8601 date: 2023-02-25.
            if d == 4
                && self.is(i + 1, '-')
                && self.adj(i)
                && self.adj(i + 1)
                && let Some((m, 2)) = self.plain_number(i + 2)
                && self.is(i + 3, '-')
                && self.adj(i + 2)
                && self.adj(i + 3)
                && let Some((day, 2)) = self.plain_number(i + 4)
                && (1..=12).contains(&m)
                && (1..=31).contains(&day)
            {
                return found(
                    i,
                    i + 5,
                    Sem::Date {
                        y: Some(n as i32),
                        m,
                        d: day,
                    },
                );
            }
            // US numeric date: 12/19/2022.
            if d <= 2
                && self.is(i + 1, '/')
                && self.adj(i)
                && self.adj(i + 1)
                && let Some((day, dd)) = self.plain_number(i + 2)
                && dd <= 2
                && self.is(i + 3, '/')
                && self.adj(i + 2)
                && self.adj(i + 3)
                && let Some((y, yd)) = self.plain_number(i + 4)
                && (yd == 4 || yd == 2)
                && (1..=12).contains(&n)
                && (1..=31).contains(&day)
            {
                let y = if yd == 2 {
                    if y < 50 { 2000 + y } else { 1900 + y }
                } else {
                    y
                } as i32;
                return found(
                    i,
                    i + 5,
                    Sem::Date {
                        y: Some(y),
                        m: n,
                        d: day,
                    },
                );
            }
            // Clock time: 10 p.m., 10:35 a.m., 22:00.
            if let Some(f) = self.clock(i) {
                return Some(f);
            }
            // Day before month: 25 February 2023.
            if d <= 2
                && (1..=31).contains(&n)
                && let Lex::Month(m, abbr) = self.lex(i + 1)
                && (!abbr || self.t[i + 1].cap)
            {
                let mut j = i + 2;
                if abbr && self.is(j, '.') {
                    j += 1;
                }
                let (y, end) = self.year_after(j);
                return found(
                    i,
                    end,
                    Sem::Date {
                        y,
                        m: m as u32,
                        d: n,
                    },
                );
            }
            // Years and decades.
            if let Some(y) = self.year(i) {
                if self.word(i + 1) == "s" && self.adj(i) && y % 10 == 0 {
                    return found(i, i + 2, Sem::Decade(y / 10));
                }
                if let Some((q, end)) = self.ordinal_quarter(i + 1) {
                    return found(i, end, Sem::Quarter { q, y: Some(y) });
                }
                if self.year_context(i) {
                    return found(i, i + 1, Sem::Year(y));
                }
                return None;
            }
        }
        // "the 20th century": its first two digits, as TIMEX3 writes it.
        if let Some((n, d)) = self.plain_number(i)
            && d <= 2
            && (1..=21).contains(&n)
            && self.adj(i)
            && ["st", "nd", "rd", "th"]
                .iter()
                .any(|x| self.word(i + 1).eq_ignore_ascii_case(x))
            && self.lex(i + 2) == Lex::Unit(Unit::Century, false)
        {
            return found(i, i + 3, Sem::Century(n as i32 - 1));
        }
        if t.digits == 0 && self.decimal_half(i).is_none() {
            return None;
        }
        self.quantity(i)
    }

    /// Whether the four-digit number at `i` reads as a year: not a count of
    /// things ("2000 troops"), a percentage, or a part of a larger number.
    fn year_context(&self, i: usize) -> bool {
        if self.is(i + 1, '%') || self.is(i + 1, ':') {
            return false;
        }
        if i > 0 && self.t[i - 1].kind == Kind::Number {
            return false;
        }
        let next = self.word(i + 1);
        if next.eq_ignore_ascii_case("percent") {
            return false;
        }
        if let Some(n) = self.t.get(i + 1)
            && n.kind == Kind::Word
            && !n.cap
            && next.ends_with('s')
            && n.lex == Lex::None
        {
            // Before a plural noun a number counts things ("2000 troops"),
            // unless a preposition introduces it ("in 1992 elections") or
            // "the" does with a year that is not a round count ("the 1992
            // protests", but "the 2000 stores").
            let prev = self.lex(i.wrapping_sub(1));
            let introduced = matches!(
                prev,
                Lex::Word(W::In | W::Since | W::Of | W::Prep | W::Fiscal)
            ) || (prev == Lex::Word(W::The) && !self.t[i].num.is_multiple_of(100));
            if !introduced {
                return false;
            }
        }
        true
    }

    fn clock(&self, i: usize) -> Option<Found> {
        let (h, _) = self.plain_number(i)?;
        let mut j = i + 1;
        let mut min = 0;
        let mut has_minutes = false;
        if self.is(j, ':')
            && self.adj(i)
            && self.adj(j)
            && let Some((m, 2)) = self.plain_number(j + 1)
        {
            if m >= 60 {
                return None;
            }
            min = m;
            has_minutes = true;
            j += 2;
        }
        // a.m. / p.m. / am / pm
        let mut half = None;
        let w = self.word(j);
        if (w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("p"))
            && self.is(j + 1, '.')
            && self.word(j + 2).eq_ignore_ascii_case("m")
        {
            half = Some(w.eq_ignore_ascii_case("p"));
            j += 3;
            if self.is(j, '.') && self.adj(j - 1) {
                j += 1;
            }
        } else if matches!(self.lex(j), Lex::Word(W::Am | W::Pm)) {
            half = Some(self.lex(j) == Lex::Word(W::Pm));
            j += 1;
        }
        let h = match half {
            Some(pm) if (1..=12).contains(&h) => (h % 12) + if pm { 12 } else { 0 },
            Some(_) => return None,
            None if has_minutes && h <= 24 => h,
            None => return None,
        };
        // A time-zone abbreviation ("EST", "(0735 GMT)") before the day.
        let mut k = j;
        if self.is(k, '(') {
            let mut m = k + 1;
            while m < k + 4 && !self.is(m, ')') {
                m += 1;
            }
            if self.is(m, ')') {
                k = m + 1;
            }
        } else if self.t.get(k).is_some_and(|t| {
            let w = self.word(k);
            t.kind == Kind::Word
                && (2..=4).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_uppercase())
                && w.ends_with('T')
        }) {
            k += 1;
        }
        let (day, end) = self.day_after(k);
        let end = if day.is_some() { end } else { j };
        found(i, end, Sem::Clock { h, min, day })
    }

    /// A day named after a clock time: "Wednesday", "today", "Nov. 9".
    fn day_after(&self, j: usize) -> (Option<Box<Sem>>, usize) {
        let mut k = j;
        if self.is(k, ',') {
            k += 1;
        }
        match self.lex(k) {
            Lex::Weekday(wd, false) if self.t[k].cap => (
                Some(Box::new(Sem::Weekday {
                    wd: u32::from(wd),
                    rel: Rel::None,
                    part: None,
                })),
                k + 1,
            ),
            Lex::Day(off) => (
                Some(Box::new(Sem::DayRel {
                    off: i32::from(off),
                    part: None,
                })),
                k + 1,
            ),
            Lex::Month(..) => match self.words(k) {
                Some(f) if matches!(f.sem, Sem::Date { .. }) => (Some(Box::new(f.sem)), f.end),
                _ => (None, j),
            },
            _ => (None, j),
        }
    }

    /// "two years", "three-day", "a year ago", "30-year", "five years earlier".
    fn quantity(&self, i: usize) -> Option<Found> {
        self.visit();
        // A mixed number is one quantity: "5 1/2 hours", "1-1/2 year",
        // "1.5 years", "one and a half years" (and, after the unit, "a
        // year and a half", below).
        let decimal = self.decimal_half(i);
        let (n, mut j, mut half) = match decimal {
            Some(n) => (n, i + 1, true),
            None => {
                let (n, j) = self.count(i)?;
                (n, j, false)
            }
        };
        let unit_at =
            |k: usize| self.unit(k).is_some() || (self.hyphen(k) && self.unit(k + 1).is_some());
        if !half {
            let fraction = if self.hyphen(j) { j + 1 } else { j };
            if self.plain_number(fraction) == Some((1, 1))
                && self.is(fraction + 1, '/')
                && self.plain_number(fraction + 2) == Some((2, 1))
                && unit_at(fraction + 3)
            {
                half = true;
                j = fraction + 3;
            } else if self.word(j).eq_ignore_ascii_case("and")
                && self.w(j + 1, W::A)
                && self.word(j + 2).eq_ignore_ascii_case("half")
                && unit_at(j + 3)
            {
                half = true;
                j += 3;
            }
        }
        let hyphenated = self.hyphen(j);
        if hyphenated {
            j += 1;
        }
        // "two more weeks", "an additional year": still that length.
        if !hyphenated
            && !half
            && ["more", "additional", "further", "extra"]
                .iter()
                .any(|x| self.word(j).eq_ignore_ascii_case(x))
            && self.unit(j + 1).is_some()
        {
            j += 1;
        }
        let (unit, _plural) = self.unit(j)?;
        // "a second group", "a second betrayal": the ordinal, not a second.
        if unit == Unit::Second && self.lex(i) == Lex::Word(W::A) && self.ordinal_second(j) {
            return None;
        }
        j += 1;
        // "a minute and a half", "two hours and a half"
        if !hyphenated
            && !half
            && self.word(j).eq_ignore_ascii_case("and")
            && self.w(j + 1, W::A)
            && self.word(j + 2).eq_ignore_ascii_case("half")
        {
            half = true;
            j += 3;
        }
        // Ages ("6-year-old", "52 years old") are not temporal expressions.
        if (hyphenated && self.hyphen(j) && self.w(j + 1, W::Old)) || self.w(j, W::Old) {
            return None;
        }
        if half && let Some(v) = half_value(n, unit) {
            return found(i, j, Sem::HalfDuration(v));
        }
        // "1.5 weeks": no whole smaller unit to write it in.
        if decimal.is_some() {
            return None;
        }
        // "30-year-long"
        if hyphenated && self.hyphen(j) && self.w(j + 1, W::Long) {
            j += 2;
        }
        // "three-quarters" is a fraction.
        if hyphenated && unit == Unit::Quarter {
            return None;
        }
        // "a year-earlier loss": the same period a year before, not "a year".
        if !hyphenated
            && unit == Unit::Year
            && self.hyphen(j)
            && let Some(f) = self.year_ago_period(j - 1)
        {
            return Some(f);
        }
        // "Islam will one day be ...", "he one day follow ...": some day
        // ahead, not a length.
        if n == 1
            && unit == Unit::Day
            && !hyphenated
            && self.lex(i) == Lex::Number(1)
            && i > 0
            && [
                "will", "would", "could", "may", "might", "can", "shall", "should", "must", "he",
                "she", "they", "we", "i", "you", "it",
            ]
            .iter()
            .any(|x| self.word(i - 1).eq_ignore_ascii_case(x))
        {
            return found(i, j, Sem::Ref("FUTURE_REF"));
        }
        if !hyphenated && self.w(j, W::Ago) {
            return found(i, j + 1, Sem::Ago { n, unit, sign: -1 });
        }
        // "earlier" and "later" count from the time the text is talking
        // about, "ago" from the time of writing.
        if !hyphenated && matches!(self.lex(j), Lex::Word(W::Earlier | W::Later)) {
            let sign = if self.w(j, W::Later) { 1 } else { -1 };
            return found(i, j + 1, Sem::Shift { n, unit, sign });
        }
        // "a year" after "once", "twice", "times", "per": a frequency; after
        // an amount ("$1.76 a year", "four flights a week"): a rate.
        if self.lex(i) == Lex::Word(W::A) && i > 0 {
            let p = self.word(i - 1);
            let prev = &self.t[i - 1];
            if prev.kind == Kind::Number
                || ["million", "billion", "thousand", "hundred"]
                    .iter()
                    .any(|x| p.eq_ignore_ascii_case(x))
                || plural_noun(prev, p)
            {
                return None;
            }
            if ["once", "twice", "times", "per"]
                .iter()
                .any(|x| p.eq_ignore_ascii_case(x))
            {
                let (code, clock) = unit.code();
                let v = format!("P{}1{code}", if clock { "T" } else { "" });
                return found(i, j, Sem::Set(v));
            }
        }
        found(i, j, Sem::Duration { n: Some(n), unit })
    }

    fn words(&self, i: usize) -> Option<Found> {
        self.visit();
        let t = &self.t[i];
        match t.lex {
            Lex::Month(m, abbr) => {
                if !t.cap {
                    return None;
                }
                let m = u32::from(m);
                let mut j = i + 1;
                if abbr && self.is(j, '.') {
                    j += 1;
                }
                if let Some(d) = self.day_after_month(j) {
                    // Not "May 2000 troops": a day is one or two digits.
                    let (y, end) = self.year_after(j + 1);
                    return found(i, end, Sem::Date { y, m, d });
                }
                let k = if self.is(j, ',') { j + 1 } else { j };
                // "July 1997", "January nineteen ninety-seven".
                if let Some((y, end)) = self.named_year(k) {
                    return found(i, end, Sem::YearMonth { y, m });
                }
                if abbr {
                    return None;
                }
                // "January this year", "June last year".
                if let Some(off) = self.rel_year(i + 1) {
                    return found(i, i + 3, Sem::MonthOff { m, off });
                }
                // "May" and "March" are also a verb and a noun.
                if (m == 3 || m == 5) && !self.introduced(i) {
                    return None;
                }
                found(i, i + 1, Sem::Month { m, rel: Rel::None })
            }
            Lex::Weekday(wd, plural) => {
                if !t.cap {
                    return None;
                }
                if plural {
                    return found(i, i + 1, Sem::Set(format!("XXXX-WXX-{wd}")));
                }
                // "Friday, Aug. 7", "Friday Oct. 13": the date wins.
                let k = if self.is(i + 1, ',') { i + 2 } else { i + 1 };
                if let Lex::Month(..) = self.lex(k)
                    && let Some(f) = self.words(k)
                    && matches!(f.sem, Sem::Date { .. })
                {
                    return found(i, f.end, f.sem);
                }
                let (part, end) = self.part_after(i + 1);
                found(
                    i,
                    end,
                    Sem::Weekday {
                        wd: u32::from(wd),
                        rel: Rel::None,
                        part,
                    },
                )
            }
            Lex::Day(off) => {
                let (part, end) = self.part_after(i + 1);
                found(
                    i,
                    end,
                    Sem::DayRel {
                        off: i32::from(off),
                        part,
                    },
                )
            }
            Lex::Tonight => found(
                i,
                i + 1,
                Sem::DayRel {
                    off: 0,
                    part: Some(PartOfDay::Night),
                },
            ),
            Lex::Season(s) => {
                if let Some(y) = self.year(i + 1) {
                    return found(
                        i,
                        i + 2,
                        Sem::Season {
                            s,
                            rel: Rel::None,
                            y: Some(y),
                        },
                    );
                }
                // "the winter of 1994", "the winter of nineteen ninety-four".
                if self.w(i + 1, W::Of)
                    && let Some((y, end)) = self.named_year(i + 2)
                {
                    return found(
                        i,
                        end,
                        Sem::Season {
                            s,
                            rel: Rel::None,
                            y: Some(y),
                        },
                    );
                }
                // "fall" is also a verb ("to fall") and a noun ("the fall of
                // the wall"): only after a determiner or "in", never before "of".
                let before = if i > 0 { self.lex(i - 1) } else { Lex::None };
                let ok = matches!(
                    before,
                    Lex::Word(
                        W::The
                            | W::This
                            | W::Last
                            | W::Next
                            | W::Early
                            | W::Late
                            | W::Mid
                            | W::In
                            | W::Since
                            | W::Until
                    )
                ) && !self.w(i + 1, W::Of);
                if !ok {
                    return None;
                }
                found(
                    i,
                    i + 1,
                    Sem::Season {
                        s,
                        rel: Rel::None,
                        y: None,
                    },
                )
            }
            Lex::SetWord(v) => {
                // After an amount ("grow 20% annually", "10,000 units
                // annually") it gives a rate, like "$1.76 a year", not a
                // recurrence.
                if self.after_amount(i) {
                    return None;
                }
                found(i, i + 1, Sem::Set(v.to_string()))
            }
            Lex::Ordinal(q) => self.ordinal(i, q),
            Lex::Number(n @ (18 | 19)) if let Some((rest, end)) = self.count(i + 1) => {
                // "nineteen ninety-six"
                if (10..=99).contains(&rest) && self.lex(i + 1) != Lex::Word(W::A) {
                    return found(i, end, Sem::Year((n * 100 + rest) as i32));
                }
                self.quantity(i)
            }
            Lex::Number(_) => self.quantity(i),
            // "Election Day": the US one, a day that depends on the year.
            Lex::Unit(Unit::Day, false)
                if t.cap && i > 0 && self.t[i - 1].cap && self.word(i - 1) == "Election" =>
            {
                found(
                    i - 1,
                    i + 1,
                    Sem::Date {
                        y: None,
                        m: 11,
                        d: super::resolve::ELECTION_DAY,
                    },
                )
            }
            Lex::Unit(unit, plural) => {
                // "year-long", "year-earlier", "year-ago".
                if self.hyphen(i + 1) {
                    match self.lex(i + 2) {
                        Lex::Word(W::Long) => {
                            return found(i, i + 3, Sem::Duration { n: Some(1), unit });
                        }
                        Lex::Word(W::Earlier | W::Ago) if unit == Unit::Year => {
                            return self.year_ago_period(i);
                        }
                        Lex::Word(W::Earlier | W::Ago) => {
                            return found(
                                i,
                                i + 3,
                                Sem::Ago {
                                    n: 1,
                                    unit,
                                    sign: -1,
                                },
                            );
                        }
                        _ => {}
                    }
                }
                // "years old" is an age.
                if plural && unit != Unit::Second && !self.w(i + 1, W::Old) {
                    if self.lex(i + 1) == Lex::Word(W::Ago) {
                        return found(i, i + 2, Sem::Ref("PAST_REF"));
                    }
                    return found(i, i + 1, Sem::Duration { n: None, unit });
                }
                None
            }
            Lex::Quarter(_) | Lex::Part(_) | Lex::None => None,
            Lex::Word(w) => self.function_word(i, w),
        }
    }

    /// A part of the day after a day name ("Friday night").
    fn part_after(&self, j: usize) -> (Option<PartOfDay>, usize) {
        match self.lex(j) {
            Lex::Part(p) => (Some(p), j + 1),
            _ => (None, j),
        }
    }

    /// "third-quarter", "first half".
    fn ordinal(&self, i: usize, q: u32) -> Option<Found> {
        let mut j = i + 1;
        if self.hyphen(j) {
            j += 1;
        }
        match self.lex(j) {
            Lex::Quarter(false) if (1..=4).contains(&q) => {
                let (y, end) = self.of_year(j + 1);
                found(i, end, Sem::Quarter { q, y })
            }
            Lex::Word(W::Half) if (1..=2).contains(&q) => {
                let (y, end) = self.of_year(j + 1);
                found(i, end, Sem::Half { h: q, y })
            }
            _ => None,
        }
    }

    /// Optional "of 1989" / "1989" after a period name.
    fn of_year(&self, j: usize) -> (Option<i32>, usize) {
        if self.w(j, W::Of)
            && let Some(y) = self.year(j + 1)
        {
            return (Some(y), j + 2);
        }
        (None, j)
    }

    /// "last/this/next" + a calendar name.
    fn relative(&self, i: usize, rel: Rel) -> Option<Found> {
        // "this past spring", "this past week": the last one.
        if rel == Rel::This
            && self.w(i + 1, W::Past)
            && let Some(f) = self.relative(i + 1, Rel::Last)
        {
            return found(i, f.end, f.sem);
        }
        let j = i + 1;
        let off = match rel {
            Rel::Last => -1,
            Rel::Next => 1,
            _ => 0,
        };
        match self.lex(j) {
            Lex::Unit(Unit::Year, false)
                if self.possessive(j + 1)
                    && let Some((q, end)) = self.ordinal_quarter(j + 3) =>
            {
                found(i, end, Sem::QuarterOff { q, off })
            }
            Lex::Unit(unit @ (Unit::Week | Unit::Month | Unit::Year | Unit::Decade), false) => {
                found(i, j + 1, Sem::RelUnit { unit, off })
            }
            Lex::Quarter(false) => found(
                i,
                j + 1,
                Sem::RelUnit {
                    unit: Unit::Quarter,
                    off,
                },
            ),
            Lex::Word(W::Weekend) => found(i, j + 1, Sem::Weekend { rel }),
            Lex::Weekday(wd, false) => {
                let (part, end) = self.part_after(j + 1);
                found(
                    i,
                    end,
                    Sem::Weekday {
                        wd: u32::from(wd),
                        rel,
                        part,
                    },
                )
            }
            Lex::Month(m, false) if self.t[j].cap => found(
                i,
                j + 1,
                Sem::Month {
                    m: u32::from(m),
                    rel,
                },
            ),
            Lex::Season(s) => found(i, j + 1, Sem::Season { s, rel, y: None }),
            Lex::Part(p) if rel == Rel::This => found(
                i,
                j + 1,
                Sem::DayRel {
                    off: 0,
                    part: Some(p),
                },
            ),
            Lex::Part(PartOfDay::Night) if rel == Rel::Last => found(
                i,
                j + 1,
                Sem::DayRel {
                    off: -1,
                    part: Some(PartOfDay::Night),
                },
            ),
            _ => self.span_of_units(i, j),
        }
    }

    /// "[the] past/last/next/coming/first [few|several|N] units": a duration.
    fn span_of_units(&self, start: usize, j: usize) -> Option<Found> {
        let mut k = j;
        let mut n = None;
        if let Some((c, e)) = self.count(k) {
            if self.lex(k) == Lex::Word(W::A) {
                // "the past a" is no phrase; "a few" is handled below.
                if !self.w(k + 1, W::Few) && !self.w(k + 1, W::Couple) {
                    return None;
                }
                k += 1;
            } else {
                n = Some(c);
                k = e;
            }
        }
        if n.is_none() {
            match self.lex(k) {
                Lex::Word(W::Few | W::Several | W::Many) => k += 1,
                Lex::Word(W::Couple) if self.w(k + 1, W::Of) => {
                    n = Some(2);
                    k += 2;
                }
                _ => {}
            }
        }
        let (unit, plural) = self.unit(k)?;
        if !plural && n.is_none_or(|c| c != 1) {
            // "the past year": one unit.
            if n.is_none() && k == j {
                return found(start, k + 1, Sem::Duration { n: Some(1), unit });
            }
            n?;
        }
        if n.is_none() && self.w(k + 1, W::Ago) {
            // "a few years ago": some time back.
            return found(start, k + 2, Sem::Ref("PAST_REF"));
        }
        found(start, k + 1, Sem::Duration { n, unit })
    }

    fn function_word(&self, i: usize, w: W) -> Option<Found> {
        match w {
            W::Now => {
                // "now and then", "now that" are not times.
                if self.w(i + 1, W::And) || self.w(i + 1, W::Then) {
                    return None;
                }
                // "Now, he says, ...": opening a sentence and set off by a
                // comma it is a discourse marker, not a time.
                if self.sentence_start(i) && self.is(i + 1, ',') {
                    return None;
                }
                found(i, i + 1, Sem::Ref("PRESENT_REF"))
            }
            W::Currently => found(i, i + 1, Sem::Ref("PRESENT_REF")),
            W::Recently => found(i, i + 1, Sem::Ref("PAST_REF")),
            W::Soon => {
                // "as soon as"
                if self.w(i + 1, W::Prep) || self.word(i + 1).eq_ignore_ascii_case("as") {
                    return None;
                }
                // "He was soon released", "a trickle that soon became a
                // flood": next to a past verb it is shortly after a narrated
                // event, not the future.
                if self.past_verb(i.wrapping_sub(1)) || self.past_verb(i + 1) {
                    return None;
                }
                found(i, i + 1, Sem::Ref("FUTURE_REF"))
            }
            W::Recent => match self.unit(i + 1) {
                Some((unit, true)) => found(i, i + 2, Sem::Duration { n: None, unit }),
                _ => None,
            },
            W::Current => match self.lex(i + 1) {
                Lex::Unit(unit @ (Unit::Week | Unit::Month | Unit::Year), false) => {
                    found(i, i + 2, Sem::RelUnit { unit, off: 0 })
                }
                Lex::Quarter(false) => found(
                    i,
                    i + 2,
                    Sem::RelUnit {
                        unit: Unit::Quarter,
                        off: 0,
                    },
                ),
                // "current market conditions", "his current position": the
                // present, as TimeML annotates the adjective.
                _ if self.t.get(i + 1).is_some_and(|t| t.kind == Kind::Word) => {
                    found(i, i + 1, Sem::Ref("PRESENT_REF"))
                }
                _ => None,
            },
            // "the then current price": the present of a past time.
            W::Then if self.w(i + 1, W::Current) => found(i, i + 2, Sem::Ref("PAST_REF")),
            W::That => self.that(i),
            W::Last => self.relative(i, Rel::Last),
            W::This => self.relative(i, Rel::This),
            W::Next => self.relative(i, Rel::Next),
            W::Past | W::Coming => self.span_of_units(i, i + 1),
            W::The => self.the(i),
            W::Fiscal => {
                let y = self.year(i + 1)?;
                found(i, i + 2, Sem::Year(y))
            }
            W::Every | W::Each => {
                let j = i + 1;
                if let Lex::Weekday(wd, false) = self.lex(j) {
                    return found(i, j + 1, Sem::Set(format!("XXXX-WXX-{wd}")));
                }
                if let Lex::Month(m, false) = self.lex(j)
                    && self.t[j].cap
                {
                    return found(i, j + 1, Sem::Set(format!("XXXX-{m:02}")));
                }
                let (n, k) = match self.count(j) {
                    Some((n, k)) if self.lex(j) != Lex::Word(W::A) => (n, k),
                    _ => (1, j),
                };
                let (unit, _) = self.unit(k)?;
                let (code, clock) = unit.code();
                found(
                    i,
                    k + 1,
                    Sem::Set(format!("P{}{n}{code}", if clock { "T" } else { "" })),
                )
            }
            W::A => {
                if self.w(i + 1, W::Few) || self.w(i + 1, W::Couple) {
                    return self.span_of_units(i, i + 1);
                }
                self.quantity(i)
            }
            W::Few | W::Several | W::Many | W::Some => match self.unit(i + 1) {
                Some((_, true)) if self.w(i + 2, W::Ago) => found(i, i + 3, Sem::Ref("PAST_REF")),
                Some((unit, true)) => found(i, i + 2, Sem::Duration { n: None, unit }),
                _ => None,
            },
            W::Noon | W::Midnight => {
                let h = if w == W::Noon { 12 } else { 24 };
                let (day, end) = self.day_after(i + 1);
                found(i, end, Sem::Clock { h, min: 0, day })
            }
            W::Christmas => {
                if !self.t[i].cap {
                    return None;
                }
                let (d, end) = match self.lex(i + 1) {
                    Lex::Word(W::Eve) => (24, i + 2),
                    Lex::Unit(Unit::Day, false) => (25, i + 2),
                    _ => (25, i + 1),
                };
                let (y, end) = self.year_after(end);
                found(i, end, Sem::Date { y, m: 12, d })
            }
            W::New
                if self.t[i].cap
                    && self.word(i + 1).eq_ignore_ascii_case("year")
                    && matches!(self.word(i + 2), "'" | "’")
                    && self.word(i + 3) == "s" =>
            {
                let (m, d) = match self.lex(i + 4) {
                    Lex::Word(W::Eve) => (12, 31),
                    Lex::Unit(Unit::Day, false) => (1, 1),
                    _ => return None,
                };
                found(i, i + 5, Sem::Date { y: None, m, d })
            }
            // "Easter", "Easter Sunday"; "Easter week": the week holding it.
            W::Easter if self.t[i].cap => {
                let easter = Sem::Date {
                    y: None,
                    m: 4,
                    d: super::resolve::EASTER,
                };
                match self.lex(i + 1) {
                    Lex::Unit(Unit::Week, false) => found(i, i + 2, Sem::WeekOf(Box::new(easter))),
                    Lex::Weekday(7, false) | Lex::Unit(Unit::Day, false) => found(i, i + 2, easter),
                    _ => found(i, i + 1, easter),
                }
            }
            W::Thanksgiving if self.t[i].cap => {
                let end = if let Lex::Unit(Unit::Day, false) = self.lex(i + 1) {
                    i + 2
                } else {
                    i + 1
                };
                // Fourth Thursday of November: resolved like a date whose
                // day depends on the year (day 0 marks it).
                found(
                    i,
                    end,
                    Sem::Date {
                        y: None,
                        m: 11,
                        d: 0,
                    },
                )
            }
            W::In if self.w(i + 1, W::Future) => found(i + 1, i + 2, Sem::Ref("FUTURE_REF")),
            W::These if self.lex(i + 1) == Lex::Unit(Unit::Day, true) => {
                found(i, i + 2, Sem::Ref("PRESENT_REF"))
            }
            // "overnight losses in New York" on a Friday: the night before
            // the day the text speaks of.
            W::Overnight => found(
                i,
                i + 1,
                Sem::Anaphor {
                    unit: Unit::Day,
                    off: -1,
                    part: Some(PartOfDay::Night),
                },
            ),
            _ => None,
        }
    }

    /// Expressions opening with "the".
    fn the(&self, i: usize) -> Option<Found> {
        let j = i + 1;
        if let Some(f) = self.year_ago_period(j) {
            return found(i, f.end, f.sem);
        }
        if let Some(y) = self.year(j)
            && let Some((q, end)) = self.ordinal_quarter(j + 1)
        {
            return found(i, end, Sem::Quarter { q, y: Some(y) });
        }
        // "the year ended March 31", "the fiscal year ending June 30".
        let k = if self.w(j, W::Fiscal) { j + 1 } else { j };
        if self.lex(k) == Lex::Unit(Unit::Year, false)
            && ["ended", "ending"]
                .iter()
                .any(|w| self.word(k + 1).eq_ignore_ascii_case(w))
        {
            return found(
                i,
                k + 1,
                Sem::Duration {
                    n: Some(1),
                    unit: Unit::Year,
                },
            );
        }
        if self.lex(j) == Lex::Unit(Unit::Year, false) && !self.hyphen(j + 1) {
            // "the year 2000", "the year two thousand": that year.
            if let Some((y, end)) = self.named_year(j + 1) {
                return found(i, end, Sem::Year(y));
            }
            // "For the year, volume was flat", "a high for the year of
            // $42.875": the year the report is in. Not "the year before"
            // or "the year when", which name another one.
            let next = self.t.get(j + 1);
            if next.is_none_or(|t| t.kind == Kind::Punct)
                || (self.w(j + 1, W::Of) && self.t.get(j + 2).is_some_and(|t| t.kind != Kind::Word))
            {
                return found(
                    i,
                    j + 1,
                    Sem::RelUnit {
                        unit: Unit::Year,
                        off: 0,
                    },
                );
            }
        }
        // "the nineties", "the Eighties".
        if let Some(d) = [
            "twenties",
            "thirties",
            "forties",
            "fifties",
            "sixties",
            "seventies",
            "eighties",
            "nineties",
        ]
        .iter()
        .position(|w| self.word(j).eq_ignore_ascii_case(w))
        {
            return found(i, j + 1, Sem::DecadeWord(d as u8 + 2));
        }
        // "the early hours of Thursday morning": that day's small hours,
        // one expression (not a length of hours).
        if self.w(j, W::Early)
            && self.lex(j + 1) == Lex::Unit(Unit::Hour, true)
            && self.w(j + 2, W::Of)
            && let Some(f) = self.core(j + 3)
        {
            let sem = match f.sem {
                Sem::Weekday { wd, rel, part } => Sem::Weekday {
                    wd,
                    rel,
                    part: part.or(Some(PartOfDay::Morning)),
                },
                Sem::DayRel { off, part } => Sem::DayRel {
                    off,
                    part: part.or(Some(PartOfDay::Morning)),
                },
                _ => return None,
            };
            return found(i, f.end, sem);
        }
        // "the week of March 6": the week holding the date.
        if self.lex(j) == Lex::Unit(Unit::Week, false)
            && self.w(j + 1, W::Of)
            && matches!(self.lex(j + 2), Lex::Month(..))
            && let Some(f) = self.words(j + 2)
            && matches!(f.sem, Sem::Date { .. })
        {
            return found(i, f.end, Sem::WeekOf(Box::new(f.sem)));
        }
        match self.lex(j) {
            // "placed orders in the morning": the morning of the day the
            // text speaks of (not "4 in the morning", a clock time).
            Lex::Part(p)
                if i > 0
                    && self.w(i - 1, W::In)
                    && (i < 2 || self.t[i - 2].kind != Kind::Number) =>
            {
                found(
                    i,
                    j + 1,
                    Sem::Anaphor {
                        unit: Unit::Day,
                        off: 0,
                        part: Some(p),
                    },
                )
            }
            // "the previous Friday", "the preceding Monday".
            Lex::Word(W::Previous)
                if let Lex::Weekday(wd, false) = self.lex(j + 1)
                    && self.t[j + 1].cap =>
            {
                found(i, j + 2, Sem::WeekdayBefore { wd: u32::from(wd) })
            }
            Lex::Word(W::Same) => self.anaphor(i, j + 1, 0),
            Lex::Word(W::Following) => self.anaphor(i, j + 1, 1),
            Lex::Word(W::Previous) => self.anaphor(i, j + 1, -1),
            // "the next day", "the next morning" (but "the next week"
            // stays the week after publication).
            Lex::Word(W::Next)
                if matches!(self.lex(j + 1), Lex::Unit(Unit::Day, false) | Lex::Part(_)) =>
            {
                self.anaphor(i, j + 1, 1)
            }
            Lex::Word(W::Past) if self.unit_follows(j + 1) => self.span_of_units(i, j + 1),
            Lex::Word(W::Past) => found(i, j + 1, Sem::Ref("PAST_REF")),
            Lex::Word(W::Future) => found(i, j + 1, Sem::Ref("FUTURE_REF")),
            Lex::Word(W::Near | W::Short)
                if self.w(j + 1, W::Term) || (self.w(j, W::Near) && self.w(j + 1, W::Future)) =>
            {
                found(i, j + 2, Sem::Ref("FUTURE_REF"))
            }
            // "the full year", "the current fiscal year": this year.
            Lex::Word(W::Full | W::Current | W::Fiscal)
                if {
                    let k = if self.w(j + 1, W::Fiscal) {
                        j + 2
                    } else {
                        j + 1
                    };
                    self.lex(k) == Lex::Unit(Unit::Year, false)
                } =>
            {
                let k = if self.w(j + 1, W::Fiscal) {
                    j + 2
                } else {
                    j + 1
                };
                found(
                    i,
                    k + 1,
                    Sem::RelUnit {
                        unit: Unit::Year,
                        off: 0,
                    },
                )
            }
            Lex::Word(W::New) if self.w(j + 1, W::Future) => {
                found(i, j + 2, Sem::Ref("FUTURE_REF"))
            }
            Lex::Word(W::Weekend) => found(i, j + 1, Sem::Weekend { rel: Rel::None }),
            // "the 1988 quarter", "the 1989 period": that year's period.
            _ if self.year(j).is_some()
                && (self.lex(j + 1) == Lex::Quarter(false)
                    || self.word(j + 1).eq_ignore_ascii_case("period")) =>
            {
                found(i, j + 2, Sem::YearPeriod { y: self.year(j)? })
            }
            Lex::Word(W::Latest | W::Recent)
                if self.lex(j + 1) == Lex::Quarter(false) || self.w(j + 1, W::Period) =>
            {
                found(i, j + 2, Sem::LastQuarter)
            }
            Lex::Quarter(false) => found(i, j + 1, Sem::LastQuarter),
            Lex::Word(W::Fiscal) if matches!(self.lex(j + 1), Lex::Ordinal(_)) => {
                let Lex::Ordinal(q) = self.lex(j + 1) else {
                    return None;
                };
                let f = self.ordinal(j + 1, q)?;
                found(i, f.end, f.sem)
            }
            Lex::Ordinal(q) => {
                if let Some(f) = self.ordinal(j, q) {
                    return found(i, f.end, f.sem);
                }
                // "Today is the eighth day of Desert Shield", "It's the
                // second day of an offensive": the publication day.
                if self.lex(j + 1) == Lex::Unit(Unit::Day, false)
                    && i > 0
                    && (self.word(i - 1).eq_ignore_ascii_case("is")
                        || self.word(i - 1) == "s" && self.possessive(i - 2))
                {
                    return found(i, j + 2, Sem::DayRel { off: 0, part: None });
                }
                // "the first nine months"
                if q == 1 {
                    return self
                        .span_of_units(i, j + 1)
                        .filter(|f| matches!(f.sem, Sem::Duration { n: Some(_), .. }));
                }
                None
            }
            // "the last half of 1989": its second half.
            Lex::Word(W::Last) if self.w(j + 1, W::Half) && self.year(j + 3).is_some() => {
                let (y, end) = self.of_year(j + 2);
                found(i, end, Sem::Half { h: 2, y })
            }
            Lex::Word(W::Last | W::Next | W::Coming | W::Latest) => {
                self.span_of_units(i, j + 1).filter(|f| f.end > j + 2)
            }
            Lex::Number(_) | Lex::Word(W::Few) => self
                .span_of_units(i, j)
                .filter(|f| matches!(f.sem, Sem::Duration { .. })),
            Lex::Word(W::Current) => {
                // "the current year" names the unit; "the current system"
                // leaves "the" out of the expression.
                let f = self
                    .function_word(j, W::Current)
                    .filter(|f| matches!(f.sem, Sem::RelUnit { .. }))?;
                found(i, f.end, f.sem)
            }
            _ => {
                let t = self.t.get(j)?;
                if t.kind == Kind::Number {
                    if let Some(y) = self.year(j)
                        && self.word(j + 1) == "s"
                        && self.adj(j)
                    {
                        return found(i, j + 2, Sem::Decade(y / 10));
                    }
                    // "the nine months"
                    return self
                        .span_of_units(i, j)
                        .filter(|f| matches!(f.sem, Sem::Duration { n: Some(_), .. }));
                }
                None
            }
        }
    }

    /// "that [same] day|week|month|quarter|year|morning" at `i`.
    fn that(&self, i: usize) -> Option<Found> {
        let j = if self.w(i + 1, W::Same) { i + 2 } else { i + 1 };
        self.anaphor(i, j, 0)
    }

    /// A calendar unit or part of the day at `j` named by reference,
    /// `off` units from the reference date; the match starts at `start`.
    fn anaphor(&self, start: usize, j: usize, off: i32) -> Option<Found> {
        let (unit, part) = match self.lex(j) {
            Lex::Unit(unit @ (Unit::Day | Unit::Week | Unit::Month | Unit::Year), false) => {
                (unit, None)
            }
            Lex::Quarter(false) => (Unit::Quarter, None),
            Lex::Part(p) => (Unit::Day, Some(p)),
            _ => return None,
        };
        // "that year's profit" still names the year; "the same day-care"
        // does not.
        if self.hyphen(j + 1) {
            return None;
        }
        found(start, j + 1, Sem::Anaphor { unit, off, part })
    }

    /// "'s" or "’s" at `j`.
    fn possessive(&self, j: usize) -> bool {
        (self.is(j, '\'') || self.is(j, '’')) && self.word(j + 1).eq_ignore_ascii_case("s")
    }

    /// "this year" / "last year" / "next year" at `j`: the year offset.
    fn rel_year(&self, j: usize) -> Option<i32> {
        if self.lex(j + 1) != Lex::Unit(Unit::Year, false) || self.possessive(j + 2) {
            return None;
        }
        match self.lex(j) {
            Lex::Word(W::This) => Some(0),
            Lex::Word(W::Last) => Some(-1),
            Lex::Word(W::Next) => Some(1),
            _ => None,
        }
    }

    /// A year at `j` written in digits ("2000") or spoken ("nineteen
    /// ninety-six", "two thousand", "two thousand and one"), and the end.
    fn named_year(&self, j: usize) -> Option<(i32, usize)> {
        if let Some(y) = self.year(j) {
            return Some((y, j + 1));
        }
        match self.lex(j) {
            Lex::Number(n @ (18 | 19)) => {
                let (rest, end) = self.count(j + 1)?;
                ((10..=99).contains(&rest) && self.lex(j + 1) != Lex::Word(W::A))
                    .then_some(((n * 100 + rest) as i32, end))
            }
            Lex::Number(2) if self.word(j + 1).eq_ignore_ascii_case("thousand") => {
                let k = if self.w(j + 2, W::And) { j + 3 } else { j + 2 };
                match (self.lex(k), self.count(k)) {
                    (Lex::Number(_), Some((rest, end))) if rest < 100 => {
                        Some((2000 + rest as i32, end))
                    }
                    _ => Some((2000, j + 2)),
                }
            }
            _ => None,
        }
    }

    /// "third quarter", "third-quarter" at `j`: the quarter and the end.
    fn ordinal_quarter(&self, j: usize) -> Option<(u32, usize)> {
        let Lex::Ordinal(q) = self.lex(j) else {
            return None;
        };
        let k = if self.hyphen(j + 1) { j + 2 } else { j + 1 };
        ((1..=4).contains(&q) && self.lex(k) == Lex::Quarter(false)).then_some((q, k + 1))
    }

    /// "year-earlier [third] quarter", "year-ago period" at `j`.
    fn year_ago_period(&self, j: usize) -> Option<Found> {
        if self.lex(j) != Lex::Unit(Unit::Year, false)
            || !self.hyphen(j + 1)
            || !matches!(self.lex(j + 2), Lex::Word(W::Earlier | W::Ago))
        {
            return None;
        }
        let k = j + 3;
        if let Some((q, end)) = self.ordinal_quarter(k) {
            return found(j, end, Sem::YearAgoPeriod { q: Some(q) });
        }
        if self.lex(k) == Lex::Quarter(false) || self.word(k).eq_ignore_ascii_case("period") {
            return found(j, k + 1, Sem::YearAgoPeriod { q: None });
        }
        found(j, k, Sem::YearAgoPeriod { q: None })
    }

    fn unit_follows(&self, j: usize) -> bool {
        let mut k = j;
        if let Some((_, e)) = self.count(k) {
            k = e;
        }
        if matches!(self.lex(k), Lex::Word(W::Few | W::Several | W::Many)) {
            k += 1;
        }
        self.unit(k).is_some()
    }
}
