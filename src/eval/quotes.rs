//! `newsenrich eval quotes`: quotations scored on PolNeAR (brat standoff,
//! see `../shared/data/README.md`). Every article goes through the real
//! pipeline as text with cleaning skipped, so offsets index the corpus
//! text. Matching is by overlap:
//!
//! - precision: the share of predicted quotes that overlap a gold Content
//!   span; recall: the share of gold Content spans overlapped by a
//!   predicted quote;
//! - "quoted": gold contents that carry a quotation mark, against the
//!   direct and mixed predictions; "all": every attribution against every
//!   prediction;
//! - speaker accuracy: the share of matched predictions whose speaker span
//!   overlaps the Source span of a gold attribution whose content they
//!   overlap (over matched predictions whose gold has a Source); for a
//!   report nested in another the source is the outer one
//!   (`Quote::reported_by`), as PolNeAR annotates only the outermost
//!   attribution.
//!
//! Articles with several annotators are scored against the first
//! annotation file in name order.

use std::path::{Path, PathBuf};

use super::{EvalError, harmonic_f1, ratio};
use crate::pipeline::quotes::QuoteKind;
use crate::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Feature, Features, OffsetEncoding,
    Pipeline, PipelineConfig,
};

/// Flags of `newsenrich eval quotes`.
#[derive(Debug, clap::Args)]
pub struct QuotesArgs {
    /// A PolNeAR split folder, holding `text/` and `attributions/`
    /// (e.g. ../shared/data/polnear/dev).
    #[arg(long)]
    pub polnear: PathBuf,
    /// Print every missed and spurious quote.
    #[arg(long)]
    pub verbose: bool,
}

/// A character range, possibly in pieces (discontinuous brat spans).
pub type Pieces = Vec<(usize, usize)>;

/// One gold attribution.
#[derive(Debug, Clone)]
pub struct GoldAttribution {
    /// The content.
    pub content: Pieces,
    /// The source, when annotated.
    pub source: Option<Pieces>,
    /// The cue, when annotated.
    pub cue: Option<Pieces>,
    /// The content carries a quotation mark.
    pub quoted: bool,
}

/// One predicted quote, in character offsets.
#[derive(Debug, Clone)]
pub struct Predicted {
    /// The quote.
    pub span: (usize, usize),
    /// The speaker, when found.
    pub speaker: Option<(usize, usize)>,
    /// Direct or mixed.
    pub quoted: bool,
}

/// Counts for one set.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetScore {
    /// Gold contents.
    pub gold: usize,
    /// Gold contents overlapped.
    pub gold_found: usize,
    /// Predictions.
    pub predicted: usize,
    /// Predictions overlapping a gold content.
    pub predicted_right: usize,
    /// Matched predictions whose gold has a source.
    pub speaker_scored: usize,
    /// Of those, predictions whose speaker overlaps the gold source.
    pub speaker_right: usize,
}

impl SetScore {
    /// Precision.
    pub fn precision(&self) -> f64 {
        ratio(self.predicted_right, self.predicted)
    }
    /// Recall.
    pub fn recall(&self) -> f64 {
        ratio(self.gold_found, self.gold)
    }
    /// F1.
    pub fn f1(&self) -> f64 {
        harmonic_f1(self.precision(), self.recall())
    }
    /// Speaker accuracy.
    pub fn speaker_accuracy(&self) -> f64 {
        ratio(self.speaker_right, self.speaker_scored)
    }
}

pub fn overlaps(a: (usize, usize), pieces: &Pieces) -> bool {
    pieces.iter().any(|&(s, e)| a.0 < e && s < a.1)
}

