//! `newsenrich eval timex`: the temporal-expression stage on TempEval-3
//! TimeML data (TimeBank and AQUAINT), with the TempEval-3 task A metric.
//!
//! Each `.tml` file is read into its raw text (tags stripped, character
//! entities decoded), its document creation time (the DCT `TIMEX3`) and its
//! gold `TIMEX3` extents with type and value. The text goes through the real
//! pipeline with cleaning skipped (so offsets index the raw text) and the DCT
//! as `published_at`. Scores: strict extent P/R/F1 (same span), relaxed
//! P/R/F1 (overlap, one-to-one), type accuracy over relaxed matches, and
//! value F1 = (share of relaxed matches with the exact value) x relaxed F1.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};

use super::{EvalError, harmonic_f1, ratio};
use crate::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Feature, Features, Pipeline,
    PipelineConfig, Span,
};

/// Flags of `newsenrich eval timex`.
#[derive(Debug, clap::Args)]
pub struct TimexArgs {
    /// A folder of TimeML files; sub-folders (TimeBank, AQUAINT) are scored
    /// as separate corpora and together.
    #[arg(long)]
    pub tempeval: PathBuf,
    /// Print every miss, false alarm and wrong value.
    #[arg(long)]
    pub verbose: bool,
}

/// One gold expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldTimex {
    /// Byte range in the raw text.
    pub span: Span,
    /// TIMEX3 type.
    pub kind: String,
    /// TIMEX3 value.
    pub value: String,
}

/// One TimeML document.
#[derive(Debug, Clone)]
pub struct TimeMlDoc {
    /// File name.
    pub name: String,
    /// The text between `<TEXT>` and `</TEXT>`, tags stripped.
    pub text: String,
    /// Document creation date.
    pub dct: NaiveDate,
    /// Gold expressions in text order.
    pub gold: Vec<GoldTimex>,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    let rest = &tag[at..];
    Some(&rest[..rest.find('"')?])
}

fn decode_entity(s: &str) -> Option<(char, usize)> {
    for (name, c) in [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&apos;", '\''),
    ] {
        if s.starts_with(name) {
            return Some((c, name.len()));
        }
    }
    None
}

/// Parses one TimeML document.
pub fn parse_timeml(name: &str, xml: &str) -> Result<TimeMlDoc, String> {
    let dct_at = xml.find("<DCT>").ok_or("no <DCT>")?;
    let dct_tag_end = xml[dct_at..]
        .find('>')
        .map(|e| dct_at + e)
        .ok_or("bad DCT")?;
    let dct_timex = xml[dct_tag_end..].find("<TIMEX3").ok_or("no DCT TIMEX3")? + dct_tag_end;
    let dct_value = attr(&xml[dct_timex..], "value").ok_or("DCT without value")?;
    let dct = NaiveDate::parse_from_str(dct_value.get(..10).unwrap_or(dct_value), "%Y-%m-%d")
        .map_err(|e| format!("DCT {dct_value:?}: {e}"))?;
    let start = xml.find("<TEXT>").ok_or("no <TEXT>")? + "<TEXT>".len();
    let end = xml.find("</TEXT>").ok_or("no </TEXT>")?;
    let body = &xml[start..end];
    let mut text = String::with_capacity(body.len());
    let mut gold = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with('<') {
            let close = rest.find('>').ok_or("unclosed tag")?;
            let tag = &rest[..=close];
            if tag.starts_with("<TIMEX3") {
                let kind = attr(tag, "type").unwrap_or("").to_string();
                let value = attr(tag, "value").unwrap_or("").to_string();
                open = Some((text.len(), kind, value));
            } else if tag.starts_with("</TIMEX3")
                && let Some((s, kind, value)) = open.take()
            {
                gold.push(GoldTimex {
                    span: Span::new(s, text.len()),
                    kind,
                    value,
                });
            }
            i += close + 1;
        } else if let Some((c, len)) = rest.starts_with('&').then(|| decode_entity(rest)).flatten()
        {
            text.push(c);
            i += len;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            text.push(c);
            i += c.len_utf8();
        }
    }
    Ok(TimeMlDoc {
        name: name.to_string(),
        text,
        dct,
        gold,
    })
}

/// Counts of one corpus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimexScore {
    /// Gold expressions.
    pub gold: usize,
    /// Predicted expressions.
    pub predicted: usize,
    /// Predictions with exactly the gold extent.
    pub strict: usize,
    /// One-to-one overlapping pairs.
    pub relaxed: usize,
    /// Relaxed pairs with the same type.
    pub typed: usize,
    /// Relaxed pairs with the same value.
    pub valued: usize,
}

fn f1(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let (p, r) = (ratio(tp, pred), ratio(tp, gold));
    (p, r, harmonic_f1(p, r))
}

