//! The trained entity tagger: two averaged-perceptron passes over a
//! document with greedy left-to-right BILOU decoding (Ratinov & Roth 2009:
//! greedy decoding loses nothing against Viterbi for this task and is much
//! faster), the second pass seeing how the first pass typed each word
//! elsewhere in the article.
//!
//! The model file (`models/ner.bin`, embedded in the binary) holds a
//! version string, the lower-case word counts of the training text, and the
//! two weight tables. `newsenrich train ner` writes it.
//!
//! [`NerModel`] is generic over its weight table: the packed [`Weights`]
//! read from the model file at inference, the dense training table while
//! `train ner` scores the development set.

use std::sync::LazyLock;

use super::clusters::{Lexicon, TokenClusters};
use super::features::{
    DocumentCasing, DocumentHistory, Extractor, LowerCounts, SentenceView, history_features_of,
    lower_into,
};
use super::gazetteer::Gazetteers;
use super::labels::{COUNT, Label};
use super::model::{Dense, Reader, Table, Trainer, Weights};
use crate::pipeline::budget::Meter;

/// The model embedded in the binary.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/ner.bin");

/// Room for a token's static and document-level features (about 70 and
/// 10), so neither pass reallocates.
const STATIC_FEATURES_CAPACITY: usize = 128;

/// Documents up to this many tokens keep what the second pass needs of
/// every token's static features from the first pass (their weights in the
/// second table summed per label, and the lower-cased word's hash: 76 bytes
/// a token, 1.2 MB at most); longer ones compute the features again,
/// sentence by sentence, so a multi-megabyte article does not hold those
/// sums for all of its tokens.
const KEEP_FEATURES_TOKENS: usize = 16_384;

/// First bytes of a model file.
const MAGIC: &[u8; 8] = b"NEWSNER1";

/// What [`decode_sentence`] decodes with: scores feature vectors, and sees
/// every decision (the trainer updates there).
pub trait Scorer {
    /// Adds the scores of `features` per label into `scores`.
    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]);

    /// Token `i`, whose features are `static_features` and
    /// `history_features`, was given `predicted`. Nothing by default.
    fn decided(&mut self, _i: usize, _features: [&[u64]; 2], _predicted: Label) {}
}

impl<W: Table> Scorer for &W {
    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        W::score(self, features, scores);
    }
}

/// Training: the trainer's current weights, and a perceptron update on every
/// token decoded wrong (decoding follows its own predictions, as at test
/// time).
pub struct Training<'a> {
    /// The weights being trained.
    pub trainer: &'a mut Trainer,
    /// Gold labels of the sentence being decoded.
    pub gold: &'a [Label],
    /// Tokens decoded wrong so far.
    pub mistakes: usize,
}

impl Scorer for Training<'_> {
    fn score(&self, features: &[u64], scores: &mut [f32; COUNT]) {
        self.trainer.score(features, scores);
    }

    fn decided(&mut self, i: usize, features: [&[u64]; 2], predicted: Label) {
        if let Some(&gold) = self.gold.get(i)
            && gold != predicted
        {
            self.mistakes += 1;
            for f in features {
                self.trainer.update(f, gold, predicted);
            }
        }
        self.trainer.tick();
    }
}

/// Per previous label, the bit set of labels that may follow it, and the
/// bit set of labels that may end a sentence (BILOU well-formedness,
/// computed once).
struct Transitions {
    follow: [u32; COUNT],
    end: u32,
}

static TRANSITIONS: LazyLock<Transitions> = LazyLock::new(|| {
    let mut t = Transitions {
        follow: [0; COUNT],
        end: 0,
    };
    for label in Label::all() {
        let bit = 1u32 << label.0;
        for previous in Label::all() {
            if label.may_follow(previous) {
                t.follow[usize::from(previous.0)] |= bit;
            }
        }
        if label.may_end() {
            t.end |= bit;
        }
    }
    t
});

/// The best label for token `i` of `len` that may follow `previous`.
pub fn best_label(scores: &[f32; COUNT], previous: Label, i: usize, len: usize) -> Label {
    let transitions = &*TRANSITIONS;
    let mut allowed = transitions.follow[usize::from(previous.0)];
    if i + 1 == len {
        allowed &= transitions.end;
    }
    let mut best = Label::O;
    let mut best_score = f32::NEG_INFINITY;
    for (l, &s) in scores.iter().enumerate() {
        if allowed & (1 << l) != 0 && s > best_score {
            best_score = s;
            best = Label(l as u8);
        }
    }
    best
}

