//! The speaker ranker: a learned choice of each quote's speaker among the
//! phrases around it. The rules of `mod.rs` and `speaker.rs` find a cue
//! and its subject; the ranker then scores, for every quote, the rules'
//! speaker and the names and pronouns near the quote (at most
//! [`MAX_CANDIDATES`], within [`WINDOW_TOKENS`] tokens, outside any
//! quotation) with a linear model over features of the candidate, the
//! quote and the cue, and gives the quote the best one.
//!
//! The model is trained on PolNeAR train by `newsenrich train quotes` (a
//! conditional log-linear ranker; `src/train/quotes.rs`) and embedded from
//! `models/quotes.bin`; without a model file the rules' speakers stand.

use std::sync::{LazyLock, OnceLock};

use super::speaker::{Pronoun, SpeakerWord, View};
use super::text::{Tok, TokKind};
use super::{Quote, QuoteKind};
use crate::pipeline::entities::features::{self, pack};
use crate::pipeline::entities::{Entity, EntityType};
use crate::pipeline::linear::{FlatWeights, LinearModel};

/// At most this many candidates per quote (the nearest ones; the rules'
/// speaker always among them).
pub const MAX_CANDIDATES: usize = 24;

/// Candidates are looked for this many tokens before a quote and half as
/// many after it.
pub const WINDOW_TOKENS: usize = 80;

/// The subjects of at most this many reporting verbs near a quote are
/// candidates too.
pub const MAX_CUE_SUBJECTS: usize = 4;

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/quotes.bin");

/// First bytes of a model file.
pub const MAGIC: &[u8; 8] = b"NEWSQSP1";

/// What a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    /// The rules' speaker phrase, which is neither a name nor a pronoun
    /// ("the Belarusian president", "officials").
    Phrase,
    /// A mention of an entity (its index).
    Mention(usize),
    /// A personal pronoun.
    Pronoun,
}

/// One candidate speaker of a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Its tokens.
    pub tokens: (usize, usize),
    /// What it is.
    pub kind: CandidateKind,
    /// Whether the rules chose it.
    pub rule: bool,
    /// How many candidates of its kind (pronoun, phrase, or a name of its
    /// entity type) on its side of the quote are nearer the quote, at
    /// most 3.
    pub kind_rank: u8,
    /// Whether it can speak ([`View::can_speak`]): the ranker learns from
    /// every candidate but only chooses among those that can.
    pub speaks: bool,
}

/// What the ranker sees of the article: tokens, the sentence of each
/// token, the mentions (sorted byte range, entity index) and the entities.
pub struct Article<'a> {
    /// The token view.
    pub view: &'a View<'a>,
    /// Sentence index of every token.
    pub sentence_of: &'a [u32],
    /// Mentions, as the tokenizer numbered them (1 + index in `tok.mention`).
    pub mentions: &'a [(usize, usize, usize)],
    /// The entities.
    pub entities: &'a [Entity],
    /// Number of mentions of every entity.
    pub mention_counts: &'a [usize],
}

/// A quote as the ranker sees it.
#[derive(Debug, Clone, Copy)]
pub struct QuoteSite {
    /// The quote's tokens.
    pub tokens: (usize, usize),
    /// The cue's tokens, when it has one.
    pub cue: Option<(usize, usize)>,
    /// The kind.
    pub kind: QuoteKind,
    /// The rules' speaker, its tokens.
    pub rule: Option<(usize, usize)>,
    /// The entity of the rules' speaker.
    pub rule_entity: Option<usize>,
    /// The entity the rules gave the quote before (in text order).
    pub previous_entity: Option<usize>,
    /// The reporting verb nearest the quote ([`nearest_cue`]).
    pub nearest_cue: Option<usize>,
    /// The reporting verbs nearest the quote and their subjects
    /// ([`cue_subjects`]), nearest first.
    pub subjects: [VerbSubject; MAX_CUE_SUBJECTS],
    /// The same verbs and their subjects after them when they are
    /// inverted ([`View::subject_inverted`]: "..., said Nargis Kassenova").
    pub inverted: [VerbSubject; MAX_CUE_SUBJECTS],
    /// What the quote's own words say of its speaker ([`inside_quote`]).
    pub inside: Inside,
    /// How many words of its paragraph stand right before and right after
    /// the quote ([`words_around`]).
    pub around: (u8, u8),
}

/// How many words of the quote's paragraph (outside quotes) stand among
/// the six tokens right before the quote `(qa, qb)` and among the six right
/// after it: 0 none, 1 one or two, 2 more. A quote that is a paragraph of
/// its own continues the speaker of the paragraph before.
pub fn words_around(article: &Article<'_>, (qa, qb): (usize, usize)) -> (u8, u8) {
    let toks = article.view.toks;
    let p = toks.get(qa).map_or(0, |t| t.para);
    let words = |range: std::ops::Range<usize>| {
        let n = toks[range]
            .iter()
            .filter(|t| t.para == p && t.quote == 0 && t.kind == TokKind::Word)
            .count();
        match n {
            0 => 0u8,
            1..=2 => 1,
            _ => 2,
        }
    };
    (
        words(qa.saturating_sub(6).min(toks.len())..qa.min(toks.len())),
        words(qb.min(toks.len())..(qb + 6).min(toks.len())),
    )
}

/// At most this many of a quote's first tokens are read for [`Inside`].
pub const INSIDE_TOKENS: usize = 200;

/// What a quote's words say of its speaker: the entities it names (a
/// speaker seldom names itself).
#[derive(Debug, Clone, Copy, Default)]
pub struct Inside {
    /// The first entities named in the quote, at most eight.
    pub entities: [Option<usize>; 8],
}

/// The entities the first [`INSIDE_TOKENS`] tokens of the quote at
/// `qa..qb` name.
pub fn inside_quote(article: &Article<'_>, (qa, qb): (usize, usize)) -> Inside {
    let toks = article.view.toks;
    let mut out = Inside::default();
    let mut n = 0;
    for t in &toks[qa.min(toks.len())..qb.min(qa + INSIDE_TOKENS).min(toks.len())] {
        if n == out.entities.len() {
            break;
        }
        if t.mention == 0 {
            continue;
        }
        let e = article.mentions[t.mention as usize - 1].2;
        if !out.entities[..n].contains(&Some(e)) {
            out.entities[n] = Some(e);
            n += 1;
        }
    }
    out
}

/// A reporting verb's token and its subject's tokens, when it has one.
pub type VerbSubject = Option<(usize, (usize, usize))>;

/// The reporting verbs nearest a quote with their subjects before them and
/// after them ([`cue_subjects`]).
pub struct Subjects {
    /// Subjects before their verbs, by the rules' subject finder.
    pub left: [VerbSubject; MAX_CUE_SUBJECTS],
    /// Subjects after their inverted verbs.
    pub inverted: [VerbSubject; MAX_CUE_SUBJECTS],
}