impl TimexScore {
    /// Strict precision, recall, F1.
    pub fn strict(&self) -> (f64, f64, f64) {
        f1(self.strict, self.predicted, self.gold)
    }

    /// Relaxed precision, recall, F1.
    pub fn relaxed(&self) -> (f64, f64, f64) {
        f1(self.relaxed, self.predicted, self.gold)
    }

    /// Share of relaxed matches with the right type.
    pub fn type_accuracy(&self) -> f64 {
        if self.relaxed == 0 {
            0.0
        } else {
            self.typed as f64 / self.relaxed as f64
        }
    }

    /// Share of relaxed matches with the right value, times relaxed F1.
    pub fn value_f1(&self) -> f64 {
        if self.relaxed == 0 {
            0.0
        } else {
            self.valued as f64 / self.relaxed as f64 * self.relaxed().2
        }
    }

    fn add(&mut self, o: &TimexScore) {
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.strict += o.strict;
        self.relaxed += o.relaxed;
        self.typed += o.typed;
        self.valued += o.valued;
    }
}

/// A predicted expression for scoring.
#[derive(Debug, Clone)]
pub struct Predicted {
    /// Byte range.
    pub span: Span,
    /// TIMEX3 type name.
    pub kind: &'static str,
    /// Value.
    pub value: String,
}

/// Scores one document; `report` receives a line per error when given.
pub fn score_doc(
    doc: &TimeMlDoc,
    predicted: &[Predicted],
    mut report: Option<&mut Vec<String>>,
) -> TimexScore {
    let mut s = TimexScore {
        gold: doc.gold.len(),
        predicted: predicted.len(),
        ..Default::default()
    };
    let mut used = vec![false; predicted.len()];
    let overlaps = |a: Span, b: Span| a.start < b.end && b.start < a.end;
    for g in &doc.gold {
        if predicted.iter().any(|p| p.span == g.span) {
            s.strict += 1;
        }
        let found = predicted
            .iter()
            .enumerate()
            .find(|(k, p)| !used[*k] && overlaps(p.span, g.span));
        let gtext = &doc.text[g.span.range()];
        match found {
            Some((k, p)) => {
                used[k] = true;
                s.relaxed += 1;
                s.typed += usize::from(p.kind == g.kind);
                if p.value == g.value {
                    s.valued += 1;
                } else if let Some(r) = report.as_deref_mut() {
                    r.push(format!(
                        "VALUE {} dct {} {:?} gold {} {} | got {:?} {} {} in {:?}",
                        doc.name,
                        doc.dct,
                        gtext,
                        g.kind,
                        g.value,
                        &doc.text[p.span.range()],
                        p.kind,
                        p.value,
                        context(&doc.text, g.span)
                    ));
                }
                if p.span != g.span
                    && let Some(r) = report.as_deref_mut()
                {
                    r.push(format!(
                        "EXTENT {} gold {:?} got {:?}",
                        doc.name,
                        gtext,
                        &doc.text[p.span.range()]
                    ));
                }
            }
            None => {
                if let Some(r) = report.as_deref_mut() {
                    r.push(format!(
                        "MISS {} {:?} {} {} in {:?}",
                        doc.name,
                        gtext,
                        g.kind,
                        g.value,
                        context(&doc.text, g.span)
                    ));
                }
            }
        }
    }
    if let Some(r) = report {
        for (k, p) in predicted.iter().enumerate() {
            if !used[k] {
                r.push(format!(
                    "FALSE {} {:?} {} {} in {:?}",
                    doc.name,
                    &doc.text[p.span.range()],
                    p.kind,
                    p.value,
                    context(&doc.text, p.span)
                ));
            }
        }
    }
    s
}

fn context(text: &str, span: Span) -> String {
    let mut a = span.start.saturating_sub(50);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (span.end + 50).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    text[a..b].replace('\n', " ")
}

/// Runs the pipeline over one document.
pub fn predict(pipeline: &Pipeline, doc: &TimeMlDoc) -> Result<Vec<Predicted>, String> {
    let published = Utc.from_utc_datetime(&doc.dct.and_hms_opt(0, 0, 0).unwrap_or_default());
    let article = ArticleInput {
        id: doc.name.clone(),
        url: None,
        title: None,
        content: Content::Text(doc.text.clone()),
        published_at: Some(published),
        language: Some("en".into()),
        time_zone: chrono_tz::Tz::UTC,
    };
    let options = EnrichOptions {
        skip_cleaning: true,
        features: [Feature::Dates].into_iter().collect::<Features>(),
        ..Default::default()
    };
    let e = pipeline
        .enrich(&article, &options, &Budget::unlimited())
        .map_err(|e| e.to_string())?;
    Ok(e.dates
        .iter()
        .map(|t| Predicted {
            span: t.span,
            kind: t.kind.as_str(),
            value: t.value.clone(),
        })
        .collect())
}