/// Decodes one sentence greedily; `static_features[i]` are the static
/// features of token `i`, and `scorer` sees every decision.
pub fn decode_sentence<C: Scorer, S: AsRef<str>>(
    scorer: &mut C,
    extractor: &mut Extractor,
    words: &[S],
    static_features: &[Vec<u64>],
) -> Vec<Label> {
    let mut labels: Vec<Label> = Vec::with_capacity(words.len());
    let mut history = Vec::with_capacity(8);
    for i in 0..words.len() {
        history.clear();
        extractor.history_features(words, i, &labels, &mut history);
        let mut scores = [0f32; COUNT];
        scorer.score(&static_features[i], &mut scores);
        scorer.score(&history, &mut scores);
        let previous = if i > 0 { labels[i - 1] } else { Label::O };
        let predicted = best_label(&scores, previous, i, words.len());
        scorer.decided(i, [&static_features[i], &history], predicted);
        labels.push(predicted);
    }
    labels
}

/// Buffers reused from sentence to sentence while tagging a document.
struct Buffers {
    /// One token's features.
    features: Vec<u64>,
    /// The words of a sentence lower-cased.
    lower: Vec<String>,
    /// The clusters of a sentence's words.
    clusters: Vec<TokenClusters>,
}

impl Default for Buffers {
    fn default() -> Buffers {
        Buffers {
            features: Vec::with_capacity(STATIC_FEATURES_CAPACITY),
            lower: Vec::new(),
            clusters: Vec::new(),
        }
    }
}

/// [`decode_sentence`] with a table and the sums of each token's static
/// (and document-level) features' weights already taken: the same scores
/// and labels, without the features. `lower` holds the part of each token
/// lower-cased; `history` is a reused buffer.
fn decode_sums<W: Table>(
    table: &W,
    lower: &[u64],
    sums: &[W::Sum],
    history: &mut Vec<u64>,
) -> Vec<Label> {
    let mut labels: Vec<Label> = Vec::with_capacity(sums.len());
    for (i, (sum, &lower)) in sums.iter().zip(lower).enumerate() {
        history.clear();
        history_features_of(lower, i, &labels, history);
        let mut scores = [0f32; COUNT];
        table.add_sum(sum, &mut scores);
        table.score(history, &mut scores);
        let previous = if i > 0 { labels[i - 1] } else { Label::O };
        labels.push(best_label(&scores, previous, i, sums.len()));
    }
    labels
}

/// The trained model, with weight tables of type `W` (the packed inference
/// [`Weights`] unless training).
#[derive(Debug, Default, Clone)]
pub struct NerModel<W = Weights> {
    /// Version string, reported by `GetServiceInfo`.
    pub version: String,
    /// Lower-case word counts of the training text (log2 buckets).
    pub lower_counts: LowerCounts,
    /// First pass.
    pub first: W,
    /// Second pass (document-level features).
    pub second: W,
}

impl NerModel {
    /// The model embedded in the binary, loaded once; an error when the
    /// binary was built without a trained model.
    pub fn embedded() -> Result<&'static NerModel, String> {
        static MODEL: LazyLock<Result<NerModel, String>> =
            LazyLock::new(|| NerModel::from_bytes(EMBEDDED));
        MODEL.as_ref().map_err(Clone::clone)
    }

    /// Serialises the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        let version = self.version.as_bytes();
        out.push(version.len().min(255) as u8);
        out.extend_from_slice(&version[..version.len().min(255)]);
        let mut words: Vec<(&String, &u8)> = self.lower_counts.iter().collect();
        words.sort();
        out.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for (w, bucket) in words {
            let w = &w.as_bytes()[..w.len().min(255)];
            out.push(w.len() as u8);
            out.extend_from_slice(w);
            out.push(*bucket);
        }
        self.first.write(&mut out);
        self.second.write(&mut out);
        out
    }

    /// Reads a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, String> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err("no trained entity model is embedded (run `newsenrich train ner`)".into());
        }
        let mut r = Reader {
            input: bytes,
            pos: MAGIC.len(),
        };
        let len = usize::from(r.u8()?);
        let version = r.str(len)?.to_owned();
        let words = r.u32()? as usize;
        let mut lower_counts = LowerCounts::default();
        for _ in 0..words {
            let len = usize::from(r.u8()?);
            let w = r.str(len)?.to_owned();
            let bucket = r.u8()?;
            lower_counts.insert(w, bucket);
        }
        let ((first, second), n) = Weights::read_pair(&bytes[r.pos..])?;
        r.pos += n;
        if r.pos != bytes.len() {
            return Err(format!(
                "{} trailing bytes after the model",
                bytes.len() - r.pos
            ));
        }
        Ok(NerModel {
            version,
            lower_counts,
            first,
            second,
        })
    }
}