/// The reporting verbs nearest the quote at tokens `qa..qb` (within the
/// window, outside any quotation, at most [`MAX_CUE_SUBJECTS`], nearest
/// first) with their subjects, when they lie outside the quote: the one
/// the rules' subject finder sees before the verb, and the one after it
/// when the verb is inverted. Reads at most `1.5 × WINDOW_TOKENS` tokens
/// and makes at most [`MAX_CUE_SUBJECTS`] searches of each kind.
pub fn cue_subjects(article: &Article<'_>, (qa, qb): (usize, usize)) -> Subjects {
    let toks = article.view.toks;
    let lo = qa.saturating_sub(WINDOW_TOKENS);
    let hi = (qb + WINDOW_TOKENS / 2).min(toks.len());
    let mut cues: Vec<(usize, usize)> = (lo..hi)
        .filter(|&k| (k < qa || k >= qb) && toks[k].quote == 0 && toks[k].kind == TokKind::Word)
        .filter(|&k| cue_strength(toks, k).is_some())
        .map(|k| (if k < qa { qa - k } else { k - qb }, k))
        .collect();
    cues.sort_unstable();
    cues.truncate(MAX_CUE_SUBJECTS);
    let outside = |phrase: (usize, usize)| phrase.1 <= qa || phrase.0 >= qb;
    let mut out = Subjects {
        left: [None; MAX_CUE_SUBJECTS],
        inverted: [None; MAX_CUE_SUBJECTS],
    };
    for (i, (_, k)) in cues.into_iter().enumerate() {
        let sentence = article.sentence_of[k];
        let mut s0 = k;
        while s0 > 0 && k - s0 < 48 && article.sentence_of[s0 - 1] == sentence {
            s0 -= 1;
        }
        let mut s1 = k + 1;
        while s1 < toks.len() && s1 - k < 14 && article.sentence_of[s1] == sentence {
            s1 += 1;
        }
        let view = article.view;
        out.left[i] = view
            .subject_left(s0, k)
            .filter(|&p| outside(p))
            .map(|p| (k, p));
        out.inverted[i] = view
            .subject_inverted(k, s1)
            .filter(|&p| outside(p))
            .map(|p| (k, p));
    }
    out
}

/// The first token starting at or after byte `at`.
pub fn token_at(toks: &[Tok], at: usize) -> usize {
    toks.partition_point(|t| t.start < at)
}

/// The token range covering bytes `start..end`.
pub fn token_range(toks: &[Tok], start: usize, end: usize) -> (usize, usize) {
    let a = toks.partition_point(|t| t.end <= start);
    let b = toks.partition_point(|t| t.start < end).max(a);
    (a, b)
}

/// The candidates of a quote: the rules' speaker and the names and
/// pronouns within the window around it, outside any quotation, nearest
/// first, at most [`MAX_CANDIDATES`]. Reads at most `1.5 ×
/// WINDOW_TOKENS` tokens.
pub fn candidates(article: &Article<'_>, site: &QuoteSite) -> Vec<Candidate> {
    let toks = article.view.toks;
    let (qa, qb) = site.tokens;
    let lo = qa.saturating_sub(WINDOW_TOKENS);
    let hi = (qb + WINDOW_TOKENS / 2).min(toks.len());
    let make = |tokens: (usize, usize), kind: CandidateKind| {
        let distance = if tokens.1 <= qa {
            qa - tokens.1
        } else {
            tokens.0.saturating_sub(qb)
        };
        let rule = site.rule == Some(tokens);
        (
            distance,
            Candidate {
                tokens,
                kind,
                rule,
                kind_rank: 0,
                speaks: article.view.can_speak(tokens.0, tokens.1),
            },
        )
    };
    let mut found: Vec<(usize, Candidate)> = Vec::with_capacity(2 * MAX_CANDIDATES);
    for range in [lo..qa.min(toks.len()), qb.min(toks.len())..hi] {
        let mut k = range.start;
        while k < range.end {
            let t = &toks[k];
            if t.quote != 0 || t.kind != TokKind::Word {
                k += 1;
                continue;
            }
            if t.mention != 0 {
                let m = t.mention;
                let mut end = k + 1;
                while end < range.end && toks[end].mention == m {
                    end += 1;
                }
                let entity = article.mentions[m as usize - 1].2;
                found.push(make((k, end), CandidateKind::Mention(entity)));
                k = end;
                continue;
            }
            match t.speaker {
                SpeakerWord::Pronoun(Pronoun::Deictic) | SpeakerWord::None => {}
                SpeakerWord::Pronoun(_) => found.push(make((k, k + 1), CandidateKind::Pronoun)),
                SpeakerWord::Possessive => {
                    // "his" of "his description of “...”": PolNeAR's
                    // Source, though no subject.
                    let (distance, mut c) = make((k, k + 1), CandidateKind::Pronoun);
                    c.speaks = true;
                    found.push((distance, c));
                }
                // A quantifier standing for a group, as a reporting verb's
                // subject ("Another said", "the two write", "Some added").
                SpeakerWord::Group if verb_after(article.view, k + 1).is_some() => {
                    found.push(make((k, k + 1), CandidateKind::Phrase));
                }
                SpeakerWord::Group => {}
            }
            k += 1;
        }
    }
    // The subjects of the reporting verbs nearest the quote, names or not
    // ("five questioners", "the narrator").
    for &(_, phrase) in site.subjects.iter().chain(&site.inverted).flatten() {
        if !found.iter().any(|(_, c)| c.tokens == phrase) {
            found.push(make(phrase, CandidateKind::Phrase));
        }
    }
    found.sort_by_key(|&(d, c)| (d, c.tokens));
    found.truncate(MAX_CANDIDATES);
    // Each candidate's rank among the nearer ones of its kind on its side
    // (constant work: at most MAX_CANDIDATES² comparisons).
    let same_class = |a: &Candidate, b: &Candidate| match (a.kind, b.kind) {
        (CandidateKind::Mention(x), CandidateKind::Mention(y)) => {
            article.entities[x].kind == article.entities[y].kind
        }
        (x, y) => std::mem::discriminant(&x) == std::mem::discriminant(&y),
    };
    for i in 0..found.len() {
        let c = found[i].1;
        let before = c.tokens.1 <= qa;
        let n = found[..i]
            .iter()
            .filter(|(_, o)| (o.tokens.1 <= qa) == before && same_class(o, &c))
            .count();
        found[i].1.kind_rank = n.min(3) as u8;
    }
    let mut out: Vec<Candidate> = found.into_iter().map(|(_, c)| c).collect();
    if let Some(rule) = site.rule
        && !out.iter().any(|c| c.rule)
    {
        let kind = match site.rule_entity {
            Some(e) if rule.1 == rule.0 + 1 || toks[rule.1 - 1].mention != 0 => {
                CandidateKind::Mention(e)
            }
            _ if rule.1 == rule.0 + 1 && article.view.pronoun_at(rule.0).is_some() => {
                CandidateKind::Pronoun
            }
            _ => CandidateKind::Phrase,
        };
        if out.len() == MAX_CANDIDATES {
            out.pop();
        }
        out.push(Candidate {
            tokens: rule,
            kind,
            rule: true,
            kind_rank: 0,
            speaks: article.view.can_speak(rule.0, rule.1),
        });
    }
    out
}

/// Feature templates.
mod t {
    // 0 was a bias feature, the same for every candidate of a quote: the
    // softmax over a quote's candidates gives it no gradient (float noise
    // had moved its weight, shifting every score alike).
    pub const KIND: u8 = 1;
    pub const RULE: u8 = 2;
    pub const SIDE_DISTANCE: u8 = 3;
    pub const SENTENCE: u8 = 4;
    pub const CUE_PLACE: u8 = 5;
    pub const LEFT_WORD: u8 = 6;
    pub const RIGHT_WORD: u8 = 7;
    pub const SALIENCE: u8 = 8;
    pub const PREVIOUS: u8 = 9;
    pub const QUOTE_KIND: u8 = 10;
    pub const PARAGRAPH: u8 = 11;
    pub const RULE_KIND: u8 = 12;
    pub const CUE_WORD: u8 = 13;
    pub const RULE_ENTITY: u8 = 14;
    pub const PRONOUN_WORD: u8 = 15;
    pub const NEAREST: u8 = 16;
    pub const SHAPE: u8 = 17;
    pub const CUE_NEAR: u8 = 18;
    pub const SENTENCE_PLACE: u8 = 19;
    pub const IN_PHRASE: u8 = 20;
    pub const NEAR_CUE: u8 = 21;
    pub const QUOTE_PLACE: u8 = 22;
    pub const HEAD: u8 = 23;
    pub const PRONOUN_NEAR: u8 = 24;
    pub const KIND_RANK: u8 = 25;
    pub const NEAR_DISTANCE: u8 = 26;
    pub const SUBJECT_OF: u8 = 27;
    pub const NEIGHBOURS: u8 = 28;
    pub const INVERTED: u8 = 29;
    pub const PREPOSITION: u8 = 30;
    pub const INSIDE: u8 = 31;
    pub const COORDINATED: u8 = 32;
}