/// Scores one article's predictions against its gold attributions, for
/// one set (`quoted_only`), adding to `score`.
pub fn score_article(
    gold: &[GoldAttribution],
    predicted: &[Predicted],
    quoted_only: bool,
    score: &mut SetScore,
) {
    let gold: Vec<&GoldAttribution> = gold.iter().filter(|g| !quoted_only || g.quoted).collect();
    let predicted: Vec<&Predicted> = predicted
        .iter()
        .filter(|p| !quoted_only || p.quoted)
        .collect();
    score.gold += gold.len();
    score.predicted += predicted.len();
    score.gold_found += gold
        .iter()
        .filter(|g| predicted.iter().any(|p| overlaps(p.span, &g.content)))
        .count();
    for p in &predicted {
        let matched: Vec<&&GoldAttribution> = gold
            .iter()
            .filter(|g| overlaps(p.span, &g.content))
            .collect();
        if matched.is_empty() {
            continue;
        }
        score.predicted_right += 1;
        let sources: Vec<&Pieces> = matched.iter().filter_map(|g| g.source.as_ref()).collect();
        if sources.is_empty() {
            continue;
        }
        score.speaker_scored += 1;
        if p.speaker
            .is_some_and(|s| sources.iter().any(|src| overlaps(s, src)))
        {
            score.speaker_right += 1;
        }
    }
}

/// Parses a brat annotation file into attributions.
pub fn parse_ann(ann: &str, text: &str) -> Vec<GoldAttribution> {
    use std::collections::HashMap;
    let mut spans: HashMap<&str, (Pieces, bool)> = HashMap::new();
    let mut out = Vec::new();
    let marks = ['“', '”', '"', '«', '»', '„', '‘'];
    let chars: Vec<char> = text.chars().collect();
    for line in ann.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(def)) = (cols.next(), cols.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let mut parts = def.splitn(2, ' ');
            let _kind = parts.next();
            let pieces: Pieces = parts
                .next()
                .unwrap_or("")
                .split(';')
                .filter_map(|p| {
                    let mut se = p.split_whitespace();
                    let s = se.next()?.parse().ok()?;
                    let e = se.next()?.parse().ok()?;
                    Some((s, e))
                })
                .collect();
            // Marks inside the content or right around it (some
            // annotators leave the marks out of the span).
            let quoted = pieces.iter().any(|&(s, e)| {
                let lo = s.saturating_sub(1).min(chars.len());
                let hi = (e + 1).min(chars.len());
                chars[lo..hi].iter().any(|ch| marks.contains(ch))
            });
            spans.insert(id, (pieces, quoted));
        } else if id.starts_with('E') {
            let mut content = None;
            let mut source = None;
            let mut cue = None;
            for arg in def.split_whitespace() {
                if let Some(t) = arg.strip_prefix("Content:") {
                    content = spans.get(t).cloned();
                } else if let Some(t) = arg.strip_prefix("Source:") {
                    source = spans.get(t).map(|s| s.0.clone());
                } else if let Some(t) = arg.strip_prefix("Cue:") {
                    cue = spans.get(t).map(|s| s.0.clone());
                }
            }
            if let Some((pieces, quoted)) = content {
                out.push(GoldAttribution {
                    content: pieces,
                    source,
                    cue,
                    quoted,
                });
            }
        }
    }
    out
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> EvalError + '_ {
    move |source| EvalError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One PolNeAR article: its name, text and gold attributions (the first
/// annotator's file in name order).
#[derive(Debug, Clone)]
pub struct PolnearArticle {
    /// File name without `.txt`.
    pub name: String,
    /// The text.
    pub text: String,
    /// Gold attributions.
    pub gold: Vec<GoldAttribution>,
    /// Who annotated them: the annotation file's suffix (`4b22` of
    /// `article_4b22.ann`). Each annotator had articles of their own,
    /// some harder than others, so scores are also reported by annotator
    /// ([`by_annotator`]).
    pub annotator: String,
}

/// One line of speaker accuracy by annotator, `label: 4b22 0.9324
/// (1449/1554) / ...`, from `(annotator, right, scored)` counts, in
/// annotator order.
pub fn by_annotator(
    label: &str,
    counts: &std::collections::BTreeMap<String, (usize, usize)>,
) -> String {
    let each: Vec<String> = counts
        .iter()
        .map(|(a, &(right, scored))| format!("{a} {:.4} ({right}/{scored})", ratio(right, scored)))
        .collect();
    format!("{label}: {}\n", each.join(" / "))
}

/// The annotated articles of a PolNeAR split folder (`text/` and
/// `attributions/`), in name order; articles with no annotation file or
/// an empty text are left out.
pub fn load_polnear(dir: &Path) -> Result<Vec<PolnearArticle>, EvalError> {
    let text_dir = dir.join("text");
    let ann_dir = dir.join("attributions");
    let mut articles: Vec<String> = std::fs::read_dir(&text_dir)
        .map_err(io(&text_dir))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".txt")
                .map(str::to_owned)
        })
        .collect();
    articles.sort();
    let mut anns: Vec<String> = std::fs::read_dir(&ann_dir)
        .map_err(io(&ann_dir))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".ann"))
        .collect();
    anns.sort();
    let mut out = Vec::new();
    for name in articles {
        let prefix = format!("{name}_");
        // The first annotator's file, in name order.
        let Some(ann_name) = anns.iter().find(|a| {
            a.strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('_'))
        }) else {
            continue;
        };
        let text_path = text_dir.join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&text_path).map_err(io(&text_path))?;
        let ann_path = ann_dir.join(ann_name);
        let ann = std::fs::read_to_string(&ann_path).map_err(io(&ann_path))?;
        if text.trim().is_empty() {
            continue;
        }
        let gold = parse_ann(&ann, &text);
        let annotator = ann_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".ann"))
            .unwrap_or_default()
            .to_owned();
        out.push(PolnearArticle {
            name,
            text,
            gold,
            annotator,
        });
    }
    Ok(out)
}