impl NerModel<Dense> {
    /// The model with its trained tables packed for inference, as the
    /// model file stores it.
    pub fn pack(&self) -> NerModel {
        let (first, second) = Weights::pair(&self.first.pack(), &self.second.pack());
        NerModel {
            version: self.version.clone(),
            lower_counts: self.lower_counts.clone(),
            first,
            second,
        }
    }
}

impl<W: Table> NerModel<W> {
    /// Static first-pass features of every token of a sentence.
    pub fn sentence_features<S: AsRef<str>>(
        &self,
        extractor: &mut Extractor,
        gazetteers: &Gazetteers,
        casing: &DocumentCasing,
        words: &[S],
    ) -> Vec<Vec<u64>> {
        let mut out = Vec::with_capacity(words.len());
        let mut buffers = Buffers::default();
        self.each_static_features(
            extractor,
            gazetteers,
            casing,
            words,
            &mut buffers,
            |f, _| {
                let mut token = Vec::with_capacity(STATIC_FEATURES_CAPACITY);
                token.extend_from_slice(f);
                out.push(token);
            },
        );
        out
    }

    /// Calls `each` with the static first-pass features of every token of
    /// a sentence in turn, computed into `buffer` (reused from token to
    /// token and sentence to sentence, so nothing is allocated per token),
    /// and the part of the token lower-cased.
    fn each_static_features<S: AsRef<str>>(
        &self,
        extractor: &mut Extractor,
        gazetteers: &Gazetteers,
        casing: &DocumentCasing,
        words: &[S],
        buffers: &mut Buffers,
        mut each: impl FnMut(&[u64], u64),
    ) {
        // Each word lower-cased once, for the gazetteers, the clusters and
        // the features, into the strings of the previous sentence.
        let mut lower = std::mem::take(&mut buffers.lower);
        lower.resize_with(words.len(), String::new);
        for (l, w) in lower.iter_mut().zip(words) {
            lower_into(l, w.as_ref());
        }
        let gazetteer = gazetteers.annotate_lower(&lower);
        let lexicon = Lexicon::embedded();
        let mut clusters = std::mem::take(&mut buffers.clusters);
        clusters.clear();
        clusters.extend(
            words
                .iter()
                .zip(&lower)
                .map(|(w, l)| lexicon.get_lower(w.as_ref(), l)),
        );
        let view = SentenceView::with_lower(words, lower, &gazetteer, casing, &clusters);
        let features = &mut buffers.features;
        for i in 0..words.len() {
            features.clear();
            extractor.static_features(&view, i, &self.lower_counts, features);
            each(features, view.lower_hash(i));
        }
        buffers.lower = view.into_lower();
        buffers.clusters = clusters;
    }

    /// Per token of a sentence, the sums of its static features' weights
    /// in the first pass's table and in the second pass's, each appended
    /// to its list when given, and the part of the token lower-cased,
    /// appended to `lower`.
    #[allow(clippy::too_many_arguments)]
    fn static_sums<S: AsRef<str>>(
        &self,
        extractor: &mut Extractor,
        gazetteers: &Gazetteers,
        casing: &DocumentCasing,
        words: &[S],
        buffers: &mut Buffers,
        mut first: Option<&mut Vec<W::Sum>>,
        mut second: Option<&mut Vec<W::Sum>>,
        lower: &mut Vec<u64>,
    ) {
        self.each_static_features(extractor, gazetteers, casing, words, buffers, |f, l| {
            if let (Some(first), Some(second)) = (first.as_deref_mut(), second.as_deref_mut()) {
                let (mut a, mut b) = (W::Sum::default(), W::Sum::default());
                self.first.sum_pair(&self.second, f, &mut a, &mut b);
                first.push(a);
                second.push(b);
                lower.push(l);
                return;
            }
            if let Some(sums) = first.as_deref_mut() {
                let mut sum = W::Sum::default();
                self.first.sum(f, &mut sum);
                sums.push(sum);
            }
            if let Some(sums) = second.as_deref_mut() {
                let mut sum = W::Sum::default();
                self.second.sum(f, &mut sum);
                sums.push(sum);
            }
            lower.push(l);
        });
    }

