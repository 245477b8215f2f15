//! The English lexicon of the temporal tagger: every word that can start,
//! continue or orient a temporal expression (month, weekday and season
//! names, number words, units, relative words, modifiers, set words), and
//! the verb cues that tell the tense of a clause. One hashed lookup per word
//! token; words not listed cost nothing further.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// Calendar and clock units, finest first (the order compares granularity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Months.
    Month,
    /// Quarters of a year.
    Quarter,
    /// Years.
    Year,
    /// Decades.
    Decade,
    /// Centuries.
    Century,
}

impl Unit {
    /// The TIMEX3 duration letter(s) and whether it is a clock unit (`PT`).
    pub fn code(self) -> (&'static str, bool) {
        match self {
            Unit::Second => ("S", true),
            Unit::Minute => ("M", true),
            Unit::Hour => ("H", true),
            Unit::Day => ("D", false),
            Unit::Week => ("W", false),
            Unit::Month => ("M", false),
            Unit::Quarter => ("Q", false),
            Unit::Year => ("Y", false),
            Unit::Decade => ("DE", false),
            Unit::Century => ("CE", false),
        }
    }
}

/// Parts of the day, with their TIMEX3 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOfDay {
    /// Morning (`MO`).
    Morning,
    /// Afternoon (`AF`).
    Afternoon,
    /// Evening (`EV`).
    Evening,
    /// Night (`NI`).
    Night,
}

impl PartOfDay {
    /// The TIMEX3 code.
    pub fn code(self) -> &'static str {
        match self {
            PartOfDay::Morning => "MO",
            PartOfDay::Afternoon => "AF",
            PartOfDay::Evening => "EV",
            PartOfDay::Night => "NI",
        }
    }
}

/// Function words and modifiers the grammar tests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum W {
    The,
    A,
    Last,
    This,
    Next,
    Past,
    Coming,
    Early,
    Late,
    Mid,
    Earlier,
    Later,
    End,
    Beginning,
    Middle,
    Of,
    Ago,
    Now,
    Currently,
    Current,
    Recently,
    Recent,
    Previously,
    Soon,
    Future,
    Fiscal,
    Every,
    Each,
    Few,
    Several,
    Many,
    Some,
    Couple,
    Half,
    Weekend,
    Noon,
    Midnight,
    Am,
    Pm,
    Latest,
    Long,
    Old,
    Approx,
    Nearly,
    More,
    Less,
    Than,
    At,
    Least,
    Most,
    Over,
    Under,
    And,
    Then,
    Or,
    Christmas,
    Eve,
    New,
    Thanksgiving,
    Easter,
    Ahead,
    Since,
    In,
    Until,
    Prep,
    Overnight,
    These,
    Near,
    Short,
    Term,
    Full,
    Period,
    /// "that": a period named by reference ("that day").
    That,
    /// "same": "the same month".
    Same,
    /// "following": "the following year".
    Following,
    /// "previous", "preceding", "prior": "the previous day".
    Previous,
}

/// What a word is to the temporal grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lex {
    /// Not a temporal word.
    None,
    /// A month, 1-12, and whether the form is an abbreviation.
    Month(u8, bool),
    /// A weekday, 1 (Monday) to 7, and whether plural ("Tuesdays").
    Weekday(u8, bool),
    /// A season: 0 spring, 1 summer, 2 fall, 3 winter.
    Season(u8),
    /// A cardinal number word.
    Number(u32),
    /// An ordinal word ("third").
    Ordinal(u32),
    /// A unit, and whether plural.
    Unit(Unit, bool),
    /// The quarter of a year ("quarter", "quarters").
    Quarter(bool),
    /// today (0), yesterday (-1), tomorrow (1).
    Day(i8),
    /// tonight.
    Tonight,
    /// A part of the day.
    Part(PartOfDay),
    /// A set adverb with its TIMEX3 value ("daily" -> P1D).
    SetWord(&'static str),
    /// A function word or modifier.
    Word(W),
}

/// Tense cue of a word, for resolving direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// No cue.
    None,
    /// A past form ("said", "was", "has").
    Past,
    /// A present form ("is", "says").
    Present,
    /// A future form ("will", "scheduled").
    Future,
}

/// One lexicon entry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// What the word is to the grammar.
    pub lex: Lex,
    /// Its tense cue.
    pub cue: Cue,
}