/// The pipeline `eval quotes` and `train quotes` run articles through.
pub fn polnear_pipeline() -> Result<Pipeline, EvalError> {
    Pipeline::new(PipelineConfig {
        max_article_bytes: 64 * 1024 * 1024,
        ..PipelineConfig::default()
    })
    .map_err(|e| EvalError::Format {
        path: PathBuf::from("pipeline"),
        problem: e.to_string(),
    })
}

/// An article as text with cleaning skipped (so offsets index the corpus
/// text).
pub fn polnear_input(article: &PolnearArticle) -> ArticleInput {
    ArticleInput {
        id: article.name.clone(),
        url: None,
        title: None,
        content: Content::Text(article.text.clone()),
        published_at: None,
        language: Some("en".into()),
        time_zone: chrono_tz::UTC,
    }
}

/// Runs `newsenrich eval quotes`.
pub fn run_command(args: &QuotesArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let pipeline = polnear_pipeline()?;
    let options = EnrichOptions {
        skip_cleaning: true,
        features: [Feature::Quotes].into_iter().collect::<Features>(),
        ..EnrichOptions::default()
    };
    let (mut quoted, mut all) = (SetScore::default(), SetScore::default());
    // Per confidence band, the predictions (gold counts are not used).
    let mut bands = [SetScore::default(); BANDS.len()];
    let (mut calibration, mut calibration_speech) =
        (Calibration::default(), Calibration::default());
    let mut scored = 0;
    let mut report = String::new();
    // Quoted speaker accuracy by annotator: (right, scored).
    let mut annotators: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for art in load_polnear(&args.polnear)? {
        let (name, text, gold) = (&art.name, &art.text, &art.gold);
        let text_path = args.polnear.join("text").join(format!("{name}.txt"));
        let article = polnear_input(&art);
        let enriched = pipeline
            .enrich(&article, &options, &Budget::unlimited())
            .map_err(|e| EvalError::Format {
                path: text_path.clone(),
                problem: e.to_string(),
            })?;
        let doc = &enriched.document;
        let cp = |s: crate::pipeline::Span| {
            let (a, b) = doc.span(s, OffsetEncoding::CodePoints);
            (a as usize, b as usize)
        };
        let predicted: Vec<Predicted> = enriched
            .quotes
            .iter()
            .map(|q| Predicted {
                span: cp(q.span),
                // PolNeAR annotates the outermost attribution only: the
                // source of a nested report is the one reporting it.
                speaker: q
                    .reported_by
                    .as_ref()
                    .map(|by| by.span)
                    .or(q.speaker_span)
                    .map(cp),
                quoted: q.kind != QuoteKind::Indirect,
            })
            .collect();
        let before = (quoted.speaker_right, quoted.speaker_scored);
        score_article(gold, &predicted, true, &mut quoted);
        score_article(gold, &predicted, false, &mut all);
        let counts = annotators.entry(art.annotator.clone()).or_default();
        counts.0 += quoted.speaker_right - before.0;
        counts.1 += quoted.speaker_scored - before.1;
        for (p, q) in predicted.iter().zip(&enriched.quotes) {
            let band = confidence_band(q.confidence);
            let before = bands[band].predicted_right;
            score_article(gold, std::slice::from_ref(p), false, &mut bands[band]);
            let right = bands[band].predicted_right > before;
            calibration.add(q.confidence, right);
            if !crate::pipeline::quotes::confidence::is_stance(q) {
                calibration_speech.add(q.confidence, right);
            }
        }
        scored += 1;
        if args.verbose {
            let chars: Vec<char> = text.chars().collect();
            let slice = |(s, e): (usize, usize)| {
                chars[s.min(chars.len())..e.min(chars.len())]
                    .iter()
                    .collect::<String>()
            };
            for g in gold.iter().filter(|g| g.quoted) {
                if !predicted
                    .iter()
                    .any(|p| p.quoted && overlaps(p.span, &g.content))
                {
                    report.push_str(&format!("MISS {name}: {}\n", slice(g.content[0])));
                }
            }
            for g in gold.iter().filter(|g| !g.quoted) {
                if !predicted.iter().any(|p| overlaps(p.span, &g.content)) {
                    let cue = g.cue.as_ref().map(|c| slice(c[0])).unwrap_or_default();
                    report.push_str(&format!(
                        "MISS-INDIRECT {name}: [{cue}] {}\n",
                        slice(g.content[0])
                    ));
                }
            }
            for p in predicted.iter().filter(|p| !p.quoted) {
                if !gold.iter().any(|g| overlaps(p.span, &g.content)) {
                    let speaker = p.speaker.map(slice).unwrap_or_default();
                    report.push_str(&format!(
                        "SPURIOUS-INDIRECT {name}: {} [{speaker}]\n",
                        slice(p.span)
                    ));
                }
            }
            for p in predicted.iter().filter(|p| p.quoted) {
                let matched: Vec<&GoldAttribution> = gold
                    .iter()
                    .filter(|g| g.quoted && overlaps(p.span, &g.content))
                    .collect();
                let speaker = p.speaker.map(slice).unwrap_or_default();
                if matched.is_empty() {
                    report.push_str(&format!("SPURIOUS {name}: {} [{speaker}]\n", slice(p.span)));
                } else if let Some(src) = matched.iter().find_map(|g| g.source.clone())
                    && !p.speaker.is_some_and(|s| overlaps(s, &src))
                {
                    report.push_str(&format!(
                        "SPEAKER {name}: {} [{speaker}] gold [{}]\n",
                        slice(p.span),
                        slice(src[0])
                    ));
                }
            }
        }
    }
    let write = |out: &mut dyn std::io::Write, s: &str| {
        out.write_all(s.as_bytes()).map_err(EvalError::Output)
    };
    if args.verbose {
        write(out, &report)?;
    }
    let mut table = format!(
        "polnear {} ({} articles, first annotator each)\n{:<8} {:>6} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7} {:>11}\n",
        args.polnear.display(),
        scored,
        "set",
        "gold",
        "found",
        "pred",
        "right",
        "precision",
        "recall",
        "F1",
        "speaker_acc"
    );
    for (label, s) in [("quoted", &quoted), ("all", &all)] {
        table.push_str(&format!(
            "{:<8} {:>6} {:>6} {:>6} {:>6} {:>9.4} {:>7.4} {:>7.4} {:>11.4}\n",
            label,
            s.gold,
            s.gold_found,
            s.predicted,
            s.predicted_right,
            s.precision(),
            s.recall(),
            s.f1(),
            s.speaker_accuracy()
        ));
    }
    table.push_str(&by_annotator(
        "quoted speaker_acc by annotator",
        &annotators,
    ));
    table.push_str("confidence  pred  precision speaker_acc\n");
    for (i, b) in bands.iter().enumerate() {
        let hi = BANDS
            .get(i + 1)
            .map_or("1.00".to_owned(), |h| format!("{h:.2}"));
        table.push_str(&format!(
            "{:.2}-{hi} {:>6} {:>10.4} {:>11.4}\n",
            BANDS[i],
            b.predicted,
            b.precision(),
            b.speaker_accuracy()
        ));
    }
    table.push_str(&calibration.summary("calibration"));
    table.push_str(&calibration_speech.summary("no stances"));
    table.push_str(&calibration.table());
    write(out, &table)
}