/// Where tokens `c` stand against a cue `ca..cb`: 1–4 before it (adjacent,
/// one word between, up to three, further), 5–8 after it likewise, 9
/// overlapping.
fn place_against(c: (usize, usize), (ca, cb): (usize, usize)) -> u8 {
    if c.1 <= ca {
        match ca - c.1 {
            0 => 1,
            1 => 2,
            2..=3 => 3,
            _ => 4,
        }
    } else if c.0 >= cb {
        match c.0 - cb {
            0 => 5,
            1 => 6,
            2..=3 => 7,
            _ => 8,
        }
    } else {
        9
    }
}

/// The reporting verb nearest the quote at tokens `qa..qb`: the last one
/// before it in its sentence (at most 30 words back), else the first
/// within 8 words after it. Constant work.
pub fn nearest_cue(article: &Article<'_>, (qa, qb): (usize, usize)) -> Option<usize> {
    let toks = article.view.toks;
    let sentence = |k: usize| article.sentence_of.get(k).copied();
    let s = sentence(qa);
    (qa.saturating_sub(30)..qa)
        .rev()
        .take_while(|&k| sentence(k) == s)
        .find(|&k| toks[k].quote == 0 && cue_strength(toks, k).is_some())
        .or_else(|| {
            (qb..(qb + 8).min(toks.len()))
                .find(|&k| toks[k].quote == 0 && cue_strength(toks, k).is_some())
        })
}

/// What a reporting verb near a quote is to the rules' attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerbRole {
    /// Neither the rules' cue nor between it and the quote.
    Other = 0,
    /// The rules' cue.
    Cue = 1,
    /// After the rules' cue and before the quote: a clause of its own may
    /// stand between them ("Cruz said ..., and Trump vowed to “...”").
    Between = 2,
}

/// A candidate as the subject of one of the reporting verbs nearest a
/// quote ([`QuoteSite::subjects`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectOf {
    /// The verb's token.
    pub verb: usize,
    /// 1 + the verb's rank among the nearest (1 the nearest).
    pub rank: u8,
    /// Whether the candidate is the whole subject (else a name in it).
    pub whole: bool,
    /// 1 when the verb is before the quote, else 0.
    pub before: u8,
    /// 1 when the verb is in the quote's sentence, else 0.
    pub same_sentence: u8,
    /// What the verb is to the rules' attribution.
    pub role: VerbRole,
}

/// The nearest reporting verb whose subject is candidate `c` (or holds
/// it), if one is. Constant work: at most [`MAX_CUE_SUBJECTS`] verbs.
pub fn subject_of(article: &Article<'_>, site: &QuoteSite, c: &Candidate) -> Option<SubjectOf> {
    subject_among(article, site, &site.subjects, c)
}

/// The nearest inverted reporting verb whose subject after it is
/// candidate `c` (or holds it), if one is ("..., said Nargis Kassenova").
pub fn inverted_subject_of(
    article: &Article<'_>,
    site: &QuoteSite,
    c: &Candidate,
) -> Option<SubjectOf> {
    subject_among(article, site, &site.inverted, c)
}

/// The first verb of `subjects` whose subject is `c` or holds it.
fn subject_among(
    article: &Article<'_>,
    site: &QuoteSite,
    subjects: &[VerbSubject],
    c: &Candidate,
) -> Option<SubjectOf> {
    let qa = site.tokens.0;
    let sentence = |k: usize| article.sentence_of.get(k).copied();
    subjects.iter().enumerate().find_map(|(i, s)| {
        let (k, phrase) = (*s)?;
        let whole = c.tokens == phrase;
        (whole || (c.tokens.0 >= phrase.0 && c.tokens.1 <= phrase.1)).then(|| SubjectOf {
            verb: k,
            rank: 1 + i as u8,
            whole,
            before: u8::from(k < qa),
            same_sentence: u8::from(sentence(k) == sentence(qa)),
            role: verb_role(site, k),
        })
    })
}

impl SubjectOf {
    /// Its rank, wholeness, side, sentence and role as one feature part.
    fn code(&self) -> u64 {
        pack(&[
            self.rank,
            u8::from(self.whole),
            self.before,
            self.same_sentence,
            self.role as u8,
        ])
    }
}

/// What the reporting verb at token `k` is to the rules' attribution of
/// the quote at `site`.
fn verb_role(site: &QuoteSite, k: usize) -> VerbRole {
    match site.cue {
        Some((ca, cb)) if k >= ca && k < cb => VerbRole::Cue,
        Some((_, cb)) if k >= cb && k < site.tokens.0 => VerbRole::Between,
        _ => VerbRole::Other,
    }
}

/// The strength of token `k` as a reporting verb, if it is one.
fn cue_strength(toks: &[Tok], k: usize) -> Option<u8> {
    toks.get(k).and_then(|t| t.verb.checked_sub(1))
}

/// The strength of a reporting verb at token `k`, or right after an
/// adverb there ("said", "quickly added").
fn verb_after(view: &View<'_>, k: usize) -> Option<u8> {
    cue_strength(view.toks, k).or_else(|| {
        (k + 1 < view.toks.len() && view.is_adverb(k))
            .then(|| cue_strength(view.toks, k + 1))
            .flatten()
    })
}

/// log2 bucket of a distance.
fn bucket(n: usize) -> u8 {
    (usize::BITS - n.leading_zeros()) as u8
}

/// The kind code of a candidate (1 phrase, 2 pronoun, 3 person, 4
/// organisation or place, 6 misc).
fn kind_code(article: &Article<'_>, c: &Candidate) -> u8 {
    match c.kind {
        CandidateKind::Phrase => 1,
        CandidateKind::Pronoun => 2,
        CandidateKind::Mention(e) => match article.entities[e].kind {
            EntityType::Person => 3,
            // A place that speaks is its government ("Ukraine announced"),
            // and the CoNLL convention types countries as places: both
            // are organisations here.
            EntityType::Organization | EntityType::Location => 4,
            EntityType::Misc => 6,
        },
    }
}