fn table() -> &'static FxHashMap<&'static [u8], Entry> {
    static TABLE: OnceLock<FxHashMap<&'static [u8], Entry>> = OnceLock::new();
    TABLE.get_or_init(build)
}

/// Longest word in the table, in bytes.
pub const MAX_WORD: usize = 14;

/// Looks up a word (any case; ASCII only).
pub fn lookup(word: &str) -> Option<Entry> {
    let bytes = word.as_bytes();
    if bytes.len() > MAX_WORD || bytes.is_empty() {
        return None;
    }
    let mut buf = [0u8; MAX_WORD];
    for (d, s) in buf.iter_mut().zip(bytes) {
        if !s.is_ascii_alphabetic() {
            return None;
        }
        *d = s.to_ascii_lowercase();
    }
    table().get(&buf[..bytes.len()]).copied()
}

fn build() -> FxHashMap<&'static [u8], Entry> {
    let mut m: FxHashMap<&'static [u8], Entry> = FxHashMap::default();
    let mut put = |w: &'static str, lex: Lex| {
        let e = m.entry(w.as_bytes()).or_insert(Entry {
            lex: Lex::None,
            cue: Cue::None,
        });
        e.lex = lex;
    };
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const ABBR: [&[&str]; 12] = [
        &["jan"],
        &["feb"],
        &["mar"],
        &["apr"],
        &[],
        &["jun"],
        &["jul"],
        &["aug"],
        &["sep", "sept"],
        &["oct"],
        &["nov"],
        &["dec"],
    ];
    for (i, name) in MONTHS.iter().enumerate() {
        put(name, Lex::Month(i as u8 + 1, false));
        for a in ABBR[i] {
            put(a, Lex::Month(i as u8 + 1, true));
        }
    }
    const DAYS: [(&str, &str, &str); 7] = [
        ("monday", "mondays", "mon"),
        ("tuesday", "tuesdays", "tue"),
        ("wednesday", "wednesdays", "wed"),
        ("thursday", "thursdays", "thu"),
        ("friday", "fridays", "fri"),
        ("saturday", "saturdays", "sat"),
        ("sunday", "sundays", "sun"),
    ];
    for (i, (d, p, _)) in DAYS.iter().enumerate() {
        put(d, Lex::Weekday(i as u8 + 1, false));
        put(p, Lex::Weekday(i as u8 + 1, true));
    }
    for (w, s) in [
        ("spring", 0),
        ("summer", 1),
        ("fall", 2),
        ("autumn", 2),
        ("winter", 3),
    ] {
        put(w, Lex::Season(s));
    }
    const NUMS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    for (i, w) in NUMS.iter().enumerate().skip(1) {
        put(w, Lex::Number(i as u32));
    }
    for (w, n) in [
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
        ("hundred", 100),
        ("dozen", 12),
    ] {
        put(w, Lex::Number(n));
    }
    for (w, n) in [
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("fourth", 4),
        ("fifth", 5),
        ("sixth", 6),
        ("seventh", 7),
        ("eighth", 8),
        ("ninth", 9),
        ("tenth", 10),
    ] {
        put(w, Lex::Ordinal(n));
    }
    for (s, p, u) in [
        ("second", "seconds", Unit::Second),
        ("minute", "minutes", Unit::Minute),
        ("hour", "hours", Unit::Hour),
        ("day", "days", Unit::Day),
        ("week", "weeks", Unit::Week),
        ("month", "months", Unit::Month),
        ("year", "years", Unit::Year),
        ("decade", "decades", Unit::Decade),
        ("century", "centuries", Unit::Century),
    ] {
        // "second" stays an ordinal: the grammar reads it as a unit after a number.
        if s != "second" {
            put(s, Lex::Unit(u, false));
        }
        put(p, Lex::Unit(u, true));
    }
    put("quarter", Lex::Quarter(false));
    put("quarters", Lex::Quarter(true));
    put("today", Lex::Day(0));
    put("yesterday", Lex::Day(-1));
    put("tomorrow", Lex::Day(1));
    put("tonight", Lex::Tonight);
    put("morning", Lex::Part(PartOfDay::Morning));
    put("afternoon", Lex::Part(PartOfDay::Afternoon));
    put("evening", Lex::Part(PartOfDay::Evening));
    put("night", Lex::Part(PartOfDay::Night));
    for (w, v) in [
        ("daily", "P1D"),
        ("nightly", "P1D"),
        ("weekly", "P1W"),
        ("monthly", "P1M"),
        ("annually", "P1Y"),
        ("yearly", "P1Y"),
        ("hourly", "PT1H"),
    ] {
        put(w, Lex::SetWord(v));
    }
    use W::*;
    for (w, x) in [
        ("the", The),
        ("a", A),
        ("an", A),
        ("last", Last),
        ("this", This),
        ("next", Next),
        ("past", Past),
        ("coming", Coming),
        ("early", Early),
        ("late", Late),
        ("mid", Mid),
        ("earlier", Earlier),
        ("later", Later),
        ("end", End),
        ("beginning", Beginning),
        ("start", Beginning),
        ("middle", Middle),
        ("of", Of),
        ("ago", Ago),
        ("now", Now),
        ("currently", Currently),
        ("current", Current),
        ("recently", Recently),
        ("recent", Recent),
        ("previously", Previously),
        ("formerly", Previously),
        ("soon", Soon),
        ("future", Future),
        ("fiscal", Fiscal),
        ("every", Every),
        ("each", Each),
        ("few", Few),
        ("several", Several),
        ("many", Many),
        ("some", Some),
        ("couple", Couple),
        ("half", Half),
        ("weekend", Weekend),
        ("weekends", Weekend),
        ("noon", Noon),
        ("midday", Noon),
        ("midnight", Midnight),
        ("am", Am),
        ("pm", Pm),
        ("latest", Latest),
        ("long", Long),
        ("old", Old),
        ("about", Approx),
        ("around", Approx),
        ("approximately", Approx),
        ("roughly", Approx),
        ("nearly", Nearly),
        ("almost", Nearly),
        ("more", More),
        ("less", Less),
        ("than", Than),
        ("at", At),
        ("least", Least),
        ("most", Most),
        ("over", Over),
        ("under", Under),
        ("and", And),
        ("then", Then),
        ("or", Or),
        ("christmas", Christmas),
        ("eve", Eve),
        ("new", New),
        ("thanksgiving", Thanksgiving),
        ("easter", Easter),
        ("ahead", Ahead),
        ("since", Since),
        ("in", In),
        ("until", Until),
        ("till", Until),
        ("by", Prep),
        ("from", Prep),
        ("during", Prep),
        ("before", Prep),
        ("after", Prep),
        ("through", Prep),
        ("throughout", Prep),
        ("to", Prep),
        ("for", Prep),
        ("on", Prep),
        ("overnight", Overnight),
        ("these", These),
        ("near", Near),
        ("short", Short),
        ("term", Term),
        ("full", Full),
        ("period", Period),
        ("that", That),
        ("same", Same),
        ("following", Following),
        ("previous", Previous),
        ("preceding", Previous),
        ("prior", Previous),
    ] {
        put(w, Lex::Word(x));
    }
    // Tense cues.
    let mut cue = |w: &'static str, c: Cue| {
        m.entry(w.as_bytes())
            .or_insert(Entry {
                lex: Lex::None,
                cue: Cue::None,
            })
            .cue = c;
    };
    for w in [
        "said",
        "was",
        "were",
        "had",
        "did",
        "told",
        "met",
        "went",
        "came",
        "made",
        "took",
        "gave",
        "began",
        "saw",
        "found",
        "left",
        "held",
        "won",
        "lost",
        "got",
        "became",
        "fell",
        "rose",
        "sent",
        "spent",
        "spoke",
        "wrote",
        "ran",
        "brought",
        "bought",
        "built",
        "thought",
        "felt",
        "kept",
        "led",
        "meant",
        "paid",
        "sold",
        "stood",
        "struck",
        "taught",
        "broke",
        "chose",
        "drew",
        "drove",
        "flew",
        "grew",
        "knew",
        "sought",
        "fought",
        "caught",
        "has",
        "have",
        "been",
        "ago",
        "last",
        "earlier",
        "previously",
        "recently",
        "yesterday",
        "hit",
        "quit",
        "shot",
        "overtook",
        "withdrew",
        "tore",
        "sank",
        "swept",
    ] {
        cue(w, Cue::Past);
    }
    // Irregular past forms: no "-ed" to read them by.
    for w in IRREGULAR_PAST {
        cue(w, Cue::Past);
    }
    for w in BASE_FORM_PAST {
        cue(w, Cue::Past);
    }
    for w in [
        "is",
        "are",
        "am",
        "says",
        "say",
        "now",
        "today",
        "currently",
        "remains",
        "continues",
    ] {
        cue(w, Cue::Present);
    }
    for w in [
        "will",
        "ll",
        "shall",
        "would",
        "scheduled",
        "expected",
        "expects",
        "expect",
        "planning",
        "upcoming",
        "preparing",
        "prepare",
        "prepares",
        "intends",
        "intend",
        "aims",
        "next",
        "tomorrow",
        "coming",
        "forecast",
        "forecasts",
        "projected",
        "later",
        "soon",
        "wo",
    ] {
        cue(w, Cue::Future);
    }
    m
}

