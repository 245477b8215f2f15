//! Merging the tagged mentions of one article into entities: normalising
//! each mention to the name alone, grouping the mentions that refer to one
//! thing, choosing the group's type and canonical name, and giving it a
//! stable id.
//!
//! Normalisation trims surrounding punctuation and quotes, a trailing
//! possessive (`'s`, `’s`, a bare `'`) and a final `.` that is not part of an
//! abbreviation; for PERSON mentions it also drops leading titles
//! (`President`, `Mr.`, `Prime Minister`, `Gen.`, `Pope`, ...) when a
//! capitalised word follows. The key of a form is its lower-case text with
//! whitespace collapsed, `’` read as `'` and dots removed (`U.S.` = `US`).
//!
//! Grouping, within the article only:
//! 1. mentions with the same key form one group whatever their types;
//! 2. a `Putin-Lukashenko` mention whose halves each match a mention key or a
//!    full person name's surname is first split into two mentions;
//! 3. PERSON names: full names of the same length that share the surname and
//!    whose first names are within edit distance 2 with the same initial, or
//!    that share the first name and have surnames of 5+ letters within edit
//!    distance 1, merge (`Dmitry Peskov` / `Dmitri Peskov`); a shorter full
//!    name whose words are a subsequence of exactly one longer one, sharing
//!    its first or last word, merges with it; a single-word PERSON form
//!    merges with the one full name whose last word equals it, else whose
//!    first word equals it, else (5+ letters) whose surname is within edit
//!    distance 1 — only when exactly one group qualifies;
//! 4. the names of one country ("Russian Federation", "Russia"; "U.S.",
//!    "United States") among non-PERSON groups ([`super::countries`]);
//! 5. nickname and middle-initial variants of a full PERSON name ("Pat
//!    Carlineo", "Patrick W. Carlineo"; [`super::variants`]), before the
//!    shorter-name and single-name steps of 3;
//! 6. acronyms (a single word mostly of capitals, at least two: `ISW`, `MoD`;
//!    its capitals are what it spells): one that stands in
//!    parentheses right after a multi-word mention, or whose capitals equal
//!    the initials of exactly one non-PERSON multi-word form (of its
//!    capitalised words, or of all words, hyphen parts counted or not),
//!    merges with it and takes its type.
//!
//! Cost: linear in the mentions. No pair of names is compared unless an
//! index puts them together: spelling variants by (length, middle words,
//! surname and initial) and by (length, middle words, first name); longer
//! names by first and last word; single names by the full names' first and
//! last words and by the one-deletion forms of their surnames; acronyms by
//! the initials of the expansions. Each name is compared with at most 64
//! entries of one index; a name with more candidates than that in one
//! entry is ambiguous and is not merged through it. Group types are kept as
//! running tallies at the union-find roots, so no step visits a group's
//! members. The stage's [`Meter`] ticks in every pass.
//!
//! A group's type is the majority of its mentions' types, ties broken by the
//! type of the longest mention (then by the earliest). The canonical name is
//! the form with the most tokens among those with both cases (then the most
//! frequent, then the first), or of a country's group the country's short
//! name when written; an acronym written in capitals wins over the same
//! word in another case; when every form is all-caps or lower-case, the
//! longest is title-cased, except a single all-caps word of at most five
//! letters (an acronym: `NATO`, `EFE`), kept as written — at most three for
//! a LOCATION (`UAE` stays, a dateline's `KYIV` becomes `Kyiv`), never for a
//! PERSON (`PUTIN` becomes `Putin`) — and a news agency's lower-case form
//! takes its capitals (`efe` → `EFE`; [`super::acronyms`]). The id is
//! `<type>:<16 hex digits>`, the XXH3-64 of `"<TYPE>:<name>"` with the name
//! lower-cased and whitespace collapsed (`per:…`, `org:…`, `loc:…`, `misc:…`).
//!
//! Not handled: coreference by pronoun or description ("the president"),
//! nicknames outside the nickname table, transliterations further apart than the edit distances above,
//! and articles that use one name for two different things.

use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::xxh3_64;

use super::tokens::{is_abbreviation, is_word_char};
use super::types::{Entity, EntityType, Mention, Token};
use super::{acronyms, countries, variants};
use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// Titles dropped from the start of PERSON mentions, as lower-case words
/// compared without a final `.`; longer phrases first.
const TITLES: &[&[&str]] = &[
    &["secretary", "of", "state"],
    &["prime", "minister"],
    &["foreign", "minister"],
    &["defence", "minister"],
    &["defense", "minister"],
    &["vice", "president"],
    &["president-elect"],
    &["secretary-general"],
    &["president"],
    &["minister"],
    &["chancellor"],
    &["premier"],
    &["mr"],
    &["mrs"],
    &["ms"],
    &["miss"],
    &["dr"],
    &["prof"],
    &["professor"],
    &["gen"],
    &["general"],
    &["lt"],
    &["col"],
    &["colonel"],
    &["maj"],
    &["capt"],
    &["captain"],
    &["adm"],
    &["admiral"],
    &["sgt"],
    &["pope"],
    &["king"],
    &["queen"],
    &["prince"],
    &["princess"],
    &["sen"],
    &["senator"],
    &["rep"],
    &["gov"],
    &["governor"],
    &["mayor"],
    &["sir"],
    &["dame"],
    &["lord"],
    &["rev"],
    &["reverend"],
    &["sheikh"],
    &["judge"],
    &["ambassador"],
    &["commissioner"],
];

/// Words left out of initials and lower-cased when title-casing.
const FUNCTION_WORDS: &[&str] = &[
    "of", "for", "the", "and", "de", "del", "della", "des", "du", "la", "le", "von", "van", "der",
    "in", "on", "at", "to", "a", "an", "&",
];

/// One mention after normalisation.
#[derive(Debug)]
pub(super) struct Norm {
    span: Span,
    /// The type it counts for in its group's vote.
    vote: EntityType,
    /// Surface form, whitespace collapsed.
    form: String,
    pub(super) key: String,
    /// Words of the key (one space apart): how many, the end of the first
    /// and the start of the last.
    n_words: usize,
    first_end: usize,
    last_start: usize,
}

impl Norm {
    /// The first word of the key.
    pub(super) fn first(&self) -> &str {
        &self.key[..self.first_end]
    }

    /// The last word of the key.
    fn last(&self) -> &str {
        &self.key[self.last_start..]
    }

    /// The words between the first and the last, as one string.
    fn middle(&self) -> &str {
        if self.n_words >= 3 {
            &self.key[self.first_end + 1..self.last_start - 1]
        } else {
            ""
        }
    }
}

/// The entities of one article from its tagged mentions; see the module
/// documentation. Mentions whose span is not a range of `text` on char
/// boundaries, or holds no name, are left out. `roles` are empty and
/// `salience` is 0: later stages fill them. Entities are in the order of
/// their first mention.
pub fn merge(text: &str, tokens: &[Token], mentions: &[Mention]) -> Vec<Entity> {
    let budget = crate::pipeline::Budget::unlimited();
    merge_metered(text, tokens, mentions, &mut budget.meter())
}

/// [`merge`], ticking `meter` once per mention in each pass (and once per
/// candidate compared). When the meter stops, the mentions normalised so
/// far are still grouped by their form and returned as entities; the
/// merging of name variants and acronyms stops where it was.
pub fn merge_metered(
    text: &str,
    tokens: &[Token],
    mentions: &[Mention],
    meter: &mut Meter<'_>,
) -> Vec<Entity> {
    let mut norms: Vec<Norm> = Vec::with_capacity(mentions.len());
    for m in mentions {
        if meter.tick() {
            break;
        }
        if let Some((span, kind)) = normalise(text, m.span, m.kind)
            && let Some(n) = make_norm(text, span, kind)
        {
            norms.push(n);
        }
    }
    norms = split_hyphenated(text, norms, meter);
    norms.sort_by_key(|n| (n.span.start, n.span.end));

    let mut groups = Groups::new(&norms, tokens, meter);
    let mut by_key: FxHashMap<&str, usize> = FxHashMap::default();
    for (i, n) in norms.iter().enumerate() {
        meter.tick();
        match by_key.get(n.key.as_str()) {
            Some(&j) => groups.union(j, i),
            None => {
                by_key.insert(&n.key, i);
            }
        }
    }
    if !meter.is_stopped() {
        countries::merge_countries(&norms, &by_key, &mut groups, meter);
    }
    if !meter.is_stopped() {
        merge_people(&norms, &mut groups, meter);
    }
    if !meter.is_stopped() {
        merge_acronyms(text, &norms, &mut groups, meter);
    }

    let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for i in 0..norms.len() {
        meter.tick();
        members.entry(groups.find(i)).or_default().push(i);
    }
    let mut members: Vec<(usize, Vec<usize>)> = members.into_iter().collect();
    members.sort_by_key(|(_, m)| m.first().map(|&i| (norms[i].span.start, norms[i].span.end)));
    members
        .into_iter()
        .map(|(root, m)| {
            meter.add(m.len() as u64);
            build_entity(&norms, &m, groups.kind_of_root(root), &groups.lengths)
        })
        .collect()
}