    /// Labels every token of a document given as sentences of words.
    pub fn tag_document<S: AsRef<str>>(
        &self,
        gazetteers: &Gazetteers,
        sentences: &[&[S]],
    ) -> Vec<Vec<Label>> {
        let budget = crate::pipeline::Budget::unlimited();
        self.tag_document_keeping(
            gazetteers,
            sentences,
            KEEP_FEATURES_TOKENS,
            &mut budget.meter(),
        )
    }

    /// [`NerModel::tag_document`] under a meter: each pass ticks once per
    /// token. When the meter stops, the labels of what was tagged: during
    /// the first pass, its labels for the sentences decoded so far (fewer
    /// sentences than given); during the second, its labels for the
    /// sentences it decoded and the first pass's for the rest.
    pub fn tag_document_metered<S: AsRef<str>>(
        &self,
        gazetteers: &Gazetteers,
        sentences: &[&[S]],
        meter: &mut Meter<'_>,
    ) -> Vec<Vec<Label>> {
        self.tag_document_keeping(gazetteers, sentences, KEEP_FEATURES_TOKENS, meter)
    }

    /// [`NerModel::tag_document_metered`], keeping what the second pass
    /// needs of the first pass's static features (their weights in the
    /// second table, summed per token) when the document has at most
    /// `keep` tokens, and computing the features again sentence by
    /// sentence when it is longer. Both give the same labels; the second
    /// bounds memory on long texts.
    ///
    /// A token's score is its static features' weights plus its
    /// document-level (second pass) and history features' weights, so the
    /// static part is summed once per table while the features are at hand
    /// and the features themselves are never kept; the sums are the ones
    /// scoring the features together gives (exact integers in the packed
    /// table), so the labels are those of [`decode_sentence`].
    fn tag_document_keeping<S: AsRef<str>>(
        &self,
        gazetteers: &Gazetteers,
        sentences: &[&[S]],
        keep: usize,
        meter: &mut Meter<'_>,
    ) -> Vec<Vec<Label>> {
        let mut extractor = Extractor::default();
        let tokens: usize = sentences.iter().map(|s| s.len()).sum();
        let keeping = tokens <= keep;
        let casing = DocumentCasing::new_metered(sentences, meter);
        if meter.is_stopped() {
            return Vec::new();
        }
        let mut buffers = Buffers::default();
        let mut history = Vec::with_capacity(8);
        // Second-table sums of every token's static features, in document
        // order, when keeping.
        let mut kept: Vec<W::Sum> = Vec::with_capacity(if keeping { tokens } else { 0 });
        // And the parts of every token lower-cased.
        let mut kept_lower: Vec<u64> = Vec::with_capacity(if keeping { tokens } else { 0 });
        let mut sums: Vec<W::Sum> = Vec::new();
        let mut lower: Vec<u64> = Vec::new();
        let mut first: Vec<Vec<Label>> = Vec::with_capacity(sentences.len());
        for words in sentences {
            if meter.add(words.len() as u64) {
                return first;
            }
            sums.clear();
            lower.clear();
            self.static_sums(
                &mut extractor,
                gazetteers,
                &casing,
                words,
                &mut buffers,
                Some(&mut sums),
                keeping.then_some(&mut kept),
                &mut lower,
            );
            first.push(decode_sums(&self.first, &lower, &sums, &mut history));
            if keeping {
                kept_lower.extend_from_slice(&lower);
            }
        }
        let document = DocumentHistory::new_metered(sentences, &first, meter);
        let mut labels = Vec::with_capacity(sentences.len());
        let mut offset = 0;
        for (k, (words, first_labels)) in sentences.iter().zip(&first).enumerate() {
            if meter.is_stopped() || meter.add(words.len() as u64) {
                labels.extend(first[k..].iter().cloned());
                break;
            }
            sums.clear();
            lower.clear();
            if keeping {
                let end = offset + words.len();
                sums.extend_from_slice(&kept[offset..end]);
                lower.extend_from_slice(&kept_lower[offset..end]);
                offset = end;
            } else {
                self.static_sums(
                    &mut extractor,
                    gazetteers,
                    &casing,
                    words,
                    &mut buffers,
                    None,
                    Some(&mut sums),
                    &mut lower,
                );
            }
            let buffer = &mut buffers.features;
            for (i, sum) in sums.iter_mut().enumerate() {
                buffer.clear();
                extractor.document_features(words, i, first_labels, &document, buffer);
                self.second.sum(buffer, sum);
            }
            labels.push(decode_sums(&self.second, &lower, &sums, &mut history));
        }
        labels
    }