/// Irregular past forms (besides the common ones of the cue table) that
/// are no other form of their verb. Forms that are also common nouns or
/// adjectives ("Fed", "Lent", "hung", "lit", "stuck", "woke", "bound") are
/// left out; "beat" is below.
const IRREGULAR_PAST: &[&str] = &[
    "arose",
    "ate",
    "awoke",
    "befell",
    "bled",
    "blew",
    "bred",
    "clung",
    "crept",
    "dealt",
    "drank",
    "dug",
    "dwelt",
    "fled",
    "flung",
    "forbade",
    "forgave",
    "forgot",
    "foresaw",
    "froze",
    "hid",
    "mistook",
    "oversaw",
    "overcame",
    "rang",
    "rode",
    "sang",
    "shook",
    "shone",
    "shrank",
    "slid",
    "slung",
    "sped",
    "spun",
    "sprang",
    "stank",
    "stole",
    "stung",
    "strode",
    "strove",
    "swore",
    "swam",
    "swung",
    "threw",
    "undertook",
    "underwent",
    "upheld",
    "wept",
    "wove",
    "withheld",
    "wrung",
    "outran",
    "outsold",
    "outgrew",
    "rebuilt",
    "slept",
    "leapt",
];

/// Past forms spelt like the base form of their verb ("production beat
/// forecasts"): past unless the context makes them the base form or a
/// noun ([`super::resolve`]). Only "beat": with "cut", "put", "cast" and
/// "cost" the present ("voters cast ballots on Tuesday"), the base form
/// after "and" ("will win in November and put forward") and compounds
/// ("cost-cutting") outnumbered the past forms in the news text checked
/// (one right, five wrong, in PolNeAR and Reuters-21578 articles).
const BASE_FORM_PAST: &[&str] = &["beat"];