fn read_corpus(dir: &Path) -> Result<Vec<TimeMlDoc>, EvalError> {
    let io = |source| EvalError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let xml = std::fs::read_to_string(p).map_err(|source| EvalError::Io {
                path: p.clone(),
                source,
            })?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            parse_timeml(&name.unwrap_or_default(), &xml).map_err(|problem| EvalError::Format {
                path: p.clone(),
                problem,
            })
        })
        .collect()
}

/// Runs `newsenrich eval timex`.
pub fn run_command(args: &TimexArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let pipeline = Pipeline::new(PipelineConfig::default()).map_err(|e| EvalError::Format {
        path: PathBuf::from("<pipeline>"),
        problem: e.to_string(),
    })?;
    let mut corpora: Vec<(String, PathBuf)> = std::fs::read_dir(&args.tempeval)
        .map_err(|source| EvalError::Io {
            path: args.tempeval.clone(),
            source,
        })?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    corpora.sort();
    if corpora.is_empty() {
        corpora.push(("all".into(), args.tempeval.clone()));
    }
    let w = |r: std::io::Result<()>| r.map_err(EvalError::Output);
    let mut rows = Vec::new();
    let mut total = TimexScore::default();
    let mut errors = Vec::new();
    for (name, dir) in &corpora {
        let docs = read_corpus(dir)?;
        let mut score = TimexScore::default();
        for doc in &docs {
            let predicted = predict(&pipeline, doc).map_err(|problem| EvalError::Format {
                path: dir.join(&doc.name),
                problem,
            })?;
            let s = score_doc(doc, &predicted, args.verbose.then_some(&mut errors));
            score.add(&s);
        }
        total.add(&score);
        rows.push((format!("{name} ({} docs)", docs.len()), score));
    }
    rows.push(("overall".to_string(), total));
    if args.verbose {
        for e in &errors {
            w(writeln!(out, "{e}"))?;
        }
    }
    w(writeln!(
        out,
        "{:<22} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "corpus",
        "gold",
        "pred",
        "str.P",
        "str.R",
        "str.F1",
        "rel.P",
        "rel.R",
        "rel.F1",
        "type",
        "value.F1"
    ))?;
    for (name, s) in &rows {
        let (sp, sr, sf) = s.strict();
        let (rp, rr, rf) = s.relaxed();
        w(writeln!(
            out,
            "{:<22} {:>5} {:>5} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4}",
            name,
            s.gold,
            s.predicted,
            sp,
            sr,
            sf,
            rp,
            rr,
            rf,
            s.type_accuracy(),
            s.value_f1()
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1998-08-07" functionInDocument="CREATION_TIME">1998-08-07</TIMEX3></DCT>
<TEXT>Bombs <EVENT eid="e1">exploded</EVENT> <TIMEX3 tid="t1" type="DATE" value="1998-08-07">Friday</TIMEX3> &amp; for <TIMEX3 tid="t2" type="DURATION" value="P2D">two days</TIMEX3>.</TEXT></TimeML>"#;

    #[test]
    fn timeml_is_stripped_to_text_with_gold_offsets() {
        let d = parse_timeml("x.tml", DOC).unwrap();
        assert_eq!(d.text, "Bombs exploded Friday & for two days.");
        assert_eq!(d.dct, NaiveDate::from_ymd_opt(1998, 8, 7).unwrap());
        assert_eq!(d.gold.len(), 2);
        assert_eq!(&d.text[d.gold[0].span.range()], "Friday");
        assert_eq!(&d.text[d.gold[1].span.range()], "two days");
        assert_eq!(d.gold[1].value, "P2D");
    }

    #[test]
    fn strict_relaxed_and_value_counts() {
        let d = parse_timeml("x.tml", DOC).unwrap();
        let friday = d.gold[0].span;
        let days = d.gold[1].span;
        let predicted = vec![
            Predicted {
                span: friday,
                kind: "DATE",
                value: "1998-08-07".into(),
            },
            // Overlaps "two days" but is longer, with a wrong value.
            Predicted {
                span: Span::new(days.start - 4, days.end),
                kind: "DURATION",
                value: "P3D".into(),
            },
            Predicted {
                span: Span::new(0, 5),
                kind: "DATE",
                value: "X".into(),
            },
        ];
        let s = score_doc(&d, &predicted, None);
        assert_eq!(
            (s.gold, s.predicted, s.strict, s.relaxed, s.typed, s.valued),
            (2, 3, 1, 2, 2, 1)
        );
        let (_, _, rf) = s.relaxed();
        assert!((rf - 0.8).abs() < 1e-9);
        assert!((s.value_f1() - 0.4).abs() < 1e-9);
    }
}