/// The span of the name alone in a mention, and its type.
fn normalise(text: &str, span: Span, kind: EntityType) -> Option<(Span, EntityType)> {
    text.get(span.range())?;
    let (mut a, mut b) = (span.start, span.end);
    loop {
        let c = text[a..b].chars().next()?;
        if is_word_char(c) {
            break;
        }
        a += c.len_utf8();
    }
    loop {
        let s = &text[a..b];
        if let Some(cut) = ["'s", "’s"]
            .iter()
            .find(|p| s.len() > p.len() && ends_with_ci(s, p))
            .map(|p| s.len() - p.len())
        {
            b = a + cut;
            continue;
        }
        let c = s.chars().next_back()?;
        if c == '.' {
            let last = s.rsplit(char::is_whitespace).next().unwrap_or(s);
            let last = last.rsplit('-').next().unwrap_or(last);
            if is_abbreviation(last) {
                break;
            }
        } else if is_word_char(c) {
            break;
        }
        b -= c.len_utf8();
    }
    if kind == EntityType::Person {
        a = strip_titles(text, a, b);
    }
    // A leading lower-case article the tagger took in: "the Kremlin".
    let s = &text[a..b];
    if let Some(rest) = s.strip_prefix("the ")
        && rest.chars().next().is_some_and(char::is_uppercase)
    {
        a += 4;
    }
    (a < b).then(|| (Span::new(a, b), kind))
}

fn ends_with_ci(a: &str, suffix: &str) -> bool {
    a.len() >= suffix.len()
        && a.is_char_boundary(a.len() - suffix.len())
        && a[a.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The start of `text[a..b]` after any leading titles followed by a
/// capitalised word. One pass over the words: each title consumes its
/// words, so "President President ... Putin" costs its length, not its
/// square.
fn strip_titles(text: &str, a: usize, b: usize) -> usize {
    let s = &text[a..b];
    let words: Vec<(usize, &str)> = s
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
        .collect();
    let mut start = a;
    let mut k = 0;
    loop {
        let rest = &words[k..];
        let matched = TITLES.iter().find(|title| {
            rest.len() > title.len()
                && title
                    .iter()
                    .zip(rest)
                    .all(|(t, (_, w))| w.strip_suffix('.').unwrap_or(w).eq_ignore_ascii_case(t))
        });
        let Some(title) = matched else {
            return start;
        };
        let (offset, next) = rest[title.len()];
        if !next.chars().next().is_some_and(char::is_uppercase) {
            return start;
        }
        start = a + offset;
        k += title.len();
    }
}

fn make_norm(text: &str, span: Span, kind: EntityType) -> Option<Norm> {
    let form = collapse(text.get(span.range())?);
    let key = name_key(&form);
    if key.is_empty() {
        return None;
    }
    let n_words = key.split(' ').count();
    let first_end = key.find(' ').unwrap_or(key.len());
    let last_start = key.rfind(' ').map_or(0, |p| p + 1);
    Some(Norm {
        span,
        vote: kind,
        form,
        key,
        n_words,
        first_end,
        last_start,
    })
}

/// The key of a name: lower case, dots removed, `’` read as `'`,
/// whitespace collapsed (`U.S.` = `us`).
pub(super) fn name_key(name: &str) -> String {
    let key: String = name
        .to_lowercase()
        .chars()
        .filter(|&c| c != '.')
        .map(|c| if c == '’' { '\'' } else { c })
        .collect();
    collapse(&key)
}

/// `s` with runs of whitespace replaced by one space, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Splits `Putin-Lukashenko` mentions whose halves both match another
/// mention's key or a full person name's surname.
fn split_hyphenated(text: &str, norms: Vec<Norm>, meter: &mut Meter<'_>) -> Vec<Norm> {
    if meter.add(norms.len() as u64) {
        return norms;
    }
    let compound = |n: &Norm| n.n_words == 1 && n.form.contains(is_hyphen);
    let mut known: FxHashMap<String, EntityType> = FxHashMap::default();
    for n in norms.iter().filter(|n| !compound(n)) {
        known.entry(n.key.clone()).or_insert(n.vote);
    }
    for n in norms
        .iter()
        .filter(|n| n.vote == EntityType::Person && n.n_words >= 2)
    {
        known
            .entry(n.last().to_string())
            .or_insert(EntityType::Person);
    }
    let mut out = Vec::with_capacity(norms.len());
    for n in norms {
        if meter.tick() || !compound(&n) {
            out.push(n);
            continue;
        }
        let s = &text[n.span.range()];
        let halves = s.find(is_hyphen).and_then(|cut| {
            let hyphen = s[cut..].chars().next()?.len_utf8();
            let (left, right) = (&s[..cut], &s[cut + hyphen..]);
            if right.contains(is_hyphen) {
                return None;
            }
            let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
            if !capital(left) || !capital(right) {
                return None;
            }
            let lk = known.get(&left.to_lowercase().replace('.', ""))?;
            let rk = known.get(&right.to_lowercase().replace('.', ""))?;
            let start = n.span.start;
            Some([
                (Span::new(start, start + cut), *lk),
                (Span::new(start + cut + hyphen, n.span.end), *rk),
            ])
        });
        match halves {
            Some(halves) => {
                out.extend(
                    halves
                        .into_iter()
                        .filter_map(|(span, kind)| make_norm(text, span, kind)),
                );
            }
            None => out.push(n),
        }
    }
    out
}

/// Most entries of one name index (the full names with a given first or
/// last word, the expansions with given initials, ...) compared with one
/// name. The merging looks names up in indexes instead of comparing every
/// pair, so it is linear in the mentions; this bound keeps it linear when
/// an article (or an attack) holds thousands of names that share a word. A
/// name whose index entry holds more candidates than this is ambiguous and
/// left alone, as when several candidates match. News articles stay far
/// below it.
pub(super) const MAX_CANDIDATES: usize = 64;

/// Longest word (in chars) compared by spelling; longer ones never match.
const MAX_SPELLING_CHARS: usize = 64;

/// What the type vote of a group needs from the mentions of one type:
/// their number, the longest (tokens, bytes) and the earliest start.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u32,
    longest: (u32, u32),
    first: u32,
}

impl Tally {
    const NONE: Tally = Tally {
        count: 0,
        longest: (0, 0),
        first: u32::MAX,
    };

    fn add(&mut self, other: &Tally) {
        self.count += other.count;
        self.longest = self.longest.max(other.longest);
        self.first = self.first.min(other.first);
    }
}

/// The type votes of a group, per type (in [`EntityType::ALL`] order).
/// Groups merge by adding their votes, so a group's type is known without
/// visiting its members.
#[derive(Debug, Clone, Copy)]
struct Votes([Tally; 4]);

impl Votes {
    fn index(kind: EntityType) -> usize {
        match kind {
            EntityType::Person => 0,
            EntityType::Organization => 1,
            EntityType::Location => 2,
            EntityType::Misc => 3,
        }
    }

    fn one(kind: EntityType, length: (usize, usize), start: usize) -> Votes {
        let narrow = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        let mut v = [Tally::NONE; 4];
        v[Self::index(kind)] = Tally {
            count: 1,
            longest: (narrow(length.0), narrow(length.1)),
            first: narrow(start),
        };
        Votes(v)
    }

    fn add(&mut self, other: &Votes) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a.add(b);
        }
    }

    /// Every vote given to `kind` instead.
    fn all_for(&self, kind: EntityType) -> Votes {
        let mut total = Tally::NONE;
        for t in &self.0 {
            total.add(t);
        }
        let mut v = [Tally::NONE; 4];
        v[Self::index(kind)] = total;
        Votes(v)
    }

    /// The majority type, ties broken by the longest mention's type, then
    /// by the earliest mention's.
    fn kind(&self) -> EntityType {
        EntityType::ALL
            .into_iter()
            .zip(&self.0)
            .filter(|(_, t)| t.count > 0)
            .map(|(kind, t)| (t.count, t.longest, std::cmp::Reverse(t.first), kind))
            .max()
            .map_or(EntityType::Misc, |best| best.3)
    }
}