/// A feature's hash: the template's hash (the entity tagger's
/// [`features::feature`] of the template alone, a constant the compiler
/// folds) and each part folded in by a xor, one multiplication by an odd
/// constant and a xor-shift. Each step is a bijection of the part, so for
/// a fixed template and prefix two features never collide. About half the
/// instructions of the tagger's fold (a full finaliser a part); the ranker
/// hashes some fifty features for each of up to 24 candidates a quote, and
/// its feature extraction does 8% fewer instructions with this fold.
#[inline]
fn feature(template: u8, parts: &[u64]) -> u64 {
    let mut h = features::feature(template, &[]);
    for &p in parts {
        h = (h ^ p).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    h
}

/// The lower-cased word of token `k`, or a marker outside the text.
fn word_part(view: &View<'_>, k: Option<usize>) -> u64 {
    match k {
        Some(k) if k < view.toks.len() => view.toks[k].lower,
        _ => 1,
    }
}

/// More than the features of one candidate (about fifty).
const FEATURE_ROOM: usize = 64;

/// The features of candidate `c` (the `rank`-th nearest) of a quote, into
/// `out`.
pub fn features(
    article: &Article<'_>,
    site: &QuoteSite,
    c: &Candidate,
    rank: usize,
    out: &mut Vec<u64>,
) {
    // Room for all of a candidate's features at once: a reused list
    // grows once.
    out.reserve(FEATURE_ROOM);
    let view = article.view;
    let toks = view.toks;
    let (qa, qb) = site.tokens;
    let kind = kind_code(article, c);
    let qkind = site.kind as u8;
    let before = c.tokens.1 <= qa;
    let side = u8::from(before);
    let distance = if before {
        qa - c.tokens.1
    } else {
        c.tokens.0.saturating_sub(qb)
    };
    let entity = match c.kind {
        CandidateKind::Mention(e) => Some(e),
        _ if c.rule => site.rule_entity,
        _ => None,
    };
    // Whether the reporting verb nearest the quote is the rules' cue.
    let near_is_cue = u8::from(
        site.nearest_cue
            .is_some_and(|k| site.cue.is_some_and(|(ca, _)| ca == k)),
    );
    out.push(feature(t::KIND, &[u64::from(kind)]));
    out.push(feature(t::KIND, &[u64::from(kind), u64::from(qkind)]));
    out.push(feature(t::RULE, &[u64::from(c.rule), u64::from(qkind)]));
    out.push(feature(t::RULE_KIND, &[u64::from(c.rule), u64::from(kind)]));
    out.push(feature(
        t::SIDE_DISTANCE,
        &[pack(&[side, bucket(distance), kind])],
    ));
    out.push(feature(
        t::SIDE_DISTANCE,
        &[pack(&[side, bucket(distance)])],
    ));
    out.push(feature(t::NEAREST, &[pack(&[rank.min(8) as u8, side])]));
    let sentence = |k: usize| article.sentence_of.get(k).copied().unwrap_or(0) as i64;
    let delta = if before {
        sentence(c.tokens.0) - sentence(qa)
    } else {
        sentence(c.tokens.0) - sentence(qb.saturating_sub(1))
    };
    out.push(feature(
        t::SENTENCE,
        &[pack(&[delta.clamp(-3, 3) as i8 as u8, side, kind])],
    ));
    let para = |k: usize| toks.get(k).map_or(0, |t| t.para);
    out.push(feature(
        t::PARAGRAPH,
        &[pack(&[u8::from(para(c.tokens.0) == para(qa)), side])],
    ));
    // Where the candidate is against the cue.
    match site.cue {
        Some((ca, cb)) => {
            let place = place_against(c.tokens, (ca, cb));
            let same = u8::from(sentence(c.tokens.0) == sentence(ca));
            out.push(feature(t::CUE_PLACE, &[pack(&[place, same, kind])]));
            out.push(feature(t::CUE_PLACE, &[pack(&[place, same, side, qkind])]));
            let cue_word = word_part(view, Some(ca));
            out.push(feature(t::CUE_WORD, &[cue_word, u64::from(place)]));
        }
        None => out.push(feature(t::CUE_PLACE, &[pack(&[0, kind, side])])),
    }
    let left = c.tokens.0.checked_sub(1);
    out.push(feature(
        t::LEFT_WORD,
        &[word_part(view, left), u64::from(kind)],
    ));
    out.push(feature(
        t::RIGHT_WORD,
        &[word_part(view, Some(c.tokens.1)), u64::from(kind)],
    ));
    if c.kind == CandidateKind::Pronoun {
        out.push(feature(
            t::PRONOUN_WORD,
            &[word_part(view, Some(c.tokens.0)), u64::from(side)],
        ));
    }
    if let Some(e) = entity {
        let count = article.mention_counts.get(e).copied().unwrap_or(0);
        out.push(feature(t::SALIENCE, &[pack(&[bucket(count), kind])]));
        out.push(feature(
            t::PREVIOUS,
            &[u64::from(site.previous_entity == Some(e))],
        ));
        out.push(feature(
            t::RULE_ENTITY,
            &[pack(&[
                u8::from(site.rule_entity == Some(e)),
                u8::from(c.rule),
            ])],
        ));
    }
    out.push(feature(
        t::QUOTE_KIND,
        &[pack(&[qkind, u8::from(site.cue.is_some()), side, kind])],
    ));
    // Whether the quote names the candidate's entity (0 no entity, 1 not
    // named, 2 named), with its kind, and with the rules' choice and the
    // quote's kind.
    {
        let named_inside =
            entity.map_or(0, |e| 1 + u8::from(site.inside.entities.contains(&Some(e))));
        out.push(feature(t::INSIDE, &[pack(&[named_inside, kind])]));
        out.push(feature(
            t::INSIDE,
            &[pack(&[named_inside, u8::from(c.rule), qkind]), 2],
        ));
    }
    // A reporting verb right after the candidate (its subject) or right
    // before it ("said Trump"), skipping one adverb.
    {
        let after = verb_after(view, c.tokens.1);
        let before = c
            .tokens
            .0
            .checked_sub(1)
            .and_then(|k| cue_strength(toks, k));
        out.push(feature(
            t::CUE_NEAR,
            &[pack(&[
                after.map_or(0, |s| 1 + s / 3),
                before.map_or(0, |s| 1 + s / 3),
                kind,
            ])],
        ));
    }
    // Where the candidate stands in its sentence.
    {
        let s = article.sentence_of.get(c.tokens.0).copied();
        let mut start = c.tokens.0;
        while start > 0
            && c.tokens.0 - start < 8
            && article.sentence_of.get(start - 1).copied() == s
        {
            start -= 1;
        }
        out.push(feature(
            t::SENTENCE_PLACE,
            &[pack(&[(c.tokens.0 - start).min(8) as u8, kind])],
        ));
    }
    // Inside a prepositional phrase ("between Putin and Lukashenko", "of
    // the party"): the nearest preposition within four words to the left,
    // not across a comma, a verb-like cue or a quote.
    {
        let mut in_phrase = 0u8;
        for k in (c.tokens.0.saturating_sub(4)..c.tokens.0).rev() {
            if view.word(k) == "," || toks[k].quote != 0 || toks[k].kind != TokKind::Word {
                break;
            }
            if super::speaker::PREPOSITION_SET.has(&toks[k]) {
                in_phrase = (c.tokens.0 - k) as u8;
                break;
            }
        }
        out.push(feature(t::IN_PHRASE, &[pack(&[in_phrase, kind])]));
    }
    // Where the candidate is against the nearest reporting verb, which
    // may not be the cue the rules chose.
    {
        let place = site
            .nearest_cue
            .map_or(0, |k| place_against(c.tokens, (k, k + 1)));
        out.push(feature(t::NEAR_CUE, &[pack(&[place, near_is_cue, kind])]));
    }
    let has_cue = u8::from(site.cue.is_some());
    // Where the quote stands in its paragraph (words of the paragraph
    // right before and after it), with the candidate's side, paragraph and
    // sentence: a quote that is a paragraph of its own continues the
    // speaker of the paragraph before.
    {
        let p = para(qa);
        let around = site.around;
        out.push(feature(
            t::QUOTE_PLACE,
            &[pack(&[
                around.0,
                around.1,
                has_cue,
                side,
                u8::from(para(c.tokens.0) == p),
                delta.clamp(-3, 3) as i8 as u8,
                kind,
            ])],
        ));
    }
    // A phrase's last and first words ("the crowd", "one official").
    if c.kind == CandidateKind::Phrase {
        out.push(feature(
            t::HEAD,
            &[word_part(view, Some(c.tokens.1 - 1)), 1],
        ));
        out.push(feature(t::HEAD, &[word_part(view, Some(c.tokens.0)), 2]));
    }
    // A pronoun's word against the nearest reporting verb: "who" right
    // before it is PolNeAR's Source in "Mike Pence, who called ...".
    if c.kind == CandidateKind::Pronoun {
        let place = site
            .nearest_cue
            .map_or(0, |k| place_against(c.tokens, (k, k + 1)));
        out.push(feature(
            t::PRONOUN_NEAR,
            &[
                word_part(view, Some(c.tokens.0)),
                pack(&[place, near_is_cue]),
            ],
        ));
    }
    // Its rank among the candidates of its kind on its side.
    out.push(feature(
        t::KIND_RANK,
        &[pack(&[c.kind_rank, kind, side, has_cue])],
    ));
    // Its distance to the nearest reporting verb, and on which side.
    {
        let code = match site.nearest_cue {
            Some(k) => {
                let (d, s) = if c.tokens.1 <= k {
                    (k - c.tokens.1, 1)
                } else {
                    (c.tokens.0.saturating_sub(k + 1), 2)
                };
                pack(&[s, bucket(d), u8::from(sentence(c.tokens.0) == sentence(k))])
            }
            None => 0,
        };
        out.push(feature(t::NEAR_DISTANCE, &[code, u64::from(kind)]));
    }
    // A verb's subject code alone with the kind, and with the cue, the
    // rules' choice and the quote's kind.
    let subject_features = |out: &mut Vec<u64>, template: u8, code: u64| {
        out.push(feature(template, &[code, u64::from(kind)]));
        out.push(feature(
            template,
            &[
                code,
                u64::from(has_cue),
                u64::from(c.rule),
                u64::from(qkind),
            ],
        ));
    };
    // Whether it is the subject of one of the reporting verbs nearest the
    // quote, and of which.
    {
        let subject = subject_of(article, site, c);
        // A clause coordinated with the one before ("Clinton went home,
        // and Trump said ...", "...; Trump said"): its subject starts a
        // report of its own, not one nested in the sentence's first.
        let k = c.tokens.0;
        let coordinated = if k >= 2
            && view.word(k - 2) == ","
            && super::speaker::COORDINATOR_SET.has(&toks[k - 1])
        {
            1
        } else if k >= 1 && view.word(k - 1) == ";" {
            2
        } else {
            0
        };
        if coordinated > 0 {
            let code = subject.as_ref().map_or(0, SubjectOf::code);
            out.push(feature(
                t::COORDINATED,
                &[code, pack(&[coordinated, side, kind])],
            ));
            out.push(feature(
                t::COORDINATED,
                &[code, pack(&[8, u8::from(c.rule), qkind])],
            ));
        }
        let (code, verb) = match subject {
            Some(s) => (
                s.code(),
                // The rules' cue is one word whatever it is.
                if s.role == VerbRole::Cue {
                    2
                } else {
                    word_part(view, Some(s.verb))
                },
            ),
            None => (0, 0),
        };
        subject_features(out, t::SUBJECT_OF, code);
        out.push(feature(t::SUBJECT_OF, &[verb, 8, u64::from(qkind)]));
        // The rules' speaker when another reporting verb with its own
        // subject stands between the rules' cue and the quote ("Cruz said
        // ..., and Trump vowed to “...”").
        if c.rule
            && let Some((_, cb)) = site.cue
        {
            let between = site.subjects.iter().flatten().any(|&(k, phrase)| {
                verb_role(site, k) == VerbRole::Between && phrase.0 >= cb && phrase != c.tokens
            });
            out.push(feature(
                t::SUBJECT_OF,
                &[u64::from(between), 7, u64::from(qkind)],
            ));
        }
    }
    // Whether it is the subject after one of the reporting verbs nearest
    // the quote, inverted after a clause ("..., said Nargis Kassenova").
    if let Some(s) = inverted_subject_of(article, site, c) {
        subject_features(out, t::INVERTED, s.code());
    }
    // The preposition heading its noun phrase, what stands before the
    // preposition (the quote's closing mark, a reporting verb, another
    // verb in -ed, another word) and after the candidate (a word in -ing,
    // a reporting verb, punctuation): the agent of a passive ("called
    // “...” by Joshua Hendrick"), the subject of an absolute clause ("with
    // the AFT calling her “...”").
    if let Some(p) = view.preposition_of(c.tokens.0) {
        let class = |k: Option<usize>| -> u64 {
            match k.filter(|&k| k < toks.len()).map(|k| (k, toks[k].kind)) {
                Some((_, TokKind::Close)) => 1,
                Some((k, _)) if cue_strength(toks, k).is_some() => 2,
                Some((k, TokKind::Word)) if view.word(k).ends_with("ed") => 3,
                Some((k, TokKind::Word)) if view.word(k).ends_with("ing") => 4,
                Some((_, TokKind::Word)) => 5,
                Some(_) => 6,
                None => 7,
            }
        };
        let word = word_part(view, Some(p));
        out.push(feature(
            t::PREPOSITION,
            &[word, class(p.checked_sub(1)), u64::from(kind)],
        ));
        out.push(feature(
            t::PREPOSITION,
            &[word, 8 + class(Some(c.tokens.1)), u64::from(side)],
        ));
    }
    // The two words before the candidate and the two after it, as pairs:
    // "called by", "said Sen.", "’s conclusion", "had called".
    out.push(feature(
        t::NEIGHBOURS,
        &[
            word_part(view, c.tokens.0.checked_sub(2)),
            word_part(view, c.tokens.0.checked_sub(1)),
            u64::from(kind),
        ],
    ));
    out.push(feature(
        t::NEIGHBOURS,
        &[
            word_part(view, Some(c.tokens.1)),
            word_part(view, Some(c.tokens.1 + 1)),
            u64::from(kind) + 16,
        ],
    ));
    let first = view.word(c.tokens.0);
    let caps = first.chars().next().is_some_and(char::is_uppercase);
    let digit = (c.tokens.0..c.tokens.1).any(|k| view.word(k).bytes().any(|b| b.is_ascii_digit()));
    let upper = first.len() > 1 && first.chars().all(|ch| !ch.is_lowercase());
    out.push(feature(
        t::SHAPE,
        &[pack(&[
            u8::from(caps),
            u8::from(digit),
            u8::from(upper),
            (c.tokens.1 - c.tokens.0).min(6) as u8,
        ])],
    ));
}

/// A trained ranker: a weight per feature hash, and the margin (the linear
/// model's parameter) by which a candidate must score above the rules'
/// speaker to replace it. Scoring reads the weights from a
/// [`FlatWeights`] table made at the first score (a clone makes its own).
#[derive(Debug)]
pub struct SpeakerModel {
    /// The weights, margin and version.
    pub linear: LinearModel,
    /// The weights as a flat table, made at first use.
    flat: OnceLock<FlatWeights>,
}

impl Clone for SpeakerModel {
    fn clone(&self) -> SpeakerModel {
        SpeakerModel::new(self.linear.clone())
    }
}

impl SpeakerModel {
    /// The ranker of `linear`'s weights and margin.
    pub fn new(linear: LinearModel) -> SpeakerModel {
        SpeakerModel {
            linear,
            flat: OnceLock::new(),
        }
    }

    /// The model embedded in the binary, if one with weights is.
    pub fn embedded() -> Option<&'static SpeakerModel> {
        static MODEL: LazyLock<Option<SpeakerModel>> =
            LazyLock::new(|| LinearModel::embedded(EMBEDDED, MAGIC).map(SpeakerModel::new));
        MODEL.as_ref()
    }

    /// How much better than the rules' speaker a candidate must score to
    /// replace it.
    pub fn margin(&self) -> f32 {
        self.linear.parameter
    }

    /// The score of a candidate's features: the same sum as
    /// [`LinearModel::score`], from the flat table.
    pub fn score(&self, features: &[u64]) -> f32 {
        let flat = self
            .flat
            .get_or_init(|| FlatWeights::new(&self.linear.weights));
        features.iter().map(|&f| flat.get(f)).sum()
    }
}

