//! `newsenrich enrich`: the same pipeline and the same protobuf conversion
//! as the server, over files or standard input, printing one
//! `EnrichedArticle` per line as proto3 JSON (what grpcurl prints).

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::api::convert;
use crate::api::v1;
use crate::error::Error;
use crate::pipeline::budget::CancelFlag;
use crate::pipeline::{Budget, Enricher, Pipeline, PipelineConfig};

/// Settings of `newsenrich enrich`.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Publication date or time of the articles: YYYY-MM-DD (midnight in
    /// --time-zone) or RFC 3339.
    #[arg(long)]
    pub published_at: Option<String>,
    /// Treat every input as HTML (inputs named *.html or *.htm always are).
    #[arg(long)]
    pub html: bool,
    /// URL of the article.
    #[arg(long)]
    pub url: Option<String>,
    /// BCP-47 language hint.
    #[arg(long)]
    pub language: Option<String>,
    /// IANA time zone of the articles [default: UTC].
    #[arg(long)]
    pub time_zone: Option<String>,
    /// The input is already the body text: no normalisation or cleaning.
    #[arg(long)]
    pub skip_cleaning: bool,
    /// Analyses to run: a comma-separated list of entities, quotes, dates,
    /// or "none" [default: all].
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Unit of every offset in the output.
    #[arg(long, value_enum, default_value_t = OffsetArg::CodePoints)]
    pub offset_encoding: OffsetArg,
    /// Pretty-print each record (several lines per article).
    #[arg(long)]
    pub pretty: bool,
    /// Time budget of one article, as for `serve`: past it the stage that
    /// runs is cut short and later ones are skipped, each with a
    /// TIME_BUDGET warning in the record ("0s" for none).
    #[arg(long, env = "NEWSENRICH_ARTICLE_TIME_BUDGET", default_value = "10s", value_parser = humantime::parse_duration)]
    pub article_time_budget: std::time::Duration,
    /// Read articles from a JSON Lines file, one proto3-JSON Article per
    /// line, instead of FILE arguments.
    #[arg(long, conflicts_with_all = ["files", "html", "url", "published_at", "language", "time_zone"])]
    pub articles: Option<PathBuf>,
    /// Article files; standard input when none is given.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `--offset-encoding` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OffsetArg {
    /// Unicode code points.
    CodePoints,
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units.
    Utf16,
}