/// Union-find over mention indexes, with each group's type votes at its
/// root. The smaller index stays the root, so every group's root is its
/// first mention whatever the order of the unions.
pub(super) struct Groups {
    parent: Vec<usize>,
    votes: Vec<Votes>,
    /// Per mention: (tokens, bytes), for tie-breaking.
    lengths: Vec<(usize, usize)>,
}

impl Groups {
    fn new(norms: &[Norm], tokens: &[Token], meter: &mut Meter<'_>) -> Groups {
        let mut lengths = Vec::with_capacity(norms.len());
        let mut votes = Vec::with_capacity(norms.len());
        for n in norms {
            meter.tick();
            let length = length(n, tokens);
            lengths.push(length);
            votes.push(Votes::one(n.vote, length, n.span.start));
        }
        Groups {
            parent: (0..norms.len()).collect(),
            votes,
            lengths,
        }
    }

    pub(super) fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.parent[hi] = lo;
            let moved = self.votes[hi];
            self.votes[lo].add(&moved);
        }
    }

    /// The type of the group of `i`.
    pub(super) fn kind(&mut self, i: usize) -> EntityType {
        let root = self.find(i);
        self.kind_of_root(root)
    }

    fn kind_of_root(&self, root: usize) -> EntityType {
        self.votes[root].kind()
    }

    /// Every member of the group rooted at `root` votes for `kind`.
    fn revote(&mut self, root: usize, kind: EntityType) {
        self.votes[root] = self.votes[root].all_for(kind);
    }
}

/// Length of a mention for tie-breaking: tokens, then bytes.
fn length(n: &Norm, tokens: &[Token]) -> (usize, usize) {
    (token_count(n.span, tokens).max(n.n_words), n.span.len())
}

/// Tokens overlapping `span`.
fn token_count(span: Span, tokens: &[Token]) -> usize {
    let lo = tokens.partition_point(|t| t.end <= span.start);
    let hi = tokens.partition_point(|t| t.start < span.end);
    hi.saturating_sub(lo)
}

/// Levenshtein distance between two short strings, in chars; `usize::MAX`
/// for strings longer than 64 chars.
#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > MAX_SPELLING_CHARS || b.len() > MAX_SPELLING_CHARS {
        return usize::MAX;
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The chars of `s` into `buf`, and how many; `None` when more than fit.
fn chars_into(s: &str, buf: &mut [char; MAX_SPELLING_CHARS]) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