/// One quote's candidates and their features, for training.
#[derive(Debug, Clone)]
pub struct CandidateSet {
    /// The quote as the rules gave it.
    pub quote: Quote,
    /// Byte spans of the candidates.
    pub spans: Vec<crate::pipeline::Span>,
    /// Whether each is the rules' choice.
    pub rule: Vec<bool>,
    /// Whether each is a mention of an entity.
    pub named: Vec<bool>,
    /// Whether each can speak (the ranker chooses among those only).
    pub speaks: Vec<bool>,
    /// Their features.
    pub features: Vec<Vec<u64>>,
}

/// The index of the best-scoring candidate (the first on ties) among those
/// that can speak (every one when `speaks` is shorter), with its score.
fn best_scored(
    model: &SpeakerModel,
    features: &[Vec<u64>],
    speaks: &[bool],
) -> Option<(usize, f32)> {
    let mut best: Option<(usize, f32)> = None;
    for (i, f) in features.iter().enumerate() {
        if !speaks.get(i).copied().unwrap_or(true) {
            continue;
        }
        let s = model.score(f);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best
}

/// The index of the best-scoring candidate (the first on ties).
pub fn best(model: &SpeakerModel, features: &[Vec<u64>]) -> Option<usize> {
    best_scored(model, features, &[]).map(|(i, _)| i)
}

/// The candidate a quote gets among those that can speak (`speaks`, one
/// flag a candidate; every one when it is shorter): the best-scoring one,
/// unless the rules' choice `rule` scores within the model's margin of it.
/// A rules' choice that cannot speak ("Eventually") is never kept. Scores
/// each candidate once, and the rules' choice again.
pub fn choose(
    model: &SpeakerModel,
    features: &[Vec<u64>],
    rule: Option<usize>,
    speaks: &[bool],
) -> Option<usize> {
    let (best, top) = best_scored(model, features, speaks)?;
    match rule {
        Some(r)
            if r != best
                && speaks.get(r).copied().unwrap_or(true)
                && top - model.score(&features[r]) <= model.margin() =>
        {
            Some(r)
        }
        _ => Some(best),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::linear::ModelError;
    use crate::pipeline::quotes::speaker::tests::{index_of, tokens_of};
    use crate::pipeline::quotes::tests::{many_mentions, mention_table};

    /// The model in `bytes`, if they hold one of this kind.
    fn read(bytes: &[u8]) -> Result<SpeakerModel, ModelError> {
        let linear = LinearModel::from_bytes(bytes, MAGIC, "no model")?;
        Ok(SpeakerModel::new(linear))
    }

    #[test]
    fn model_bytes_round_trip_and_bad_bytes_are_errors() {
        let mut linear = LinearModel::new(MAGIC, "quotes-test", 0.0, Default::default());
        linear.weights.insert(7, 1.5);
        linear.weights.insert(3, -0.25);
        let bytes = linear.to_bytes();
        let back = read(&bytes).expect("reads");
        assert_eq!(back.linear.version, "quotes-test");
        assert_eq!(back.linear.score(&[7, 3, 99]), 1.25);
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        assert!(read(b"NEWSNER1").is_err());
        assert_eq!(best(&back, &[vec![3], vec![7], vec![7, 3]]), Some(1));
        assert_eq!(best(&back, &[]), None);
        // The rules' choice stands unless another scores above it by more
        // than the margin.
        let features = [vec![3], vec![7]];
        assert_eq!(choose(&back, &features, Some(0), &[]), Some(1));
        let mut cautious = back.linear.clone();
        cautious.parameter = 2.0;
        let again = read(&cautious.to_bytes()).expect("reads");
        assert_eq!(again.margin(), 2.0);
        assert_eq!(choose(&again, &features, Some(0), &[]), Some(0));
        assert_eq!(choose(&again, &features, None, &[]), Some(1));
        // Only candidates that can speak are chosen: a rules' choice that
        // cannot is passed over whatever the margin, and with none that
        // can there is no choice.
        assert_eq!(choose(&back, &features, None, &[true, false]), Some(0));
        assert_eq!(choose(&again, &features, Some(0), &[false, true]), Some(1));
        assert_eq!(choose(&again, &features, Some(0), &[false, false]), None);
    }

    /// The nearest reporting verb is the last one before the quote in its
    /// sentence, not the sentence's first, and never one of another
    /// sentence; with none before, the first just after the quote.
    #[test]
    fn the_nearest_reporting_verb_is_the_last_before_the_quote() {
        let word = |text: &str, toks: &[Tok], k: Option<usize>| {
            k.map(|k| text[toks[k].start..toks[k].end].to_owned())
        };
        let cases = [
            (
                "Rubio suggested it was over, while Cruz said that the “stakes are high” for all.",
                Some("said"),
            ),
            ("Trump said so. Then the “stakes are high” for all.", None),
            (
                "Then the “stakes are high,” Cruz told reporters.",
                Some("told"),
            ),
        ];
        for (text, expected) in cases {
            let (toks, tokens) = quoted_tokens(text);
            let view = View { text, toks: &toks };
            let mut sentence_of = vec![0u32; toks.len()];
            let stop = text.find(". ").map_or(usize::MAX, |b| b + 1);
            for (k, t) in toks.iter().enumerate() {
                sentence_of[k] = u32::from(t.start > stop);
            }
            let article = bare_article(&view, &sentence_of);
            let near = nearest_cue(&article, tokens);
            assert_eq!(word(text, &toks, near).as_deref(), expected, "{text}");
        }
        assert_eq!(place_against((0, 1), (1, 2)), 1);
        assert_eq!(place_against((0, 1), (5, 6)), 4);
        assert_eq!(place_against((2, 3), (1, 2)), 5);
        assert_eq!(place_against((1, 3), (2, 3)), 9);
    }

    /// An article with no mentions or entities.
    fn bare_article<'a>(view: &'a View<'a>, sentence_of: &'a [u32]) -> Article<'a> {
        Article {
            view,
            sentence_of,
            mentions: &[],
            entities: &[],
            mention_counts: &[],
        }
    }

    /// The tokens of `text` (no mentions) and those of its quotation's
    /// content.
    fn quoted_tokens(text: &str) -> (Vec<Tok>, (usize, usize)) {
        let marked = super::super::marks::scan(text);
        let budget = crate::pipeline::Budget::unlimited();
        let toks = super::super::text::tokenize(text, &marked, &[], &mut budget.meter());
        let open = text.find('“').expect("a quote");
        let close = text.find('”').expect("closed");
        let tokens = token_range(&toks, open + '“'.len_utf8(), close);
        (toks, tokens)
    }

    /// A mixed quote at `tokens` with no cue and no rules' speaker, its
    /// nearest verbs found as the stage finds them.
    fn mixed_site(article: &Article<'_>, tokens: (usize, usize)) -> QuoteSite {
        let subjects = cue_subjects(article, tokens);
        QuoteSite {
            tokens,
            cue: None,
            kind: QuoteKind::Mixed,
            rule: None,
            rule_entity: None,
            previous_entity: None,
            nearest_cue: nearest_cue(article, tokens),
            subjects: subjects.left,
            inverted: subjects.inverted,
            inside: inside_quote(article, tokens),
            around: words_around(article, tokens),
        }
    }

    /// A possessive determiner is a candidate that can speak ("his" of
    /// "his description of “...”", PolNeAR's Source); "your" is none.
    #[test]
    fn a_possessive_is_a_candidate_that_speaks() {
        let text = "Your aides cited his description of “a fantasy” and their chant.";
        on_mixed_quote(text, |article, site| {
            // One-word candidates ("Your aides", the subject of "cited", is
            // a phrase).
            let found: Vec<(&str, bool)> = candidates(article, &site)
                .iter()
                .filter(|c| c.tokens.1 == c.tokens.0 + 1)
                .map(|c| (article.view.word(c.tokens.0), c.speaks))
                .collect();
            assert!(found.contains(&("his", true)), "{found:?}");
            assert!(found.contains(&("their", true)), "{found:?}");
            assert!(!found.iter().any(|(w, _)| *w == "Your"), "{found:?}");
        });
    }

    /// A quantifier standing for a group is a candidate when a reporting
    /// verb follows it ("Another said"), not before a noun ("Another
    /// plan").
    #[test]
    fn a_group_word_before_a_reporting_verb_is_a_candidate() {
        let one_word = |text: &str| {
            let mut found = Vec::new();
            on_mixed_quote(text, |article, site| {
                found = candidates(article, &site)
                    .iter()
                    .filter(|c| c.tokens.1 == c.tokens.0 + 1)
                    .map(|c| article.view.word(c.tokens.0).to_owned())
                    .collect();
            });
            found
        };
        let found = one_word("Another said he liked “the plan” a lot.");
        assert!(found.iter().any(|w| w == "Another"), "{found:?}");
        let found = one_word("Yet another quickly added that “it works” too.");
        assert!(found.iter().any(|w| w == "another"), "{found:?}");
        let found = one_word("Another plan was called “bold” by nobody.");
        assert!(!found.iter().any(|w| w == "Another"), "{found:?}");
    }

    /// Every candidate knows how many of its kind on its side are nearer
    /// the quote; a pronoun's features name its word and its place against
    /// the nearest reporting verb; a phrase's, its first and last words.
    #[test]
    fn kind_ranks_pronouns_by_the_nearest_verb_and_phrase_heads() {
        let text = "He met her, and the crowd said it was “a fine day” for all.";
        let (toks, tokens) = quoted_tokens(text);
        let view = View { text, toks: &toks };
        let sentence_of = vec![0u32; toks.len()];
        let article = bare_article(&view, &sentence_of);
        let site = mixed_site(&article, tokens);
        let word =
            |c: &Candidate| text[toks[c.tokens.0].start..toks[c.tokens.1 - 1].end].to_owned();
        let found = candidates(&article, &site);
        let ranks: Vec<(String, u8)> = found.iter().map(|c| (word(c), c.kind_rank)).collect();
        let rank = |w: &str| ranks.iter().find(|(x, _)| x == w).map(|r| r.1);
        // Pronouns before the quote, nearest first: it, her, He; the
        // subject of "said" is a phrase of its own kind.
        assert_eq!(rank("it"), Some(0), "{ranks:?}");
        assert_eq!(rank("her"), Some(1), "{ranks:?}");
        assert_eq!(rank("He"), Some(2), "{ranks:?}");
        assert_eq!(rank("the crowd"), Some(0), "{ranks:?}");
        let features_of = |w: &str| {
            let (rank, c) = found
                .iter()
                .enumerate()
                .find(|(_, c)| word(c) == w)
                .expect("a candidate");
            let mut f = Vec::new();
            features(&article, &site, c, rank, &mut f);
            (c.tokens.0, f)
        };
        // "it" right after "said" (place 5), not the rules' cue (0).
        let (k, f) = features_of("it");
        assert!(f.contains(&feature(t::PRONOUN_NEAR, &[toks[k].lower, pack(&[5, 0])])));
        assert!(!f.contains(&feature(t::PRONOUN_NEAR, &[toks[k].lower, pack(&[1, 0])])));
        // "the crowd": its head "crowd" and its first word "the".
        let (k, f) = features_of("the crowd");
        assert!(f.contains(&feature(t::HEAD, &[toks[k + 1].lower, 1])));
        assert!(f.contains(&feature(t::HEAD, &[toks[k].lower, 2])));
        assert!(f.contains(&feature(t::KIND_RANK, &[pack(&[0, 1, 1, 0])])));
        // "He" is the third pronoun before the quote.
        let (_, f) = features_of("He");
        assert!(f.contains(&feature(t::KIND_RANK, &[pack(&[2, 2, 1, 0])])));
    }

    /// The subject of a reporting verb between the rules' cue and the
    /// quote is known as such; the rules' speaker as the cue's subject; a
    /// candidate that is no verb's subject as neither.
    #[test]
    fn a_clause_of_its_own_between_the_cue_and_the_quote_is_seen() {
        let text = "Cruz said he would win, and Trump vowed to “bomb the hell” out of them.";
        let (toks, tokens) = quoted_tokens(text);
        let view = View { text, toks: &toks };
        let sentence_of = vec![0u32; toks.len()];
        let article = bare_article(&view, &sentence_of);
        let at = |w: &str| index_of(text, &toks, w);
        let said = at("said");
        let site = QuoteSite {
            cue: Some((said, said + 1)),
            rule: Some((at("Cruz"), at("Cruz") + 1)),
            ..mixed_site(&article, tokens)
        };
        let found = candidates(&article, &site);
        let of = |w: &str| {
            let c = found
                .iter()
                .find(|c| &text[toks[c.tokens.0].start..toks[c.tokens.1 - 1].end] == w)
                .unwrap_or_else(|| panic!("{w} is a candidate"));
            subject_of(&article, &site, c)
        };
        let trump = of("Trump").expect("the subject of “vowed”");
        assert_eq!(
            (trump.verb, trump.role, trump.rank),
            (at("vowed"), VerbRole::Between, 1)
        );
        assert!(trump.whole && trump.before == 1 && trump.same_sentence == 1);
        let cruz = of("Cruz").expect("the subject of “said”");
        assert_eq!((cruz.verb, cruz.role, cruz.rank), (said, VerbRole::Cue, 2));
        assert_eq!(of("he"), None, "the subject of “win”, no reporting verb");
        // The rules' speaker's features say a clause stands between; a
        // site whose cue is the nearest verb says none does.
        let mut with = Vec::new();
        let rule = found.iter().find(|c| c.rule).expect("the rules' speaker");
        features(&article, &site, rule, 0, &mut with);
        let vowed = at("vowed");
        let near = QuoteSite {
            cue: Some((vowed, vowed + 1)),
            ..site
        };
        let mut without = Vec::new();
        features(&article, &near, rule, 0, &mut without);
        let between = feature(t::SUBJECT_OF, &[1, 7, QuoteKind::Mixed as u64]);
        assert!(with.contains(&between));
        assert!(!without.contains(&between));
    }

    /// A quote knows the entities it names, and a candidate whether the
    /// quote names its entity (a speaker seldom names itself); tokens past
    /// the first [`INSIDE_TOKENS`] of a quote are not read.
    #[test]
    fn a_quote_knows_the_entities_it_names() {
        let long = "and so on ".repeat(INSIDE_TOKENS / 3);
        let text = format!("Pence said: “I support Paul Ryan and we need Pence {long} Obama.”");
        let text = text.as_str();
        let entities = many_mentions(
            text,
            &[
                ("Pence", EntityType::Person),
                ("Paul Ryan", EntityType::Person),
                ("Obama", EntityType::Person),
            ],
        );
        let (mentions, spans) = mention_table(&entities);
        let mention_counts: Vec<usize> = entities.iter().map(|e| e.mentions.len()).collect();
        let toks = tokens_of(text, &spans);
        let view = View { text, toks: &toks };
        let sentence_of = vec![0u32; toks.len()];
        let article = Article {
            view: &view,
            sentence_of: &sentence_of,
            mentions: &mentions,
            entities: &entities,
            mention_counts: &mention_counts,
        };
        let open = text.find('“').expect("a quote") + '“'.len_utf8();
        let tokens = token_range(&toks, open, text.find('”').expect("closed"));
        let inside = inside_quote(&article, tokens);
        // Pence and Ryan, in the order named; Obama is past the tokens read.
        assert_eq!(inside.entities[..3], [Some(1), Some(0), None]);
        let part = inside_quote(&article, (tokens.0 + 2, tokens.0 + 5));
        assert_eq!(part.entities[..2], [Some(1), None], "Ryan only");
        // The speaker before the quote is named in it (2), a person (3).
        let site = QuoteSite {
            kind: QuoteKind::Direct,
            ..mixed_site(&article, tokens)
        };
        let pence = candidates(&article, &site)
            .into_iter()
            .find(|c| c.tokens.0 == 0)
            .expect("Pence is a candidate");
        let mut f = Vec::new();
        features(&article, &site, &pence, 0, &mut f);
        assert!(f.contains(&feature(t::INSIDE, &[pack(&[2, 3])])));
        assert!(!f.contains(&feature(t::INSIDE, &[pack(&[1, 3])])));
    }

    /// Runs `f` on the article of `text` (no mentions, one sentence) and
    /// the site of its mixed quote.
    fn on_mixed_quote(text: &str, f: impl FnOnce(&Article<'_>, QuoteSite)) {
        let (toks, tokens) = quoted_tokens(text);
        let view = View { text, toks: &toks };
        let sentence_of = vec![0u32; toks.len()];
        let article = bare_article(&view, &sentence_of);
        let site = mixed_site(&article, tokens);
        f(&article, site);
    }

    /// A candidate's features hold the two words before it and the two
    /// after it as pairs ("called by" before the agent of a passive), and
    /// a marker past the text's edge; and the preposition heading its
    /// phrase, with what stands before the preposition and after the
    /// candidate.
    #[test]
    fn a_candidate_knows_the_words_around_it() {
        let text = "It was called “a disgrace” by the crowd at the rally";
        on_mixed_quote(text, |article, site| {
            let toks = article.view.toks;
            let at = |w: &str| index_of(text, toks, w);
            let lower = |w: &str| toks[at(w)].lower;
            let crowd = Candidate {
                tokens: (at("the"), at("crowd") + 1),
                kind: CandidateKind::Phrase,
                rule: false,
                kind_rank: 0,
                speaks: true,
            };
            let of = |c: &Candidate| {
                let mut f = Vec::new();
                features(article, &site, c, 0, &mut f);
                f
            };
            let f = of(&crowd);
            let phrase = u64::from(kind_code(article, &crowd));
            let pairs = |a: u64, b: u64, side: u64| feature(t::NEIGHBOURS, &[a, b, phrase + side]);
            assert!(f.contains(&pairs(lower("”"), lower("by"), 0)));
            assert!(f.contains(&pairs(lower("at"), lower("the"), 16)));
            // "by" after the closing mark (1); "at", a plain word (5), after.
            assert!(f.contains(&feature(t::PREPOSITION, &[lower("by"), 1, phrase])));
            assert!(f.contains(&feature(t::PREPOSITION, &[lower("by"), 8 + 5, 0])));
            // "the rally" is headed by "at", after the plain word "crowd".
            let rally = Candidate {
                tokens: (at("rally"), at("rally") + 1),
                ..crowd
            };
            let f = of(&rally);
            assert!(f.contains(&feature(t::PREPOSITION, &[lower("at"), 5, phrase])));
            assert!(!f.contains(&feature(t::PREPOSITION, &[lower("by"), 1, phrase])));
            // The first word: a marker stands for the words before the text.
            let it = Candidate {
                tokens: (0, 1),
                kind: CandidateKind::Pronoun,
                ..crowd
            };
            let f = of(&it);
            let pronoun = u64::from(kind_code(article, &it));
            assert!(f.contains(&feature(t::NEIGHBOURS, &[1, 1, pronoun])));
            assert!(f.contains(&feature(
                t::NEIGHBOURS,
                &[lower("was"), lower("called"), pronoun + 16]
            )));
        });
    }

    /// The subject after an inverted reporting verb is a candidate (a
    /// phrase when it is no name) and its features say so.
    #[test]
    fn an_inverted_subject_is_a_candidate_that_knows_it() {
        let text = "It used “velvet gloves” in Asia, said an expert at the school.";
        on_mixed_quote(text, |article, site| {
            let at = |w: &str| index_of(text, article.view.toks, w);
            let expert = (at("an"), at("expert") + 1);
            assert_eq!(site.inverted[0], Some((at("said"), expert)));
            let found = candidates(article, &site);
            let c = found
                .iter()
                .find(|c| c.tokens == expert)
                .expect("the inverted subject is a candidate");
            let s = inverted_subject_of(article, &site, c).expect("inverted");
            assert_eq!(
                (s.verb, s.rank, s.whole, s.before),
                (at("said"), 1, true, 0)
            );
            let mut f = Vec::new();
            features(article, &site, c, 0, &mut f);
            let code = pack(&[1, 1, 0, 1, VerbRole::Other as u8]);
            assert!(f.contains(&feature(t::INVERTED, &[code, 1])));
            // "It" is the subject of nothing inverted.
            let it = found
                .iter()
                .find(|c| c.tokens == (0, 1))
                .expect("a pronoun");
            assert_eq!(inverted_subject_of(article, &site, it), None);
        });
    }

    /// A candidate right after ", and" (or "but", "while", or a
    /// semicolon) starts a clause of its own: the ranker sees it, with
    /// whether the candidate is the subject of a reporting verb, so that a
    /// coordinated report is not taken for one nested in the sentence's
    /// first ("She went home, and Trump called the deal ...").
    #[test]
    fn a_candidate_after_a_coordinating_conjunction_knows_it() {
        let text = "She went home, and Trump called the deal “a disaster” on Monday.";
        on_mixed_quote(text, |article, site| {
            let at = |w: &str| index_of(text, article.view.toks, w);
            let found = candidates(article, &site);
            let marker = |c: &Candidate| {
                let code = subject_of(article, &site, c)
                    .as_ref()
                    .map_or(0, SubjectOf::code);
                feature(
                    t::COORDINATED,
                    &[code, pack(&[8, u8::from(c.rule), site.kind as u8])],
                )
            };
            let trump = found
                .iter()
                .find(|c| c.tokens.0 == at("Trump"))
                .expect("the subject of the cue is a candidate");
            let mut f = Vec::new();
            features(article, &site, trump, 0, &mut f);
            assert!(f.contains(&marker(trump)), "{trump:?}");
            // "She", the other candidate, stands after no conjunction.
            assert!(found.len() > 1, "{found:?}");
            for (rank, c) in found.iter().enumerate() {
                if c.tokens.0 != at("Trump") {
                    f.clear();
                    features(article, &site, c, rank, &mut f);
                    assert!(!f.contains(&marker(c)), "{c:?}");
                }
            }
        });
    }

    /// The ranker's feature hash never merges two features of one
    /// template that differ in a part, and keeps templates apart.
    #[test]
    fn feature_hashes_keep_features_apart() {
        let mut seen = rustc_hash::FxHashSet::default();
        for a in 0..64u64 {
            for b in 0..256u64 {
                assert!(seen.insert(feature(t::SIDE_DISTANCE, &[a, b])));
                assert!(seen.insert(feature(t::KIND, &[pack(&[a as u8, b as u8])])));
            }
        }
        assert_ne!(feature(t::KIND, &[3]), feature(t::RULE, &[3]));
        assert_ne!(feature(t::KIND, &[3, 0]), feature(t::KIND, &[3]));
    }

    #[test]
    fn buckets_grow_with_log_distance() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(1), 1);
        assert_eq!(bucket(3), 2);
        assert_eq!(bucket(1000), 10);
    }
}