/// Whether `word` (lower case) is a past form spelt like its base form.
pub fn base_form_past(word: &str) -> bool {
    BASE_FORM_PAST.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// The tense cue of a word: the table, else the `-ed` ending of a regular
/// past form (lower-case words only, so names like "Ted" are not read).
pub fn cue_of(word: &str, entry: Option<Entry>) -> Cue {
    if let Some(e) = entry {
        if e.cue != Cue::None {
            return e.cue;
        }
        if e.lex != Lex::None {
            return Cue::None;
        }
    }
    let b = word.as_bytes();
    if b.len() >= 4
        && b[0].is_ascii_lowercase()
        && b.ends_with(b"ed")
        && !b.ends_with(b"eed")
        && word != "hundred"
    {
        return Cue::Past;
    }
    Cue::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_in_any_case() {
        assert_eq!(
            lookup("FEBRUARY").map(|e| e.lex),
            Some(Lex::Month(2, false))
        );
        assert_eq!(lookup("Sept").map(|e| e.lex), Some(Lex::Month(9, true)));
        assert_eq!(
            lookup("friday").map(|e| e.lex),
            Some(Lex::Weekday(5, false))
        );
        assert_eq!(lookup("troops").map(|e| e.lex), None);
        assert_eq!(lookup("Müller").map(|e| e.lex), None);
    }

    #[test]
    fn tense_cues() {
        assert_eq!(cue_of("said", lookup("said")), Cue::Past);
        assert_eq!(cue_of("launched", lookup("launched")), Cue::Past);
        assert_eq!(cue_of("scheduled", lookup("scheduled")), Cue::Future);
        assert_eq!(cue_of("will", lookup("will")), Cue::Future);
        assert_eq!(cue_of("Ted", lookup("Ted")), Cue::None);
        assert_eq!(cue_of("need", lookup("need")), Cue::None);
    }
}
