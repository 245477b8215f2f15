//! The cue lexicon: reporting verbs in every tense and form, and reporting
//! phrases ("according to", "quoted as saying", "told reporters"). Owns the
//! decision whether the words at a position are a cue, and how strongly a
//! cue signals speech.
//!
//! The verbs are those that introduce speech in news, ranked by how often
//! they are a cue of an annotated attribution in the PolNeAR training split
//! (`../shared/data/polnear/train`; the counts came from a one-off script
//! during development, the list itself is written by hand): verbs of saying first, then of
//! writing, asking, stating an opinion. Verbs that mostly do not introduce
//! speech ("see", "want", "show") are left out even where the corpus
//! annotates them, because they give wrong quotes on other text.

/// How a cue relates to its speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueShape {
    /// A verb: the speaker is its subject ("X said", "said X").
    Verb,
    /// "according to X": the speaker follows.
    According,
    /// "quoted X as saying": the speaker sits inside the cue.
    QuotedAs,
}

/// A cue found at a word position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CueMatch {
    /// How many words it covers.
    pub words: usize,
    /// Its shape.
    pub shape: CueShape,
    /// How surely it introduces speech, 0 to 1.
    pub strength: f32,
}

/// Every form of each reporting verb, one verb a line, with its strength
/// in tenths.
const VERBS: &[(&str, u8)] = &[
    ("say says said saying", 10),
    ("tell tells told telling", 9),
    ("add adds added adding", 9),
    ("stress stresses stressed stressing", 9),
    ("warn warns warned warning", 9),
    ("deny denies denied denying", 8),
    ("claim claims claimed claiming", 8),
    ("note notes noted noting", 8),
    ("explain explains explained explaining", 9),
    ("state states stated stating", 8),
    ("insist insists insisted insisting", 9),
    ("argue argues argued arguing", 8),
    ("write writes wrote written writing", 8),
    ("tweet tweets tweeted tweeting", 9),
    ("ask asks asked asking", 6),
    ("reply replies replied replying", 9),
    ("respond responds responded responding", 7),
    ("announce announces announced announcing", 8),
    ("declare declares declared declaring", 8),
    ("confirm confirms confirmed confirming", 7),
    ("admit admits admitted admitting", 8),
    ("acknowledge acknowledges acknowledged acknowledging", 8),
    ("suggest suggests suggested suggesting", 7),
    ("call calls called calling", 5),
    ("describe describes described describing", 6),
    ("continue continues continued continuing", 5),
    ("recall recalls recalled recalling", 7),
    ("report reports reported reporting", 7),
    ("urge urges urged urging", 7),
    ("predict predicts predicted predicting", 7),
    ("promise promises promised promising", 6),
    ("vow vows vowed vowing", 7),
    ("pledge pledges pledged pledging", 6),
    ("accuse accuses accused accusing", 6),
    ("believe believes believed believing", 6),
    ("think thinks thought thinking", 5),
    ("reiterate reiterates reiterated reiterating", 8),
    // Stances and findings: PolNeAR counts them as attributions ("the
    // study found that ...", "Clinton criticized ..."); weak, so they only
    // frame reported content, never steal a quote from a stronger cue.
    ("find finds found finding", 6),
    ("show shows showed shown showing", 6),
    ("want wants wanted wanting", 6),
    ("criticize criticizes criticized criticizing", 6),
    ("defend defends defended defending", 6),
    ("propose proposes proposed proposing", 6),
    ("praise praises praised praising", 6),
    ("denounce denounces denounced denouncing", 6),
    ("blame blames blamed blaming", 6),
    ("indicate indicates indicated indicating", 6),
    ("hope hopes hoped hoping", 6),
    ("fear fears feared fearing", 6),
    ("expect expects expected expecting", 6),
    ("endorse endorses endorsed endorsing", 6),
    ("oppose opposes opposed opposing", 6),
    ("support supports supported supporting", 6),
    (
        "emphasize emphasizes emphasized emphasizing emphasise emphasises emphasised emphasising",
        8,
    ),
    ("comment comments commented commenting", 7),
    ("remark remarks remarked remarking", 7),
    ("assert asserts asserted asserting", 8),
    ("concede concedes conceded conceding", 8),
    ("observe observes observed observing", 6),
    ("conclude concludes concluded concluding", 6),
    ("quip quips quipped quipping", 9),
    ("joke jokes joked joking", 7),
    ("complain complains complained complaining", 7),
    ("estimate estimates estimated estimating", 5),
    ("testify testifies testified testifying", 7),
    ("dismiss dismisses dismissed dismissing", 5),
    ("reject rejects rejected rejecting", 5),
    (
        "criticize criticizes criticized criticizing criticise criticises criticised criticising",
        5,
    ),
    ("tout touts touted touting", 6),
    ("boast boasts boasted boasting", 7),
    ("contend contends contended contending", 8),
    ("maintain maintains maintained maintaining", 5),
    ("mention mentions mentioned mentioning", 6),
    ("reveal reveals revealed revealing", 6),
    ("cite cites cited citing", 5),
    ("question questions questioned questioning", 5),
    ("agree agrees agreed agreeing", 4),
    ("hint hints hinted hinting", 6),
    ("speculate speculates speculated speculating", 6),
    ("allege alleges alleged alleging", 7),
    ("counter counters countered countering", 7),
    ("shout shouts shouted shouting", 8),
    ("post posts posted posting", 4),
    ("exclaim exclaims exclaimed exclaiming", 9),
    ("whisper whispers whispered whispering", 8),
    ("admonish admonishes admonished admonishing", 6),
    ("caution cautions cautioned cautioning", 7),
    // Manners of speaking.
    ("chant chants chanted chanting", 8),
    ("yell yells yelled yelling", 8),
    ("scream screams screamed screaming", 8),
    ("answer answers answered answering", 8),
    ("retort retorts retorted retorting", 9),
    ("interject interjects interjected interjecting", 8),
    ("fume fumes fumed fuming", 7),
    ("lament laments lamented lamenting", 7),
    ("bemoan bemoans bemoaned bemoaning", 6),
    ("mock mocks mocked mocking", 6),
    ("scoff scoffs scoffed scoffing", 7),
    ("proclaim proclaims proclaimed proclaiming", 8),
    ("assure assures assured assuring", 7),
    ("demand demands demanded demanding", 6),
    ("muse muses mused musing", 7),
    ("charge charges charged charging", 5),
    ("dub dubs dubbed dubbing", 5),
    // "A sign read ...", "the statement reads ...".
    ("read reads", 5),
];