/// How well confidences match how often quotes are right: per tenth of
/// the range, the quotes, the sum of their confidences and how many were
/// right, and the squared errors (Brier).
#[derive(Debug, Clone, Copy, Default)]
pub struct Calibration {
    bins: [(usize, f64, usize); 10],
    squared: f64,
}

impl Calibration {
    /// Counts a quote of `confidence` that was `right` or not.
    pub fn add(&mut self, confidence: f32, right: bool) {
        let c = f64::from(confidence.clamp(0.0, 1.0));
        let bin = &mut self.bins[((c * 10.0) as usize).min(9)];
        bin.0 += 1;
        bin.1 += c;
        bin.2 += usize::from(right);
        self.squared += (c - f64::from(u8::from(right))).powi(2);
    }

    /// Quotes counted.
    pub fn count(&self) -> usize {
        self.bins.iter().map(|b| b.0).sum()
    }

    /// Expected calibration error: the mean over quotes of the gap between
    /// their tenth's mean confidence and its share right.
    pub fn ece(&self) -> f64 {
        let n = self.count().max(1) as f64;
        self.bins
            .iter()
            .filter(|b| b.0 > 0)
            .map(|&(_, sum, right)| (sum - right as f64).abs() / n)
            .sum()
    }

    /// Mean squared difference between confidence and outcome.
    pub fn brier(&self) -> f64 {
        self.squared / self.count().max(1) as f64
    }