    /// The first pass over a document: the static features of every token
    /// of every sentence, and the first pass's labels.
    pub fn first_pass<S: AsRef<str>>(
        &self,
        extractor: &mut Extractor,
        gazetteers: &Gazetteers,
        sentences: &[&[S]],
    ) -> (Vec<Vec<Vec<u64>>>, Vec<Vec<Label>>) {
        let casing = DocumentCasing::new(sentences);
        let statics: Vec<Vec<Vec<u64>>> = sentences
            .iter()
            .map(|words| self.sentence_features(extractor, gazetteers, &casing, words))
            .collect();
        let first = sentences
            .iter()
            .zip(&statics)
            .map(|(words, f)| decode_sentence(&mut &self.first, extractor, words, f))
            .collect();
        (statics, first)
    }

    /// The second pass over a document, given its static features and
    /// first-pass labels.
    pub fn second_pass<S: AsRef<str>>(
        &self,
        extractor: &mut Extractor,
        sentences: &[&[S]],
        statics: Vec<Vec<Vec<u64>>>,
        first: &[Vec<Label>],
    ) -> Vec<Vec<Label>> {
        let statics = with_document_features(extractor, sentences, statics, first);
        sentences
            .iter()
            .zip(&statics)
            .map(|(words, f)| decode_sentence(&mut &self.second, extractor, words, f))
            .collect()
    }
}

/// Adds the document-level features from first-pass labels to the static
/// features of every token.
pub fn with_document_features<S: AsRef<str>>(
    extractor: &mut Extractor,
    sentences: &[&[S]],
    mut statics: Vec<Vec<Vec<u64>>>,
    first: &[Vec<Label>],
) -> Vec<Vec<Vec<u64>>> {
    let history = DocumentHistory::new(sentences, first);
    for ((words, features), labels) in sentences.iter().zip(&mut statics).zip(first) {
        for (i, f) in features.iter_mut().enumerate() {
            extractor.document_features(words, i, labels, &history, f);
        }
    }
    statics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_bytes_round_trip_and_bad_bytes_are_errors() {
        let mut m = NerModel {
            version: "test-1".into(),
            ..NerModel::default()
        };
        m.lower_counts.insert("said".into(), 7);
        let bytes = m.to_bytes();
        let back = NerModel::from_bytes(&bytes).expect("reads");
        assert_eq!(back.version, "test-1");
        assert_eq!(back.lower_counts.get("said"), Some(&7));
        assert!(NerModel::from_bytes(b"").is_err());
        assert!(NerModel::from_bytes(&bytes[..bytes.len() - 2]).is_err());
    }

    #[test]
    fn long_documents_are_tagged_as_short_ones() {
        let model = NerModel::embedded().expect("the model is embedded");
        let gazetteers = Gazetteers::embedded();
        let s1 = [
            "Kremlin",
            "spokesman",
            "Dmitry",
            "Peskov",
            "said",
            "on",
            "Monday",
            ".",
        ];
        let s2 = ["PESKOV", "DENIES", "REPORT"];
        let s3 = ["Peskov", "spoke", "in", "Moscow", "to", "Reuters", "."];
        let sentences: Vec<&[&str]> = vec![&s1, &s2, &s3];
        let budget = crate::pipeline::Budget::unlimited();
        let kept =
            model.tag_document_keeping(gazetteers, &sentences, usize::MAX, &mut budget.meter());
        let recomputed = model.tag_document_keeping(gazetteers, &sentences, 0, &mut budget.meter());
        assert_eq!(kept, recomputed);
        assert!(kept[0][3].kind().is_some(), "{kept:?}");
    }

    #[test]
    fn greedy_decoding_keeps_bilou_well_formed() {
        // Scores that prefer an I label everywhere still give valid output.
        let mut scores = [0f32; COUNT];
        scores[2] = 5.0; // I-PER
        scores[1] = 1.0; // B-PER
        let first = best_label(&scores, Label::O, 0, 3);
        assert_eq!(first, Label(1));
        let second = best_label(&scores, first, 1, 3);
        assert_eq!(second, Label(2));
        // The last token must close the entity.
        let last = best_label(&scores, second, 2, 3);
        assert!(last.may_end() && last.may_follow(second));
    }
}