/// Multi-word cues, lower case, word by word.
const PHRASES: &[(&[&str], CueShape, u8)] = &[
    (&["according", "to"], CueShape::According, 9),
    (&["quoted", "as", "saying"], CueShape::Verb, 10),
    (&["quoted", "as", "telling"], CueShape::Verb, 10),
    (&["said", "in", "a", "statement"], CueShape::Verb, 10),
    (&["told", "reporters"], CueShape::Verb, 10),
    (&["told", "journalists"], CueShape::Verb, 10),
    (&["pointed", "out"], CueShape::Verb, 8),
    (&["points", "out"], CueShape::Verb, 8),
    (&["went", "on", "to", "say"], CueShape::Verb, 9),
    (&["made", "it", "clear"], CueShape::Verb, 8),
    (&["shot", "back"], CueShape::Verb, 9),
    (&["fired", "back"], CueShape::Verb, 9),
    // "as X put it"
    (&["put", "it"], CueShape::Verb, 5),
    (&["puts", "it"], CueShape::Verb, 5),
    (&["went", "on"], CueShape::Verb, 5),
    (&["goes", "on"], CueShape::Verb, 5),
    (&["in", "a", "statement"], CueShape::According, 6),
];

/// The strength (in tenths) of a single reporting-verb form, if `word`
/// (lower case) is one.
pub fn verb_strength(word: &str) -> Option<u8> {
    static TABLE: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, u8>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        VERBS
            .iter()
            .flat_map(|(forms, s)| forms.split(' ').map(move |f| (f, *s)))
            .collect()
    });
    if word.len() > 16 || word.len() < 3 {
        return None;
    }
    table.get(word).copied()
}