/// Whether the Levenshtein distance between `a` and `b` (in chars) is at
/// most `k`; false when either is longer than 64 chars. Only the band of
/// width `2k + 1` around the diagonal is computed, on the stack.
fn within_edits(a: &str, b: &str, k: usize) -> bool {
    let mut ca = ['\0'; MAX_SPELLING_CHARS];
    let mut cb = ['\0'; MAX_SPELLING_CHARS];
    let (Some(la), Some(lb)) = (chars_into(a, &mut ca), chars_into(b, &mut cb)) else {
        return false;
    };
    if la.abs_diff(lb) > k {
        return false;
    }
    const FAR: usize = usize::MAX / 4;
    let mut prev = [FAR; MAX_SPELLING_CHARS + 1];
    let mut cur = [FAR; MAX_SPELLING_CHARS + 1];
    for (j, p) in prev.iter_mut().enumerate().take(lb.min(k) + 1) {
        *p = j;
    }
    for i in 1..=la {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(lb);
        cur[0] = if i <= k { i } else { FAR };
        if lo > 1 {
            cur[lo - 1] = FAR;
        }
        for j in lo..=hi {
            cur[j] = (prev[j - 1] + usize::from(ca[i - 1] != cb[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1);
        }
        if hi < lb {
            cur[hi + 1] = FAR;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[lb] <= k
}

/// Two spellings of one full name: same length, and either the same surname
/// with first names close and sharing their initial, or the same first name
/// with surnames of 5+ letters within one edit.
fn spelling_variants(a: &Norm, b: &Norm) -> bool {
    if a.n_words < 2 || a.n_words != b.n_words || a.key == b.key || a.middle() != b.middle() {
        return false;
    }
    let same_initial = a.first().chars().next() == b.first().chars().next();
    let surname = a.last() == b.last() && same_initial && within_edits(a.first(), b.first(), 2);
    let first = a.first() == b.first() && close_surnames(a.last(), b.last());
    surname || first
}

/// Surnames of 5+ letters within one edit.
fn close_surnames(a: &str, b: &str) -> bool {
    a.chars().count() >= 5 && b.chars().count() >= 5 && within_edits(a, b, 1)
}

/// Whether the words of `short` are a subsequence of those of `long`,
/// sharing its first or last word.
fn contained(short: &Norm, long: &Norm) -> bool {
    if short.n_words >= long.n_words
        || (short.first() != long.first() && short.last() != long.last())
    {
        return false;
    }
    let mut rest = long.key.split(' ');
    short.key.split(' ').all(|w| rest.any(|x| x == w))
}

/// The one root among `roots` (deduplicated) other than `own`, if there is
/// exactly one.
pub(super) fn only_root(roots: impl Iterator<Item = usize>, own: usize) -> Option<usize> {
    let mut found = None;
    for r in roots.filter(|&r| r != own) {
        match found {
            None => found = Some(r),
            Some(f) if f == r => {}
            Some(_) => return None,
        }
    }
    found
}

/// The keys under which a word is indexed for matches within one edit: a
/// hash of the word itself and of each form with one char deleted. Two
/// words within one edit share a key (a substitution deletes to the same
/// form, an insertion deletes to the other word); a shared key is checked
/// with [`within_edits`]. `None` for words longer than 64 chars.
fn one_edit_keys(word: &str, out: &mut Vec<u64>) -> Option<()> {
    use std::hash::{BuildHasher, Hasher};
    let mut buf = ['\0'; MAX_SPELLING_CHARS];
    let n = chars_into(word, &mut buf)?;
    let chars = &buf[..n];
    out.clear();
    let build = rustc_hash::FxBuildHasher;
    for skip in 0..=n {
        let mut h = build.build_hasher();
        for (k, &c) in chars.iter().enumerate() {
            if k != skip {
                h.write_u32(u32::from(c));
            }
        }
        h.write_usize(n - usize::from(skip < n));
        out.push(h.finish());
    }
    // "aaaaa" deletes to one form five times: index it once.
    out.sort_unstable();
    out.dedup();
    Some(())
}

/// Full names indexed by their first and by their last word.
type WordIndex<'a> = FxHashMap<&'a str, Vec<usize>>;

/// Merges PERSON groups: spelling variants of a full name, a shorter full
/// name inside a longer one, a single name with the one full name it is the
/// surname (else first name, else a close spelling of the surname) of.
/// Indexed: each name is compared only with the names that share its
/// index entries (at most [`MAX_CANDIDATES`] each).
fn merge_people(norms: &[Norm], groups: &mut Groups, meter: &mut Meter<'_>) {
    // One representative mention per distinct key.
    let mut full: Vec<usize> = Vec::new();
    let mut single: Vec<usize> = Vec::new();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    for (i, n) in norms.iter().enumerate() {
        if meter.tick() {
            return;
        }
        if !seen.insert(&n.key) || groups.kind(i) != EntityType::Person {
            continue;
        }
        if n.n_words >= 2 {
            full.push(i);
        } else {
            single.push(i);
        }
    }
    // Spelling variants share the length, the middle words and either the
    // surname and first initial or the first name.
    type SurnameKey<'a> = (usize, &'a str, &'a str, Option<char>);
    type FirstNameKey<'a> = (usize, &'a str, &'a str);
    let mut by_surname: FxHashMap<SurnameKey<'_>, Vec<usize>> = FxHashMap::default();
    let mut by_first_name: FxHashMap<FirstNameKey<'_>, Vec<usize>> = FxHashMap::default();
    for &a in &full {
        if meter.tick() {
            return;
        }
        let w = &norms[a];
        let surname = by_surname
            .entry((w.n_words, w.middle(), w.last(), w.first().chars().next()))
            .or_default();
        let first_name = by_first_name
            .entry((w.n_words, w.middle(), w.first()))
            .or_default();
        for bucket in [surname, first_name] {
            for &b in bucket.iter().rev().take(MAX_CANDIDATES) {
                meter.tick();
                if spelling_variants(&norms[b], w) {
                    groups.union(a, b);
                }
            }
            bucket.push(a);
        }
    }
    variants::merge_variants(norms, &full, groups, meter);

    // A shorter full name inside exactly one longer group.
    let mut by_first: WordIndex<'_> = FxHashMap::default();
    let mut by_last: WordIndex<'_> = FxHashMap::default();
    for &f in &full {
        meter.tick();
        by_first.entry(norms[f].first()).or_default().push(f);
        by_last.entry(norms[f].last()).or_default().push(f);
    }
    let mut roots: Vec<usize> = Vec::new();
    for &a in &full {
        if meter.tick() {
            return;
        }
        let w = &norms[a];
        let firsts = &by_first[w.first()];
        let lasts = &by_last[w.last()];
        if firsts.len() > MAX_CANDIDATES || lasts.len() > MAX_CANDIDATES {
            continue;
        }
        roots.clear();
        for &b in firsts.iter().chain(lasts) {
            meter.tick();
            if contained(w, &norms[b]) {
                roots.push(groups.find(b));
            }
        }
        let own = groups.find(a);
        if let Some(r) = only_root(roots.iter().copied(), own) {
            groups.union(a, r);
        }
    }

    // A single name: same surname, else same first name, else a close
    // surname; only when exactly one group qualifies.
    let mut close: Option<FxHashMap<u64, Vec<usize>>> = None;
    let mut keys = Vec::new();
    for &s in &single {
        if meter.tick() {
            return;
        }
        let w = norms[s].key.as_str();
        let own = groups.find(s);
        roots.clear();
        // Each single name is a distinct word, so each index entry is read
        // by one single name only.
        for &f in by_last.get(w).into_iter().flatten() {
            meter.tick();
            roots.push(groups.find(f));
        }
        if roots.is_empty() {
            for &f in by_first.get(w).into_iter().flatten() {
                meter.tick();
                roots.push(groups.find(f));
            }
        }
        if roots.is_empty() {
            if w.chars().count() < 5 || one_edit_keys(w, &mut keys).is_none() {
                continue;
            }
            let index = close.get_or_insert_with(|| {
                let mut index: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
                let mut keys = Vec::new();
                for &f in &full {
                    let last = norms[f].last();
                    meter.tick();
                    if last.chars().count() >= 5 && one_edit_keys(last, &mut keys).is_some() {
                        for &k in &keys {
                            index.entry(k).or_default().push(f);
                        }
                    }
                }
                index
            });
            let mut ambiguous = false;
            for k in &keys {
                let bucket = index.get(k).map_or(&[][..], Vec::as_slice);
                if bucket.len() > MAX_CANDIDATES {
                    ambiguous = true;
                    break;
                }
                for &f in bucket {
                    meter.tick();
                    if close_surnames(norms[f].last(), w) {
                        roots.push(groups.find(f));
                    }
                }
            }
            if ambiguous || roots.is_empty() {
                continue;
            }
        }
        if let Some(r) = only_root(roots.iter().copied(), own) {
            groups.union(s, r);
        }
    }
}

/// The capitals an acronym spells, if `form` is one: a single word of
/// letters (and `.`, `&`) with at least two capitals, starting with one.
fn acronym_letters(form: &str) -> Option<String> {
    if !form.chars().next().is_some_and(char::is_uppercase)
        || !form
            .chars()
            .all(|c| c.is_alphabetic() || c == '.' || c == '&')
    {
        return None;
    }
    let capitals: String = form.chars().filter(|c| c.is_uppercase()).collect();
    let (n_capitals, n_letters) = (
        capitals.chars().count(),
        form.chars().filter(|c| c.is_alphabetic()).count(),
    );
    // Mostly capitals: "MoD", "DoD", not "McDonald" or "YouTube".
    (n_capitals >= 2 && n_capitals * 2 >= n_letters && n_capitals <= 12).then_some(capitals)
}

/// The initials a multi-word form can be abbreviated to: of its capitalised
/// words or of all its words but `&`, counting hyphen parts or not.
fn initials(form: &str) -> Vec<String> {
    let mut out = Vec::new();
    for all_words in [false, true] {
        for hyphen_parts in [false, true] {
            let mut s = String::new();
            for word in form.split_whitespace() {
                let parts: Vec<&str> = if hyphen_parts {
                    word.split(is_hyphen).collect()
                } else {
                    vec![word]
                };
                for part in parts {
                    let Some(c) = part.chars().next() else {
                        continue;
                    };
                    let function = FUNCTION_WORDS.contains(&part.to_lowercase().as_str());
                    if c.is_uppercase() && !function || all_words && c.is_alphabetic() {
                        s.extend(c.to_uppercase());
                    }
                }
            }
            if s.chars().count() >= 2 && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Merges acronyms with their expansion (in parentheses right after it, or
/// the one non-PERSON multi-word form with its initials); the acronym's
/// group takes the expansion's type. Expansions are indexed by their
/// initials; an acronym with more than [`MAX_CANDIDATES`] expansions of
/// its letters is ambiguous.
fn merge_acronyms(text: &str, norms: &[Norm], groups: &mut Groups, meter: &mut Meter<'_>) {
    // The types of the groups as they are before any acronym joins one (by
    // mention: the type of its group now).
    let mut types = Vec::with_capacity(norms.len());
    for i in 0..norms.len() {
        meter.tick();
        types.push(groups.kind(i));
    }
    let mut by_end: FxHashMap<usize, usize> = FxHashMap::default();
    // Candidate expansions, multi-word and not PERSON, by their initials.
    let mut expansions: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    for (i, n) in norms.iter().enumerate() {
        if meter.tick() {
            return;
        }
        if n.n_words < 2 {
            continue;
        }
        by_end.entry(n.span.end).or_insert(i);
        if seen.insert(&n.key) && types[i] != EntityType::Person {
            for variant in initials(&n.form) {
                expansions.entry(variant).or_default().push(i);
            }
        }
    }
    for (a, n) in norms.iter().enumerate() {
        if meter.tick() {
            return;
        }
        if n.n_words != 1 {
            continue;
        }
        let Some(letters) = acronym_letters(&n.form) else {
            continue;
        };
        let own = groups.find(a);
        let in_parentheses = text
            .get(..n.span.start)
            .and_then(|before| before.trim_end().strip_suffix('('))
            .filter(|_| {
                text.get(n.span.end..)
                    .is_some_and(|after| after.trim_start().starts_with(')'))
            })
            .and_then(|before| by_end.get(&before.trim_end().len()).copied())
            .filter(|&e| types[groups.find(e)] != EntityType::Person);
        let target = in_parentheses.or_else(|| {
            let candidates = expansions.get(&letters)?;
            if candidates.len() > MAX_CANDIDATES {
                return None;
            }
            meter.add(candidates.len() as u64);
            let roots: Vec<usize> = candidates.iter().map(|&e| groups.find(e)).collect();
            let found = only_root(roots.iter().copied(), own)?;
            // The acronym's own group already holds an expansion of it: then
            // another expansion elsewhere is a different thing.
            (!roots.contains(&own)).then_some(found)
        });
        let Some(e) = target else {
            continue;
        };
        let root = groups.find(e);
        if root == own {
            continue;
        }
        let kind = groups.kind_of_root(root);
        groups.revote(own, kind);
        groups.union(a, e);
    }
}

fn build_entity(
    norms: &[Norm],
    members: &[usize],
    kind: EntityType,
    lengths: &[(usize, usize)],
) -> Entity {
    // Distinct forms in first-use order: (form, count, tokens).
    let mut forms: Vec<(&str, usize, usize)> = Vec::new();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    for &i in members {
        let n = &norms[i];
        match index.get(n.form.as_str()) {
            Some(&k) => forms[k].1 += 1,
            None => {
                index.insert(&n.form, forms.len());
                forms.push((&n.form, 1, lengths[i].0));
            }
        }
    }
    let short = country_short_forms(&forms, kind);
    let name = canonical(if short.is_empty() { &forms } else { &short }, kind);
    let aliases = forms
        .iter()
        .filter(|f| f.0 != name)
        .map(|f| f.0.to_string())
        .collect();
    let mut mentions: Vec<Span> = members.iter().map(|&i| norms[i].span).collect();
    mentions.sort();
    mentions.dedup();
    Entity {
        id: entity_id(kind, &name),
        kind,
        name,
        aliases,
        mentions,
        roles: Vec::new(),
        salience: 0.0,
        place: None,
    }
}

/// The forms of a group that are a country's common short name ("Russia"
/// of "Russian Federation", see [`countries`]); none for a PERSON.
fn country_short_forms<'a>(
    forms: &[(&'a str, usize, usize)],
    kind: EntityType,
) -> Vec<(&'a str, usize, usize)> {
    if kind == EntityType::Person {
        return Vec::new();
    }
    forms
        .iter()
        .filter(|f| countries::is_short_name(&name_key(f.0)))
        .copied()
        .collect()
}

/// The form with the most tokens, then the most frequent, then the first,
/// among distinct forms `(form, count, tokens)` in first-use order.
fn best_form<'a>(forms: impl Iterator<Item = &'a (&'a str, usize, usize)>) -> Option<&'a str> {
    forms
        .enumerate()
        .max_by_key(|(k, f)| (f.2, f.1, std::cmp::Reverse(*k)))
        .map(|(_, f)| f.0)
}

/// The canonical name among distinct forms `(form, count, tokens)` in
/// first-use order, for a group of type `kind`: the best proper form
/// (both cases), unless it is one word and the same word is also written
/// as an acronym ([`acronyms::is_acronym_form`]: "EFE" over "Efe"); with
/// no proper form, an acronym form as written, a news agency's capitals
/// for a lower-case form ("efe" -> "EFE"), else the best form title-cased.
fn canonical(forms: &[(&str, usize, usize)], kind: EntityType) -> String {
    let proper = |f: &str| f.chars().any(char::is_uppercase) && f.chars().any(char::is_lowercase);
    let acronym = best_form(
        forms
            .iter()
            .filter(|f| acronyms::is_acronym_form(f.0, kind)),
    );
    if let Some(form) = best_form(forms.iter().filter(|f| proper(f.0))) {
        return match acronym {
            Some(a) if !form.contains(' ') && a.to_lowercase() == form.to_lowercase() => a,
            _ => form,
        }
        .to_string();
    }
    let Some(form) = best_form(forms.iter()) else {
        return String::new();
    };
    if let Some(a) = acronym.filter(|a| !form.contains(' ') || a == &form) {
        return a.to_string();
    }
    let capitals = (kind == EntityType::Organization)
        .then(|| acronyms::agency_capitals(&form.to_lowercase()))
        .flatten();
    match capitals {
        Some(c) => c.to_string(),
        None => title_case(form),
    }
}

/// `KYIV` → `Kyiv`, `INSTITUTE FOR THE STUDY OF WAR` → `Institute for the
/// Study of War`, `O'BRIEN` → `O'Brien`.
fn title_case(form: &str) -> String {
    let mut out = String::with_capacity(form.len());
    for (k, word) in form.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        if k > 0 && FUNCTION_WORDS.contains(&lower.as_str()) {
            out.push_str(&lower);
            continue;
        }
        let mut after_letter = false;
        for c in lower.chars() {
            if c.is_alphabetic() && !after_letter {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            after_letter = is_word_char(c);
        }
    }
    out
}

/// `per:` (etc.) and 16 hex digits of the XXH3-64 of `"PER:<name>"`, the
/// name lower-cased with whitespace collapsed.
pub fn entity_id(kind: EntityType, name: &str) -> String {
    let key = format!("{}:{}", kind.conll(), collapse(&name.to_lowercase()));
    format!(
        "{}:{:016x}",
        kind.conll().to_ascii_lowercase(),
        xxh3_64(key.as_bytes())
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::tokens::tokenize;
    use super::*;
    use EntityType::*;
    use proptest::prelude::*;

    /// A mention of the `nth` occurrence of `needle` in `text`.
    pub(in crate::pipeline::entities) fn mention(
        text: &str,
        tokens: &[Token],
        needle: &str,
        nth: usize,
        kind: EntityType,
    ) -> Mention {
        let start = text
            .match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} not in text"));
        let span = Span::new(start, start + needle.len());
        Mention {
            span,
            kind,
            first_token: tokens.partition_point(|t| t.end <= span.start),
            end_token: tokens.partition_point(|t| t.start < span.end),
        }
    }

    /// Merge the mentions `(needle, nth, kind)` of `text`.
    pub(in crate::pipeline::entities) fn run(
        text: &str,
        specs: &[(&str, usize, EntityType)],
    ) -> Vec<Entity> {
        let (tokens, _) = tokenize(text);
        let mentions: Vec<Mention> = specs
            .iter()
            .map(|&(needle, nth, kind)| mention(text, &tokens, needle, nth, kind))
            .collect();
        merge(text, &tokens, &mentions)
    }

    /// The merging as it was before the indexes: every pair of names
    /// compared (quadratic), group types recounted from the members. The
    /// indexed [`merge`] must give the same entities on articles whose
    /// names share no index entry with more than [`MAX_CANDIDATES`] others.
    mod pairwise {
        use super::super::*;
        use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

        const MAX_PAIRWISE: usize = 2000;

        fn words(n: &Norm) -> Vec<String> {
            n.key.split(' ').map(str::to_string).collect()
        }

        fn spelling_variants(a: &[String], b: &[String]) -> bool {
            let n = a.len();
            if n < 2 || n != b.len() || a == b || a[1..n - 1] != b[1..n - 1] {
                return false;
            }
            let same_initial = a[0].chars().next() == b[0].chars().next();
            let surname = a[n - 1] == b[n - 1] && same_initial && edit_distance(&a[0], &b[0]) <= 2;
            let first = a[0] == b[0] && close_surnames(&a[n - 1], &b[n - 1]);
            surname || first
        }

        fn close_surnames(a: &str, b: &str) -> bool {
            a.chars().count() >= 5 && b.chars().count() >= 5 && edit_distance(a, b) <= 1
        }

        fn contained(short: &[String], long: &[String]) -> bool {
            if short.len() >= long.len()
                || (short.first() != long.first() && short.last() != long.last())
            {
                return false;
            }
            let mut rest = long.iter();
            short.iter().all(|w| rest.any(|x| x == w))
        }

        pub fn merge_pairwise(text: &str, tokens: &[Token], mentions: &[Mention]) -> Vec<Entity> {
            let mut norms: Vec<Norm> = mentions
                .iter()
                .filter_map(|m| normalise(text, m.span, m.kind))
                .filter_map(|(span, kind)| make_norm(text, span, kind))
                .collect();
            let budget = crate::pipeline::Budget::unlimited();
            norms = split_hyphenated(text, norms, &mut budget.meter());
            norms.sort_by_key(|n| (n.span.start, n.span.end));

            let mut uf = UnionFind::new(norms.len());
            let mut by_key: HashMap<&str, usize> = HashMap::default();
            for (i, n) in norms.iter().enumerate() {
                match by_key.get(n.key.as_str()) {
                    Some(&j) => uf.union(j, i),
                    None => {
                        by_key.insert(&n.key, i);
                    }
                }
            }
            merge_people(&norms, &mut uf, tokens);
            merge_acronyms(text, &mut norms, &mut uf, tokens);

            let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
            for i in 0..norms.len() {
                groups.entry(uf.find(i)).or_default().push(i);
            }
            let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
            groups.sort_by_key(|g| g.first().map(|&i| (norms[i].span.start, norms[i].span.end)));
            groups
                .into_iter()
                .map(|members| build_entity(&norms, &members, tokens))
                .collect()
        }

        /// Union-find over mention indexes.
        struct UnionFind {
            parent: Vec<usize>,
        }

        impl UnionFind {
            fn new(n: usize) -> UnionFind {
                UnionFind {
                    parent: (0..n).collect(),
                }
            }

            fn find(&mut self, mut i: usize) -> usize {
                while self.parent[i] != i {
                    self.parent[i] = self.parent[self.parent[i]];
                    i = self.parent[i];
                }
                i
            }

            fn union(&mut self, a: usize, b: usize) {
                let (a, b) = (self.find(a), self.find(b));
                if a != b {
                    // The smaller index stays the root: deterministic.
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    self.parent[hi] = lo;
                }
            }
        }

        /// The type of a group: the majority vote, ties broken by the longest
        /// mention's type, then by the earliest mention's.
        fn group_type(norms: &[Norm], members: &[usize], tokens: &[Token]) -> EntityType {
            EntityType::ALL
                .into_iter()
                .filter_map(|kind| {
                    let of_kind = members.iter().filter(|&&i| norms[i].vote == kind);
                    let count = of_kind.clone().count();
                    let longest = of_kind.clone().map(|&i| length(&norms[i], tokens)).max()?;
                    let first = of_kind.map(|&i| norms[i].span.start).min()?;
                    Some((count, longest, std::cmp::Reverse(first), kind))
                })
                .max()
                .map_or(EntityType::Misc, |best| best.3)
        }

        /// The type of every group, by root.
        fn group_types(
            norms: &[Norm],
            uf: &mut UnionFind,
            tokens: &[Token],
        ) -> HashMap<usize, EntityType> {
            let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
            for i in 0..norms.len() {
                groups.entry(uf.find(i)).or_default().push(i);
            }
            groups
                .into_iter()
                .map(|(root, members)| (root, group_type(norms, &members, tokens)))
                .collect()
        }

        fn merge_people(norms: &[Norm], uf: &mut UnionFind, tokens: &[Token]) {
            let types = group_types(norms, uf, tokens);
            let person =
                |uf: &mut UnionFind, i: usize| types.get(&uf.find(i)) == Some(&EntityType::Person);
            // One representative mention per distinct key.
            let mut full: Vec<usize> = Vec::new();
            let mut single: Vec<usize> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::default();
            for (i, n) in norms.iter().enumerate() {
                if !seen.insert(&n.key) || !person(uf, i) {
                    continue;
                }
                if n.n_words >= 2 {
                    full.push(i);
                } else {
                    single.push(i);
                }
            }
            if full.len() <= MAX_PAIRWISE {
                for (x, &a) in full.iter().enumerate() {
                    for &b in &full[x + 1..] {
                        if spelling_variants(&words(&norms[a]), &words(&norms[b])) {
                            uf.union(a, b);
                        }
                    }
                }
                for &a in &full {
                    let roots: Vec<usize> = full
                        .iter()
                        .filter(|&&b| contained(&words(&norms[a]), &words(&norms[b])))
                        .map(|&b| uf.find(b))
                        .collect();
                    let own = uf.find(a);
                    if let Some(r) = only_root(roots.into_iter(), own) {
                        uf.union(a, r);
                    }
                }
            }
            for &s in &single {
                let ws = words(&norms[s]);
                let w = &ws[0];
                let own = uf.find(s);
                // Same surname, else same first name, else a close surname.
                for stage in 0..3 {
                    let qualifies = |f: &[String]| match stage {
                        0 => f.last() == Some(w),
                        1 => f.first() == Some(w),
                        _ => f.last().is_some_and(|l| close_surnames(l, w)),
                    };
                    let roots: Vec<usize> = full
                        .iter()
                        .filter(|&&f| qualifies(&words(&norms[f])))
                        .map(|&f| uf.find(f))
                        .collect();
                    if roots.is_empty() {
                        continue;
                    }
                    if let Some(r) = only_root(roots.into_iter(), own) {
                        uf.union(s, r);
                    }
                    break;
                }
            }
        }

        fn merge_acronyms(text: &str, norms: &mut [Norm], uf: &mut UnionFind, tokens: &[Token]) {
            let types = group_types(norms, uf, tokens);
            let mut by_end: HashMap<usize, usize> = HashMap::default();
            for (i, n) in norms.iter().enumerate() {
                if n.n_words >= 2 {
                    by_end.entry(n.span.end).or_insert(i);
                }
            }
            // Candidate expansions: multi-word, not PERSON.
            let expansions: Vec<(usize, Vec<String>)> = {
                let mut seen: HashSet<&str> = HashSet::default();
                let mut out = Vec::new();
                for (i, n) in norms.iter().enumerate() {
                    if n.n_words < 2 || !seen.insert(&n.key) {
                        continue;
                    }
                    if types.get(&uf.find(i)) != Some(&EntityType::Person) {
                        out.push((i, initials(&n.form)));
                    }
                }
                out
            };
            for a in 0..norms.len() {
                let n = &norms[a];
                if n.n_words != 1 {
                    continue;
                }
                let Some(letters) = acronym_letters(&n.form) else {
                    continue;
                };
                let own = uf.find(a);
                let in_parentheses = text
                    .get(..n.span.start)
                    .and_then(|before| before.trim_end().strip_suffix('('))
                    .filter(|_| {
                        text.get(n.span.end..)
                            .is_some_and(|after| after.trim_start().starts_with(')'))
                    })
                    .and_then(|before| by_end.get(&before.trim_end().len()).copied())
                    .filter(|&e| types.get(&uf.find(e)) != Some(&EntityType::Person));
                let target = in_parentheses.or_else(|| {
                    let roots: Vec<usize> = expansions
                        .iter()
                        .filter(|(_, variants)| variants.contains(&letters))
                        .map(|&(e, _)| uf.find(e))
                        .collect();
                    let found = only_root(roots.into_iter(), own)?;
                    // The acronym's own group already holds an expansion of it: then
                    // another expansion elsewhere is a different thing.
                    let has_own = expansions
                        .iter()
                        .any(|(e, variants)| variants.contains(&letters) && uf.find(*e) == own);
                    (!has_own).then_some(found)
                });
                let Some(e) = target else {
                    continue;
                };
                let root = uf.find(e);
                if root == own {
                    continue;
                }
                let members: Vec<usize> =
                    (0..norms.len()).filter(|&i| uf.find(i) == root).collect();
                let kind = group_type(norms, &members, tokens);
                for (i, n) in norms.iter_mut().enumerate() {
                    if uf.find(i) == own {
                        n.vote = kind;
                    }
                }
                uf.union(a, e);
            }
        }

        fn build_entity(norms: &[Norm], members: &[usize], tokens: &[Token]) -> Entity {
            let kind = group_type(norms, members, tokens);
            // Distinct forms in first-use order: (form, count, tokens).
            let mut forms: Vec<(&str, usize, usize)> = Vec::new();
            for &i in members {
                let n = &norms[i];
                match forms.iter_mut().find(|f| f.0 == n.form) {
                    Some(f) => f.1 += 1,
                    None => forms.push((&n.form, 1, length(n, tokens).0)),
                }
            }
            let name = canonical(&forms, kind);
            let aliases = forms
                .iter()
                .filter(|f| f.0 != name)
                .map(|f| f.0.to_string())
                .collect();
            let mut mentions: Vec<Span> = members.iter().map(|&i| norms[i].span).collect();
            mentions.sort();
            mentions.dedup();
            Entity {
                id: entity_id(kind, &name),
                kind,
                name,
                aliases,
                mentions,
                roles: Vec::new(),
                salience: 0.0,
                place: None,
            }
        }
    }

    fn slices<'a>(text: &'a str, e: &Entity) -> Vec<&'a str> {
        e.mentions.iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn putin_and_his_titles_and_possessive() {
        let text = "President Vladimir Putin spoke on Monday. Putin's aide said \
                    President Putin would travel. Mr. Putin declined.";
        let es = run(
            text,
            &[
                ("President Vladimir Putin", 0, Person),
                ("Putin's", 0, Person),
                ("President Putin", 0, Person),
                ("Mr. Putin", 0, Person),
            ],
        );
        assert_eq!(es.len(), 1);
        let e = &es[0];
        assert_eq!(e.name, "Vladimir Putin");
        assert_eq!(e.kind, Person);
        assert_eq!(e.aliases, ["Putin"]);
        assert_eq!(
            slices(text, e),
            ["Vladimir Putin", "Putin", "Putin", "Putin"]
        );
        assert!(e.id.starts_with("per:"));
        assert_eq!(e.id.len(), 4 + 16);
        assert!(e.roles.is_empty());
    }

    #[test]
    fn first_name_alone_merges_with_the_full_name() {
        let text = "Angela Merkel arrived. Angela waved.";
        let es = run(text, &[("Angela Merkel", 0, Person), ("Angela", 1, Person)]);
        assert_eq!(es.len(), 1);
        assert_eq!(slices(text, &es[0]), ["Angela Merkel", "Angela"]);
    }

    #[test]
    fn ambiguous_surname_stays_apart() {
        let text = "Joe Biden and Hunter Biden met. Biden said no.";
        let es = run(
            text,
            &[
                ("Joe Biden", 0, Person),
                ("Hunter Biden", 0, Person),
                ("Biden", 2, Person),
            ],
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Joe Biden", "Hunter Biden", "Biden"]);
    }

    #[test]
    fn spelling_variants_of_a_person_merge() {
        let text = "Dmitry Peskov said. Dmitri Peskov added. Peskov left. \
                    Volodymyr Zelensky spoke; Zelenskyy agreed.";
        let es = run(
            text,
            &[
                ("Dmitry Peskov", 0, Person),
                ("Dmitri Peskov", 0, Person),
                ("Peskov", 2, Person),
                ("Volodymyr Zelensky", 0, Person),
                ("Zelenskyy", 0, Person),
            ],
        );
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].name, "Dmitry Peskov");
        assert_eq!(es[0].aliases, ["Dmitri Peskov", "Peskov"]);
        assert_eq!(es[1].name, "Volodymyr Zelensky");
        assert_eq!(es[1].aliases, ["Zelenskyy"]);
        // Different initials: not the same person.
        let es = run(
            "Mark Peskov and Dmitry Peskov.",
            &[("Mark Peskov", 0, Person), ("Dmitry Peskov", 0, Person)],
        );
        assert_eq!(es.len(), 2);
    }

    #[test]
    fn longer_name_contains_shorter() {
        let text = "George W. Bush spoke. George Bush left.";
        let es = run(
            text,
            &[("George W. Bush", 0, Person), ("George Bush", 0, Person)],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].name, "George W. Bush");
    }

    #[test]
    fn acronym_in_parentheses_and_by_initials() {
        let text = "The Institute for the Study of War (ISW) said so. ISW analysts agree, \
                    and the North Atlantic Treaty Organization agreed. NATO is wary.";
        let es = run(
            text,
            &[
                ("Institute for the Study of War", 0, Organization),
                ("ISW", 0, Organization),
                ("ISW", 1, Misc),
                ("North Atlantic Treaty Organization", 0, Organization),
                ("NATO", 0, Location),
            ],
        );
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].name, "Institute for the Study of War");
        assert_eq!(es[0].aliases, ["ISW"]);
        assert_eq!(es[0].kind, Organization);
        assert_eq!(es[0].mentions.len(), 3);
        assert_eq!(es[1].name, "North Atlantic Treaty Organization");
        assert_eq!(es[1].kind, Organization);
        assert_eq!(
            slices(text, &es[1]),
            ["North Atlantic Treaty Organization", "NATO"]
        );
    }

    #[test]
    fn acronym_takes_the_expansion_type_even_when_outvoted() {
        let text = "The European Union (EU) met. EU leaders and EU states and EU law.";
        let es = run(
            text,
            &[
                ("European Union", 0, Organization),
                ("EU", 0, Misc),
                ("EU", 1, Misc),
                ("EU", 2, Misc),
                ("EU", 3, Misc),
            ],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].kind, Organization);
        assert_eq!(es[0].name, "European Union");
    }

    #[test]
    fn case_variants_merge_and_canonical_is_title_case() {
        let text = "KYIV (Reuters) - In Kyiv, the kyiv office said.";
        let es = run(
            text,
            &[
                ("KYIV", 0, Location),
                ("Kyiv", 0, Location),
                ("kyiv", 0, Location),
            ],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].name, "Kyiv");
        assert_eq!(es[0].aliases, ["KYIV", "kyiv"]);
        assert_eq!(es[0].id, entity_id(Location, "Kyiv"));

        let es = run(
            "KYIV - KYIV again",
            &[("KYIV", 0, Location), ("KYIV", 1, Location)],
        );
        assert_eq!(es[0].name, "Kyiv");
        assert_eq!(es[0].aliases, ["KYIV"]);
        let es = run("PUTIN said", &[("PUTIN", 0, Person)]);
        assert_eq!(es[0].name, "Putin");
        let es = run(
            "NATO and efe and AP and UKRAINIAN ARMY",
            &[
                ("NATO", 0, Organization),
                ("efe", 0, Organization),
                ("AP", 0, Organization),
                ("UKRAINIAN ARMY", 0, Organization),
            ],
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["NATO", "EFE", "AP", "Ukrainian Army"]);
    }

    #[test]
    fn possessives_and_quotes_are_trimmed() {
        let text = "“Ukraine’s” army and Ukraine's navy, “Reuters” and \"Kyiv.\"";
        let es = run(
            text,
            &[
                ("“Ukraine’s”", 0, Location),
                ("Ukraine's", 0, Location),
                ("“Reuters”", 0, Organization),
                ("\"Kyiv.\"", 0, Location),
            ],
        );
        assert_eq!(es.len(), 3);
        assert_eq!(slices(text, &es[0]), ["Ukraine", "Ukraine"]);
        assert_eq!(es[0].name, "Ukraine");
        assert_eq!(slices(text, &es[1]), ["Reuters"]);
        assert_eq!(slices(text, &es[2]), ["Kyiv"]);
        // Abbreviation dots stay.
        let es = run(
            "the U.S. and U.S.",
            &[("U.S.", 0, Location), ("U.S.", 1, Location)],
        );
        assert_eq!(es[0].name, "U.S.");
        assert_eq!(es[0].mentions.len(), 2);
    }

    #[test]
    fn hyphenated_pair_is_split_into_its_halves() {
        let text = "Vladimir Putin met Alexander Lukashenko. The Putin-Lukashenko talks \
                    ended, as did Rolls-Royce talks.";
        let es = run(
            text,
            &[
                ("Vladimir Putin", 0, Person),
                ("Alexander Lukashenko", 0, Person),
                ("Putin-Lukashenko", 0, Misc),
                ("Rolls-Royce", 0, Organization),
            ],
        );
        assert_eq!(es.len(), 3);
        assert_eq!(slices(text, &es[0]), ["Vladimir Putin", "Putin"]);
        assert_eq!(slices(text, &es[1]), ["Alexander Lukashenko", "Lukashenko"]);
        assert_eq!(es[0].kind, Person);
        assert_eq!(es[1].kind, Person);
        assert_eq!(es[2].name, "Rolls-Royce");
    }

    #[test]
    fn mixed_types_take_the_majority() {
        let text = "The Kremlin said. The Kremlin denied. Inside the Kremlin walls.";
        let es = run(
            text,
            &[
                ("Kremlin", 0, Organization),
                ("Kremlin", 1, Organization),
                ("Kremlin", 2, Location),
            ],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].kind, Organization);
        assert_eq!(es[0].mentions.len(), 3);
        // A tie goes to the longest mention's type.
        let es = run(
            "the US and the U.S.",
            &[("US", 0, Organization), ("U.S.", 0, Location)],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].kind, Location);
    }

    #[test]
    fn ids_are_stable_and_typed() {
        let a = run("Kyiv is big.", &[("Kyiv", 0, Location)]);
        let b = run("News from  KYIV today.", &[("KYIV", 0, Location)]);
        assert_eq!(a[0].id, b[0].id);
        assert_ne!(entity_id(Location, "Kyiv"), entity_id(Organization, "Kyiv"));
        assert_eq!(
            entity_id(Person, "Vladimir  Putin"),
            entity_id(Person, "vladimir putin")
        );
        assert_ne!(entity_id(Person, "Zürich"), entity_id(Person, "Zurich"));
    }

    #[test]
    fn entities_follow_first_mention_order() {
        let text = "Paris, then Berlin, then Paris again, then Rome.";
        let es = run(
            text,
            &[
                ("Rome", 0, Location),
                ("Paris", 1, Location),
                ("Berlin", 0, Location),
                ("Paris", 0, Location),
            ],
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Paris", "Berlin", "Rome"]);
        assert_eq!(es[0].mentions[0].start, 0);
    }

    #[test]
    fn bad_mentions_are_dropped_without_panic() {
        let text = "Zürich “” ... Mr.";
        let (tokens, _) = tokenize(text);
        let bad = |start, end| Mention {
            span: Span { start, end },
            kind: Person,
            first_token: 0,
            end_token: 0,
        };
        let mentions = [
            bad(0, 1000),
            bad(0, 2),   // inside 'ü'
            bad(5, 3),   // reversed
            bad(8, 14),  // quotes only
            bad(15, 18), // dots only
            bad(19, 22), // a title alone stays
        ];
        let es = merge(text, &tokens, &mentions);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].name, "Mr.");
        assert!(merge("", &[], &[]).is_empty());
    }

    #[test]
    fn title_case_keeps_function_words_low() {
        assert_eq!(
            title_case("INSTITUTE FOR THE STUDY OF WAR"),
            "Institute for the Study of War"
        );
        assert_eq!(title_case("O'BRIEN"), "O'Brien");
        assert_eq!(title_case("NORTH-WEST"), "North-West");
    }

    #[test]
    fn edit_distance_counts_chars() {
        assert_eq!(edit_distance("dmitry", "dmitri"), 1);
        assert_eq!(edit_distance("zelensky", "zelenskyy"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("münchen", "munchen"), 1);
    }

    /// Mentions of `pieces` `(text, kind)` written one after the other,
    /// each followed by " said. ".
    fn article(pieces: &[(String, EntityType)]) -> (String, Vec<Mention>) {
        let mut text = String::new();
        let mut spans = Vec::new();
        for (piece, kind) in pieces {
            let start = text.len();
            text.push_str(piece);
            spans.push((Span::new(start, text.len()), *kind));
            text.push_str(" said. ");
        }
        let (tokens, _) = tokenize(&text);
        let mentions = spans
            .into_iter()
            .map(|(span, kind)| Mention {
                span,
                kind,
                first_token: tokens.partition_point(|t| t.end <= span.start),
                end_token: tokens.partition_point(|t| t.start < span.end),
            })
            .collect();
        (text, mentions)
    }

    /// Meter steps of merging the mentions of `pieces`, and the entities.
    fn merge_steps(pieces: &[(String, EntityType)]) -> (u64, usize) {
        let (text, mentions) = article(pieces);
        let (tokens, _) = tokenize(&text);
        let budget = crate::pipeline::Budget::unlimited();
        let mut meter = budget.meter();
        let entities = merge_metered(&text, &tokens, &mentions, &mut meter);
        (meter.steps(), entities.len())
    }

    /// A distinct capitalised name for `i` ("Bakov", "Kobakov", ...).
    fn made_up(i: usize) -> String {
        const SYLLABLES: [&str; 16] = [
            "ba", "ko", "ri", "mu", "te", "sa", "lo", "ne", "vi", "da", "pe", "zu", "ga", "hi",
            "jo", "fa",
        ];
        let mut s = String::new();
        let mut k = i;
        loop {
            s.push_str(SYLLABLES[k % 16]);
            k /= 16;
            if k == 0 {
                break;
            }
        }
        s.push('v');
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    /// Asserts that the work for `8n` is at most 8 × 1.25 times that for `n`.
    fn assert_linear(what: &str, small: u64, large: u64) {
        assert!(small > 0, "{what}: no work counted");
        let ratio = large as f64 / small as f64;
        assert!(
            ratio <= 8.0 * 1.25,
            "{what}: {small} steps for n, {large} for 8n (x{ratio:.2})"
        );
    }

    #[test]
    fn merging_many_distinct_people_is_linear() {
        // Full names, their surnames alone and near spellings: the inputs
        // the pairwise comparison was quadratic on.
        let pieces = |n: usize| -> Vec<(String, EntityType)> {
            (0..n)
                .flat_map(|i| {
                    let (first, last) = (made_up(i), made_up(7 * i + 3));
                    [
                        (format!("{first} {last}"), Person),
                        (last.clone(), Person),
                        (format!("{last}a"), Person),
                        (format!("{first} {} {last}", made_up(i + 11)), Person),
                    ]
                })
                .collect()
        };
        let (small, e_small) = merge_steps(&pieces(500));
        let (large, e_large) = merge_steps(&pieces(4000));
        assert_linear("distinct people", small, large);
        assert!(e_small > 100 && e_large > 8 * 100, "{e_small} {e_large}");
    }

    #[test]
    fn merging_one_name_repeated_is_linear() {
        let pieces = |n: usize| -> Vec<(String, EntityType)> {
            (0..n)
                .map(|i| match i % 3 {
                    0 => ("Vladimir Putin".to_string(), Person),
                    1 => ("Putin".to_string(), Person),
                    _ => ("PUTIN".to_string(), Location),
                })
                .collect()
        };
        let (small, e_small) = merge_steps(&pieces(3000));
        let (large, e_large) = merge_steps(&pieces(24_000));
        assert_linear("one name repeated", small, large);
        assert_eq!((e_small, e_large), (1, 1));
    }

    #[test]
    fn merging_many_acronyms_is_linear() {
        // Distinct expansions, each with its acronym in parentheses and on
        // its own, and acronyms that share their letters.
        let pieces = |n: usize| -> Vec<(String, EntityType)> {
            (0..n)
                .flat_map(|i| {
                    let w = [made_up(3 * i), made_up(3 * i + 1), made_up(3 * i + 2)];
                    let letters: String = w.iter().filter_map(|x| x.chars().next()).collect();
                    [
                        (format!("{} {} {}", w[0], w[1], w[2]), Organization),
                        (letters.clone(), Organization),
                        (format!("{letters}X"), Misc),
                    ]
                })
                .collect()
        };
        let (small, _) = merge_steps(&pieces(500));
        let (large, _) = merge_steps(&pieces(4000));
        assert_linear("acronyms", small, large);
    }

    #[test]
    fn a_stopped_meter_still_groups_by_form() {
        let pieces: Vec<(String, EntityType)> = (0..50)
            .flat_map(|_| {
                [
                    ("Vladimir Putin".to_string(), Person),
                    ("Putin".to_string(), Person),
                ]
            })
            .collect();
        let (text, mentions) = article(&pieces);
        let (tokens, _) = tokenize(&text);
        let flag = crate::pipeline::budget::CancelFlag::new();
        flag.cancel();
        let budget = crate::pipeline::Budget::new(None, flag);
        let mut meter = budget.meter();
        let entities = merge_metered(&text, &tokens, &mentions, &mut meter);
        assert!(meter.is_stopped());
        // Stopped before reading a mention: nothing, consistently.
        assert!(entities.is_empty());
        // Stopped after reading them: grouped by form, not by variant.
        let budget = crate::pipeline::Budget::unlimited();
        let mut meter = budget.meter();
        let all = merge_metered(&text, &tokens, &mentions, &mut meter);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].mentions.len(), 100);
    }

    /// Names from a small vocabulary, so that variants, containments and
    /// acronyms meet often.
    fn vocabulary_piece() -> impl Strategy<Value = (String, EntityType)> {
        let firsts = ["Dmitry", "Dmitri", "Vladimir", "Anna", "Ana", "John"];
        let lasts = ["Peskov", "Peskova", "Putin", "Smith", "Smyth", "Lukashenko"];
        let orgs = [
            "Institute for the Study of War",
            "International Peace Fund",
            "United Nations",
            "ISW",
            "IPF",
            "UN",
            "Study Group",
            "SG",
        ];
        (0usize..6, 0usize..6, 0usize..8, 0usize..5, 0usize..4).prop_map(
            move |(f, l, o, shape, kind)| {
                let kind = EntityType::ALL[kind];
                let text = match shape {
                    0 => format!("{} {}", firsts[f], lasts[l]),
                    1 => lasts[l].to_string(),
                    2 => firsts[f].to_string(),
                    3 => format!("{} {} {}", firsts[f], firsts[(f + 2) % 6], lasts[l]),
                    _ => orgs[o].to_string(),
                };
                (text, kind)
            },
        )
    }

    proptest! {
        #[test]
        fn indexed_merge_equals_pairwise(
            pieces in prop::collection::vec(vocabulary_piece(), 0..40),
        ) {
            let (text, mentions) = article(&pieces);
            let (tokens, _) = tokenize(&text);
            let indexed = merge(&text, &tokens, &mentions);
            let pairwise = pairwise::merge_pairwise(&text, &tokens, &mentions);
            prop_assert_eq!(indexed, pairwise);
        }

        #[test]
        fn banded_edits_agree_with_the_distance(
            a in "[a-cé]{0,9}",
            b in "[a-cé]{0,9}",
            k in 0usize..3,
        ) {
            prop_assert_eq!(within_edits(&a, &b, k), edit_distance(&a, &b) <= k);
        }
    }

    proptest! {
        #[test]
        fn any_mentions_give_well_formed_entities(
            text in "[A-Za-z .,'’\"()\\-\nÉü]{0,60}",
            raw in prop::collection::vec((0usize..70, 0usize..70, 0usize..4), 0..12),
        ) {
            let (tokens, _) = tokenize(&text);
            let mentions: Vec<Mention> = raw
                .iter()
                .map(|&(start, end, kind)| Mention {
                    span: Span { start, end },
                    kind: EntityType::ALL[kind],
                    first_token: 0,
                    end_token: 0,
                })
                .collect();
            let entities = merge(&text, &tokens, &mentions);
            let mut previous = 0;
            for e in &entities {
                prop_assert!(!e.name.is_empty());
                let prefix = format!("{}:", e.kind.conll().to_lowercase());
                prop_assert!(e.id.starts_with(&prefix));
                prop_assert!(!e.aliases.contains(&e.name));
                prop_assert!(!e.mentions.is_empty());
                prop_assert!(e.mentions.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(e.mentions[0].start >= previous);
                previous = e.mentions[0].start;
                for s in &e.mentions {
                    let slice = text.get(s.range());
                    prop_assert!(slice.is_some_and(|s| s.chars().next().is_some_and(is_word_char)));
                }
            }
        }
    }
}