/// Why `enrich` failed as a whole (per-article problems are reported and
/// counted instead).
#[derive(Debug, thiserror::Error)]
pub enum EnrichCliError {
    /// A flag has a bad value.
    #[error("{0}")]
    Usage(String),
    /// An input could not be read or the output written.
    #[error("{path}: {source}")]
    Io {
        /// The file (or "-" for standard streams).
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The pipeline could not be loaded.
    #[error("{0}")]
    Pipeline(#[from] Error),
}

/// Enriches every input, printing records to `out` and per-article errors to
/// `err`; returns how many articles failed.
pub fn run(
    args: &EnrichArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<usize, EnrichCliError> {
    let options = options(args)?;
    let budget = (!args.article_time_budget.is_zero()).then_some(args.article_time_budget);
    let pipeline = Pipeline::new(PipelineConfig {
        max_article_bytes: usize::MAX,
        ..PipelineConfig::default()
    })?;
    let mut failed = 0;
    let mut handle =
        |label: &str, article: Result<v1::Article, String>| -> Result<(), EnrichCliError> {
            let outcome = article.map_err(|m| m.to_string()).and_then(|a| {
                enrich_one(&pipeline, a, options.clone(), budget).map_err(|e| e.to_string())
            });
            let io = |source| EnrichCliError::Io {
                path: "-".into(),
                source,
            };
            match outcome {
                Ok(record) => {
                    let json = if args.pretty {
                        serde_json::to_string_pretty(&record)
                    } else {
                        serde_json::to_string(&record)
                    }
                    .map_err(|e| EnrichCliError::Usage(format!("cannot encode the record: {e}")))?;
                    writeln!(out, "{json}").map_err(io)?;
                }
                Err(message) => {
                    failed += 1;
                    writeln!(err, "newsenrich: {label}: {message}").map_err(io)?;
                }
            }
            Ok(())
        };

    if let Some(path) = &args.articles {
        let file = std::fs::File::open(path).map_err(|source| EnrichCliError::Io {
            path: path.display().to_string(),
            source,
        })?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| EnrichCliError::Io {
                path: path.display().to_string(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            let label = format!("{}:{}", path.display(), n + 1);
            let article = serde_json::from_str::<v1::Article>(&line)
                .map_err(|e| format!("not a proto3-JSON Article: {e}"));
            handle(&label, article)?;
        }
        return Ok(failed);
    }

    let published_at = args
        .published_at
        .as_deref()
        .map(|s| parse_published_at(s, args.time_zone.as_deref()))
        .transpose()
        .map_err(EnrichCliError::Usage)?;
    let template = v1::Article {
        url: args.url.clone().unwrap_or_default(),
        published_at: published_at.map(convert::chrono_to_timestamp),
        language: args.language.clone().unwrap_or_default(),
        time_zone: args.time_zone.clone().unwrap_or_default(),
        ..Default::default()
    };
    if args.files.is_empty() {
        let mut input = Vec::new();
        std::io::stdin()
            .read_to_end(&mut input)
            .map_err(|source| EnrichCliError::Io {
                path: "-".into(),
                source,
            })?;
        let article = decode_input(input, args.html)
            .map(|content| with_content(&template, "stdin", content, args.html));
        handle("-", article)?;
    } else {
        for path in &args.files {
            let label = path.display().to_string();
            let html = args.html || is_html(path);
            let article = std::fs::read(path)
                .map_err(|e| format!("cannot read: {e}"))
                .and_then(|bytes| decode_input(bytes, html))
                .map(|content| with_content(&template, &label, content, html));
            handle(&label, article)?;
        }
    }
    Ok(failed)
}

/// Text must be UTF-8; HTML is decoded from the charset it declares (or a
/// byte-order mark), as a browser would.
fn decode_input(bytes: Vec<u8>, html: bool) -> Result<String, String> {
    if html {
        Ok(crate::pipeline::html::decode::decode_html(&bytes))
    } else {
        String::from_utf8(bytes)
            .map_err(|e| format!("is not UTF-8 text ({e}); convert it first, e.g. with iconv"))
    }
}

fn with_content(template: &v1::Article, id: &str, content: String, html: bool) -> v1::Article {
    let mut a = template.clone();
    a.id = id.to_string();
    a.content = Some(if html {
        v1::article::Content::Html(content)
    } else {
        v1::article::Content::Text(content)
    });
    a
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn enrich_one(
    pipeline: &Pipeline,
    article: v1::Article,
    options: v1::EnrichOptions,
    time_budget: Option<std::time::Duration>,
) -> Result<v1::EnrichedArticle, Error> {
    let (article, options) = convert::request_from_proto(Some(article), Some(options))?;
    let budget = Budget::new(time_budget, CancelFlag::new());
    let enriched = pipeline
        .enrich(&article, &options, &budget)
        .map_err(|e| e.in_field("article"))?;
    Ok(convert::enriched_to_proto(&enriched))
}

fn options(args: &EnrichArgs) -> Result<v1::EnrichOptions, EnrichCliError> {
    let mut features = Vec::new();
    for f in &args.features {
        let value = match f.trim() {
            "entities" => v1::Feature::Entities,
            "quotes" => v1::Feature::Quotes,
            "dates" => v1::Feature::Dates,
            "none" => v1::Feature::None,
            other => {
                return Err(EnrichCliError::Usage(format!(
                    "--features: unknown feature {other:?}; expected entities, quotes, dates or none"
                )));
            }
        };
        features.push(value as i32);
    }
    let offset_encoding = match args.offset_encoding {
        OffsetArg::CodePoints => v1::OffsetEncoding::CodePoints,
        OffsetArg::Utf8 => v1::OffsetEncoding::Utf8,
        OffsetArg::Utf16 => v1::OffsetEncoding::Utf16,
    };
    Ok(v1::EnrichOptions {
        offset_encoding: offset_encoding as i32,
        skip_cleaning: args.skip_cleaning,
        features,
    })
}

/// Parses `--published-at`: a date (midnight in `time_zone`) or RFC 3339.
pub fn parse_published_at(value: &str, time_zone: Option<&str>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        format!("--published-at: {value:?} is neither a date (YYYY-MM-DD) nor an RFC 3339 time")
    })?;
    let tz = convert::parse_time_zone(time_zone.unwrap_or(""))
        .map_err(|e| format!("--time-zone: {e}"))?;
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| format!("--published-at: {value:?} has no midnight"))?;
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("--published-at: midnight of {value} does not exist in {tz}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_at_accepts_dates_and_rfc3339() {
        let d = parse_published_at("2023-02-25", None).unwrap();
        assert_eq!(d.to_rfc3339(), "2023-02-25T00:00:00+00:00");
        let m = parse_published_at("2022-12-19", Some("Europe/Madrid")).unwrap();
        assert_eq!(m.to_rfc3339(), "2022-12-18T23:00:00+00:00");
        let t = parse_published_at("2022-12-16T10:30:00-05:00", None).unwrap();
        assert_eq!(t.to_rfc3339(), "2022-12-16T15:30:00+00:00");
        assert!(
            parse_published_at("yesterday", None)
                .unwrap_err()
                .contains("--published-at")
        );
    }
}