/// The cue starting at `words[0]`, if any (the words are the text's, in
/// order).
pub fn cue_at(words: &[&str]) -> Option<CueMatch> {
    let first = words.first()?;
    if first.chars().next().is_some_and(char::is_uppercase) && !is_capitalised_cue(first) {
        return None;
    }
    let lower = |w: &str| w.to_ascii_lowercase();
    // "quoted X as saying": up to four words between.
    if first.eq_ignore_ascii_case("quoted")
        && let Some(k) = words.iter().take(6).position(|w| *w == "as")
        && k > 1
        && words.get(k + 1).is_some_and(|w| w.ends_with("ing"))
    {
        return Some(CueMatch {
            words: k + 2,
            shape: CueShape::QuotedAs,
            strength: 1.0,
        });
    }
    for (phrase, shape, strength) in PHRASES {
        if phrase.len() <= words.len()
            && phrase
                .iter()
                .zip(words)
                .all(|(p, w)| w.eq_ignore_ascii_case(p))
        {
            // "in a statement" only as a phrase of its own after a name.
            return Some(CueMatch {
                words: phrase.len(),
                shape: *shape,
                strength: f32::from(*strength) / 10.0,
            });
        }
    }
    let s = if first.bytes().any(|b| b.is_ascii_uppercase()) {
        verb_strength(&lower(first))?
    } else {
        verb_strength(first)?
    };
    Some(verb_cue(s))
}

/// A one-word cue of strength `s` (tenths).
fn verb_cue(s: u8) -> CueMatch {
    CueMatch {
        words: 1,
        shape: CueShape::Verb,
        strength: f32::from(s) / 10.0,
    }
}

/// Whether a word (its lower-case hash,
/// [`Tok::lower`](super::text::Tok::lower)) may open a cue of several
/// words: a phrase's first word or "quoted" ("quoted X as saying").
pub fn may_open_phrase(lower: u64) -> bool {
    static FIRST: std::sync::LazyLock<rustc_hash::FxHashSet<u64>> =
        std::sync::LazyLock::new(|| {
            PHRASES
                .iter()
                .map(|(phrase, _, _)| phrase[0])
                .chain(["quoted"])
                .map(|w| crate::pipeline::entities::features::text(w.as_bytes()))
                .collect()
        });
    FIRST.contains(&lower)
}

/// What [`cue_at`] finds at an ASCII word that opens no phrase
/// ([`may_open_phrase`] false), from the strength its token carries
/// ([`Tok::verb`](super::text::Tok::verb): 1 + the strength, 0 when none),
/// without reading the words after it.
pub fn one_word_cue(word: &str, verb: u8) -> Option<CueMatch> {
    if word.chars().next().is_some_and(char::is_uppercase) && !is_capitalised_cue(word) {
        return None;
    }
    verb.checked_sub(1).map(verb_cue)
}

/// Cues that can open a sentence with a capital ("According to ...").
fn is_capitalised_cue(word: &str) -> bool {
    word == "According"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_in_all_tenses_and_phrases() {
        for w in [
            "said", "says", "say", "saying", "told", "stressed", "denies", "warned",
        ] {
            assert!(cue_at(&[w]).is_some(), "{w}");
        }
        assert_eq!(
            cue_at(&["According", "to", "Reuters"]).map(|c| c.shape),
            Some(CueShape::According)
        );
        let c = cue_at(&["quoted", "him", "as", "telling", "reporters"]).unwrap();
        assert_eq!((c.words, c.shape), (4, CueShape::QuotedAs));
        assert_eq!(
            cue_at(&["quoted", "as", "saying"]).map(|c| c.words),
            Some(3)
        );
        assert_eq!(
            cue_at(&["told", "reporters", "that"]).map(|c| c.words),
            Some(2)
        );
        assert!(cue_at(&["table"]).is_none());
        assert!(cue_at(&["Said"]).is_none(), "a capitalised verb is a name");
        assert!(cue_at(&[]).is_none());
    }
}