    /// One line: quotes, ECE and Brier.
    pub fn summary(&self, label: &str) -> String {
        format!(
            "{label:<22} quotes {:>6}  ECE {:.4}  Brier {:.4}\n",
            self.count(),
            self.ece(),
            self.brier()
        )
    }

    /// The reliability table: per tenth, quotes, mean confidence and share
    /// right.
    pub fn table(&self) -> String {
        let mut t = String::from("confidence  quotes  mean_conf  precision\n");
        for (i, &(k, sum, right)) in self.bins.iter().enumerate() {
            if k == 0 {
                continue;
            }
            t.push_str(&format!(
                "{:.1}-{:.1} {:>9} {:>10.4} {:>10.4}\n",
                i as f32 / 10.0,
                (i + 1) as f32 / 10.0,
                k,
                sum / k as f64,
                right as f64 / k as f64
            ));
        }
        t
    }
}

/// Lower bounds of the confidence bands `eval quotes` reports precision
/// for.
const BANDS: [f32; 6] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9];

/// The band of a confidence.
fn confidence_band(confidence: f32) -> usize {
    BANDS.iter().rposition(|&b| confidence >= b).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_measures_the_gap_between_confidence_and_outcome() {
        let mut perfect = Calibration::default();
        // Four quotes at 0.75, three right: calibrated.
        for right in [true, true, true, false] {
            perfect.add(0.75, right);
        }
        assert!(perfect.ece() < 1e-6);
        assert!((perfect.brier() - (3.0 * 0.0625 + 0.5625) / 4.0).abs() < 1e-6);
        let mut over = Calibration::default();
        // Four at 0.95, two right: the gap is 0.45.
        for right in [true, true, false, false] {
            over.add(0.95, right);
        }
        assert!((over.ece() - 0.45).abs() < 1e-6);
        assert_eq!(over.count(), 4);
        assert!(over.table().contains("0.9-1.0"));
        // 1.0 falls in the top tenth, not past it.
        over.add(1.0, true);
        assert_eq!(over.count(), 5);
    }

    #[test]
    fn confidences_fall_in_their_bands() {
        assert_eq!(confidence_band(0.4), 0);
        assert_eq!(confidence_band(0.5), 1);
        assert_eq!(confidence_band(0.65), 2);
        assert_eq!(confidence_band(0.95), 5);
        assert_eq!(confidence_band(1.0), 5);
    }

    #[test]
    fn overlap_scoring_and_speaker_accuracy() {
        let text = "“Yes,” he said. They left.";
        let ann = "T1\tContent 1 5\tYes,\nT2\tSource 7 9\the\nT3\tCue 10 14\tsaid\nE1\tAttribution:T3 Content:T1 Cue:T3 Source:T2\nT4\tContent 16 26\tThey left.\nE2\tAttribution:T3 Content:T4\n";
        let gold = parse_ann(ann, text);
        assert_eq!(gold.len(), 2);
        assert!(gold[0].quoted, "marks right around the content count");
        assert!(!gold[1].quoted);
        let predicted = vec![
            Predicted {
                span: (1, 4),
                speaker: Some((7, 9)),
                quoted: true,
            },
            Predicted {
                span: (20, 22),
                speaker: Some((0, 1)),
                quoted: false,
            },
            Predicted {
                span: (26, 27),
                speaker: None,
                quoted: false,
            },
        ];
        let mut all = SetScore::default();
        score_article(&gold, &predicted, false, &mut all);
        assert_eq!(
            (all.gold, all.gold_found, all.predicted, all.predicted_right),
            (2, 2, 3, 2)
        );
        assert_eq!((all.speaker_scored, all.speaker_right), (1, 1));
        assert!((all.precision() - 2.0 / 3.0).abs() < 1e-9 && (all.recall() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn each_article_is_scored_against_its_first_annotator_who_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (text, ann) = (dir.path().join("text"), dir.path().join("attributions"));
        std::fs::create_dir_all(&text).unwrap();
        std::fs::create_dir_all(&ann).unwrap();
        std::fs::write(text.join("a1.txt"), "“Yes,” Smith said.\n").unwrap();
        std::fs::write(text.join("b2.txt"), "Nothing here.\n").unwrap();
        // Two annotators for a1: the first in name order counts.
        let source = "T1\tContent 1 4\tYes\nT2\tSource 7 12\tSmith\nT3\tCue 13 17\tsaid\nE1\tAttribution:T3 Content:T1 Cue:T3 Source:T2\n";
        std::fs::write(ann.join("a1_ff01.ann"), "").unwrap();
        std::fs::write(ann.join("a1_0c3d.ann"), source).unwrap();
        std::fs::write(ann.join("b2_ff01.ann"), "").unwrap();
        let articles = load_polnear(dir.path()).unwrap();
        let seen: Vec<(&str, &str, usize)> = articles
            .iter()
            .map(|a| (a.name.as_str(), a.annotator.as_str(), a.gold.len()))
            .collect();
        assert_eq!(seen, [("a1", "0c3d", 1), ("b2", "ff01", 0)]);
    }

    #[test]
    fn speaker_accuracy_by_annotator_is_one_line_in_annotator_order() {
        let counts: std::collections::BTreeMap<String, (usize, usize)> = [
            ("ef2d".to_owned(), (3, 4)),
            ("4b22".to_owned(), (1, 2)),
            ("x".to_owned(), (0, 0)),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            by_annotator("quoted", &counts),
            "quoted: 4b22 0.5000 (1/2) / ef2d 0.7500 (3/4) / x 0.0000 (0/0)\n"
        );
    }
}
