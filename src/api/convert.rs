//! The one place that converts between protobuf messages and the pipeline's
//! domain types, validating requests on the way in (every problem becomes an
//! [`Error::InvalidArgument`] naming the field) and mapping spans to the
//! requested offset encoding on the way out. The server and the CLI both use
//! it, so they print the same records.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::v1;
use crate::error::Error;
use crate::pipeline::dates::TimexType;
use crate::pipeline::entities::EntityType;
use crate::pipeline::quotes::QuoteKind;
use crate::pipeline::{
    self, ArticleInput, Content, EnrichOptions, Enriched, Feature, Features, OffsetEncoding,
    PublishedAtSource, RemovedKind, Span, Warning, WarningCode,
};

/// Validates an `Article` message. Field paths in errors are relative to the
/// article (`content.text`, `time_zone`); callers prefix them.
pub fn article_from_proto(article: v1::Article) -> Result<ArticleInput, Error> {
    let content = match article.content {
        None => {
            return Err(Error::invalid(
                "content",
                "is missing: set either text or html",
            ));
        }
        Some(v1::article::Content::Text(t)) => Content::Text(t),
        Some(v1::article::Content::Html(h)) => Content::Html(h),
    };
    if content.as_str().is_empty() {
        return Err(Error::invalid(content.field_name(), "is empty"));
    }
    let time_zone =
        parse_time_zone(&article.time_zone).map_err(|p| Error::invalid("time_zone", p))?;
    let language = match article.language.trim() {
        "" => None,
        tag => {
            Some(pipeline::language::parse_hint(tag).map_err(|p| Error::invalid("language", p))?)
        }
    };
    let published_at = article
        .published_at
        .map(|ts| timestamp_to_chrono(&ts).map_err(|p| Error::invalid("published_at", p)))
        .transpose()?;
    Ok(ArticleInput {
        id: article.id,
        url: non_empty(article.url),
        title: non_empty(article.title.trim().to_string()),
        content,
        published_at,
        language,
        time_zone,
    })
}

/// Validates the article and options of an `EnrichArticle` or stream
/// request; field paths in errors start at `article` and `options`.
pub fn request_from_proto(
    article: Option<v1::Article>,
    options: Option<v1::EnrichOptions>,
) -> Result<(ArticleInput, EnrichOptions), Error> {
    let options = options_from_proto(options).map_err(|e| e.in_field("options"))?;
    let article = article.ok_or_else(|| Error::invalid("article", "is missing"))?;
    let article = article_from_proto(article).map_err(|e| e.in_field("article"))?;
    Ok((article, options))
}

/// Parses an IANA time-zone name; empty means UTC.
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    // Echo at most 40 characters of the caller's value (found by fuzzing).
    Tz::from_str(name).map_err(|_| {
        let echo: String = name.chars().take(40).collect();
        format!("{echo:?} is not a known IANA time-zone name")
    })
}

/// Validates `EnrichOptions`; absent means defaults. Field paths are relative
/// to the options (`offset_encoding`); callers prefix them with `options`.
pub fn options_from_proto(options: Option<v1::EnrichOptions>) -> Result<EnrichOptions, Error> {
    let Some(options) = options else {
        return Ok(EnrichOptions::default());
    };
    let offset_encoding = match v1::OffsetEncoding::try_from(options.offset_encoding) {
        Ok(v1::OffsetEncoding::Unspecified | v1::OffsetEncoding::CodePoints) => {
            OffsetEncoding::CodePoints
        }
        Ok(v1::OffsetEncoding::Utf8) => OffsetEncoding::Utf8,
        Ok(v1::OffsetEncoding::Utf16) => OffsetEncoding::Utf16,
        Err(_) => {
            return Err(Error::invalid(
                "offset_encoding",
                format!("unknown value {}", options.offset_encoding),
            ));
        }
    };
    let features = features_from_proto(&options.features)?;
    Ok(EnrichOptions {
        offset_encoding,
        skip_cleaning: options.skip_cleaning,
        features,
    })
}

fn features_from_proto(values: &[i32]) -> Result<Features, Error> {
    if values.is_empty() {
        return Ok(Features::all());
    }
    let mut set = Features::none();
    let mut none = false;
    for (i, &value) in values.iter().enumerate() {
        match v1::Feature::try_from(value) {
            Ok(v1::Feature::Entities) => set.insert(Feature::Entities),
            Ok(v1::Feature::Quotes) => set.insert(Feature::Quotes),
            Ok(v1::Feature::Dates) => set.insert(Feature::Dates),
            Ok(v1::Feature::None) => none = true,
            Ok(v1::Feature::Unspecified) => {}
            Err(_) => {
                return Err(Error::invalid(
                    format!("features[{i}]"),
                    format!("unknown value {value}"),
                ));
            }
        }
    }
    if none && set != Features::none() {
        return Err(Error::invalid(
            "features",
            "FEATURE_NONE cannot be combined with other features",
        ));
    }
    Ok(set)
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Converts a protobuf timestamp, rejecting values outside the range the
/// proto3 JSON mapping allows (0001-01-01 to 9999-12-31) or with bad nanos.
pub fn timestamp_to_chrono(ts: &super::Timestamp) -> Result<DateTime<Utc>, String> {
    const MIN: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    if !(MIN..=MAX).contains(&ts.seconds) {
        return Err(format!(
            "seconds {} is outside 0001-01-01..9999-12-31",
            ts.seconds
        ));
    }
    let nanos = u32::try_from(ts.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or_else(|| format!("nanos {} is outside 0..999999999", ts.nanos))?;
    DateTime::from_timestamp(ts.seconds, nanos).ok_or_else(|| "is not a valid time".to_string())
}

/// Converts a chrono time to a protobuf timestamp.
pub fn chrono_to_timestamp(t: DateTime<Utc>) -> super::Timestamp {
    super::Timestamp::from(t)
}

/// Converts a std duration to a protobuf duration.
pub fn duration_to_proto(d: std::time::Duration) -> pbjson_types::Duration {
    pbjson_types::Duration {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

/// Converts an enriched record to its message, spans in the requested encoding.
pub fn enriched_to_proto(e: &Enriched) -> v1::EnrichedArticle {
    let doc = &e.document;
    let span = |s: Span| {
        let (start, end) = doc.span(s, e.offset_encoding);
        v1::TextSpan { start, end }
    };
    v1::EnrichedArticle {
        id: e.id.clone(),
        title: e.title.clone().unwrap_or_default(),
        authors: e.authors.clone(),
        dateline: e.dateline.as_ref().map(|d| v1::Dateline {
            location: d.location.clone(),
            source: d.source.clone(),
            date: d.date.clone(),
            text: d.text.clone(),
        }),
        published_at: e.published_at.map(chrono_to_timestamp),
        published_at_source: published_at_source_to_proto(e.published_at_source) as i32,
        language: e.language.clone(),
        text: doc.text().to_string(),
        paragraphs: doc.paragraphs().iter().map(|&p| span(p)).collect(),
        removed: e
            .removed
            .iter()
            .map(|r| v1::RemovedBlock {
                text: r.text.clone(),
                kind: removed_kind_to_proto(r.kind) as i32,
            })
            .collect(),
        entities: e
            .entities
            .iter()
            .map(|entity| v1::Entity {
                id: entity.id.clone(),
                r#type: entity_type_to_proto(entity.kind) as i32,
                name: entity.name.clone(),
                aliases: entity.aliases.clone(),
                mentions: entity
                    .mentions
                    .iter()
                    .map(|&m| v1::Mention {
                        span: Some(span(m)),
                        text: doc.slice(m).to_owned(),
                    })
                    .collect(),
                salience: entity.salience,
                roles: entity.roles.clone(),
            })
            .collect(),
        quotes: e
            .quotes
            .iter()
            .map(|q| v1::Quote {
                text: q.text.clone(),
                span: Some(span(q.span)),
                kind: quote_kind_to_proto(q.kind) as i32,
                speaker: q.speaker.clone(),
                speaker_entity_id: q.speaker_entity_id.clone().unwrap_or_default(),
                speaker_span: q.speaker_span.map(span),
                cue: q.cue.clone(),
                cue_span: q.cue_span.map(span),
                confidence: q.confidence,
            })
            .collect(),
        dates: e
            .dates
            .iter()
            .map(|t| v1::TemporalExpression {
                text: doc.slice(t.span).to_owned(),
                span: Some(span(t.span)),
                r#type: temporal_type_to_proto(t.kind) as i32,
                value: t.value.clone(),
                r#mod: t.modifier.unwrap_or_default().to_owned(),
                start: t.interval.map(|(s, _)| chrono_to_timestamp(s)),
                end: t.interval.map(|(_, e)| chrono_to_timestamp(e)),
                anchored: t.anchored,
            })
            .collect(),
        simhash: e.simhash,
        warnings: e.warnings.iter().map(warning_to_proto).collect(),
        producer: Some(producer()),
        url: e.url.clone().unwrap_or_default(),
        site_name: e.site_name.clone().unwrap_or_default(),
    }
}

/// The release and model versions of this build, for every record.
pub fn producer() -> v1::Producer {
    static PRODUCER: std::sync::LazyLock<v1::Producer> =
        std::sync::LazyLock::new(|| v1::Producer {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            model_versions: crate::pipeline::model_versions()
                .into_iter()
                .map(|(name, version)| v1::ModelVersion {
                    name: name.to_owned(),
                    version,
                })
                .collect(),
        });
    PRODUCER.clone()
}

/// The message of a warning.
pub fn warning_to_proto(w: &Warning) -> v1::Warning {
    v1::Warning {
        code: warning_code_to_proto(w.code) as i32,
        stage: w.stage.to_owned(),
        message: w.message.clone(),
    }
}

/// The message enum of a warning code.
pub fn warning_code_to_proto(code: WarningCode) -> v1::WarningCode {
    match code {
        WarningCode::TimeBudget => v1::WarningCode::TimeBudget,
        WarningCode::ListCapped => v1::WarningCode::ListCapped,
        WarningCode::InputLimit => v1::WarningCode::InputLimit,
        WarningCode::MalformedInput => v1::WarningCode::MalformedInput,
        WarningCode::ExtractionFallback => v1::WarningCode::ExtractionFallback,
        WarningCode::ResponseTrimmed => v1::WarningCode::ResponseTrimmed,
    }
}

/// The message enum of a quote kind.
pub fn quote_kind_to_proto(k: QuoteKind) -> v1::QuoteKind {
    match k {
        QuoteKind::Direct => v1::QuoteKind::Direct,
        QuoteKind::Mixed => v1::QuoteKind::Mixed,
        QuoteKind::Indirect => v1::QuoteKind::Indirect,
    }
}

/// The message enum of an entity type.
pub fn entity_type_to_proto(k: EntityType) -> v1::EntityType {
    match k {
        EntityType::Person => v1::EntityType::Person,
        EntityType::Organization => v1::EntityType::Organization,
        EntityType::Location => v1::EntityType::Location,
        EntityType::Misc => v1::EntityType::Misc,
    }
}

/// The message enum of a TIMEX3 type.
pub fn temporal_type_to_proto(k: TimexType) -> v1::TemporalType {
    match k {
        TimexType::Date => v1::TemporalType::Date,
        TimexType::Time => v1::TemporalType::Time,
        TimexType::Duration => v1::TemporalType::Duration,
        TimexType::Set => v1::TemporalType::Set,
    }
}

fn published_at_source_to_proto(s: PublishedAtSource) -> v1::PublishedAtSource {
    match s {
        PublishedAtSource::Unknown => v1::PublishedAtSource::Unspecified,
        PublishedAtSource::Request => v1::PublishedAtSource::Request,
        PublishedAtSource::ArticleContent => v1::PublishedAtSource::ArticleContent,
        PublishedAtSource::HtmlMetadata => v1::PublishedAtSource::HtmlMetadata,
    }
}

fn removed_kind_to_proto(k: RemovedKind) -> v1::RemovedKind {
    match k {
        RemovedKind::ShareWidget => v1::RemovedKind::ShareWidget,
        RemovedKind::Navigation => v1::RemovedKind::Navigation,
        RemovedKind::RelatedLinks => v1::RemovedKind::RelatedLinks,
        RemovedKind::Newsletter => v1::RemovedKind::Newsletter,
        RemovedKind::Comments => v1::RemovedKind::Comments,
        RemovedKind::Caption => v1::RemovedKind::Caption,
        RemovedKind::Credit => v1::RemovedKind::Credit,
        RemovedKind::Disclaimer => v1::RemovedKind::Disclaimer,
        RemovedKind::MetadataLine => v1::RemovedKind::MetadataLine,
        RemovedKind::Advertisement => v1::RemovedKind::Advertisement,
        RemovedKind::Tags => v1::RemovedKind::Tags,
        RemovedKind::Other => v1::RemovedKind::Other,
    }
}

/// The gRPC status code of an error. This is the only mapping from library
/// errors to gRPC codes; `to_status` and `article_error` use it.
pub fn grpc_code(err: &Error) -> tonic::Code {
    match err {
        Error::InvalidArgument { .. } => tonic::Code::InvalidArgument,
        Error::Overloaded(_) => tonic::Code::ResourceExhausted,
        Error::DeadlineExceeded(_) => tonic::Code::DeadlineExceeded,
        Error::Cancelled => tonic::Code::Cancelled,
        Error::ShuttingDown | Error::NotReady => tonic::Code::Unavailable,
        Error::Internal(_) => tonic::Code::Internal,
    }
}

/// The gRPC status of an error that fails a whole call.
pub fn to_status(err: &Error) -> tonic::Status {
    tonic::Status::new(grpc_code(err), err.to_string())
}

/// The per-article error of a batch or stream result.
pub fn article_error(article_id: &str, err: &Error) -> v1::ArticleError {
    v1::ArticleError {
        article_id: article_id.to_string(),
        code: grpc_code(err) as i32,
        message: err.to_string(),
    }
}

/// The protobuf value of a domain feature.
pub fn feature_to_proto(f: Feature) -> v1::Feature {
    match f {
        Feature::Entities => v1::Feature::Entities,
        Feature::Quotes => v1::Feature::Quotes,
        Feature::Dates => v1::Feature::Dates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_article(text: &str) -> v1::Article {
        v1::Article {
            content: Some(v1::article::Content::Text(text.into())),
            ..Default::default()
        }
    }

    fn problem(a: v1::Article) -> String {
        article_from_proto(a)
            .expect_err("must be rejected")
            .to_string()
    }

    #[test]
    fn missing_and_empty_content_name_the_field() {
        assert!(problem(v1::Article::default()).starts_with("content: is missing"));
        assert_eq!(problem(text_article("")), "content.text: is empty");
        let html = v1::Article {
            content: Some(v1::article::Content::Html(String::new())),
            ..Default::default()
        };
        assert_eq!(problem(html), "content.html: is empty");
    }

    #[test]
    fn time_zone_defaults_to_utc_and_unknown_names_are_rejected() {
        let a = article_from_proto(text_article("x")).unwrap();
        assert_eq!(a.time_zone, Tz::UTC);
        let mut bad = text_article("x");
        bad.time_zone = "Mars/Olympus".into();
        assert!(problem(bad).starts_with("time_zone: \"Mars/Olympus\""));
        let mut ok = text_article("x");
        ok.time_zone = "Europe/Madrid".into();
        assert_eq!(
            article_from_proto(ok).unwrap().time_zone,
            Tz::Europe__Madrid
        );
    }

    /// Regression (fuzz target `request_decode`): an unknown time zone of
    /// any length was echoed whole in the error, so one request could make
    /// an error message (and a grpc-message header) of megabytes.
    #[test]
    fn fuzz_regression_unknown_time_zone_echo_is_bounded() {
        let mut bad = text_article("x");
        bad.time_zone = "Z".repeat(100_000);
        let message = problem(bad);
        assert!(message.starts_with("time_zone: \"ZZZZ"), "{message}");
        assert!(message.len() < 200, "{} bytes", message.len());
    }

    #[test]
    fn out_of_range_timestamps_are_rejected() {
        let mut a = text_article("x");
        a.published_at = Some(crate::api::Timestamp {
            seconds: 0,
            nanos: -1,
        });
        assert!(problem(a).starts_with("published_at: nanos -1"));
        let mut b = text_article("x");
        b.published_at = Some(crate::api::Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        });
        assert!(problem(b).starts_with("published_at: seconds"));
    }

    #[test]
    fn features_none_and_unknown_values() {
        let opts = |features: Vec<i32>| {
            options_from_proto(Some(v1::EnrichOptions {
                features,
                ..Default::default()
            }))
        };
        assert_eq!(opts(vec![]).unwrap().features, Features::all());
        assert_eq!(opts(vec![4]).unwrap().features, Features::none());
        let only_dates = opts(vec![3]).unwrap().features;
        assert!(only_dates.contains(Feature::Dates) && !only_dates.contains(Feature::Quotes));
        assert_eq!(
            opts(vec![1, 4]).unwrap_err().to_string(),
            "features: FEATURE_NONE cannot be combined with other features"
        );
        assert_eq!(
            opts(vec![1, 99]).unwrap_err().to_string(),
            "features[1]: unknown value 99"
        );
    }

    #[test]
    fn every_error_kind_has_its_code() {
        assert_eq!(
            grpc_code(&Error::invalid("a", "b")),
            tonic::Code::InvalidArgument
        );
        assert_eq!(
            grpc_code(&Error::Overloaded("x".into())),
            tonic::Code::ResourceExhausted
        );
        assert_eq!(
            grpc_code(&Error::DeadlineExceeded(5)),
            tonic::Code::DeadlineExceeded
        );
        assert_eq!(grpc_code(&Error::ShuttingDown), tonic::Code::Unavailable);
        assert_eq!(
            grpc_code(&Error::Internal("p".into())),
            tonic::Code::Internal
        );
        let e = article_error("a1", &Error::invalid("article.language", "bad"));
        assert_eq!((e.article_id.as_str(), e.code), ("a1", 3));
    }

    mod spans {
        //! Property: every span of a record slices its text on character
        //! boundaries in all three encodings, and the three slices agree.
        use super::*;
        use crate::pipeline::{Budget, Enricher, Pipeline, PipelineConfig};
        use proptest::prelude::*;

        fn slice(text: &str, span: &v1::TextSpan, encoding: OffsetEncoding) -> Option<String> {
            let (s, e) = (span.start as usize, span.end as usize);
            match encoding {
                OffsetEncoding::Utf8 => text.get(s..e).map(str::to_string),
                OffsetEncoding::CodePoints => {
                    let chars: Vec<char> = text.chars().collect();
                    chars.get(s..e).map(|c| c.iter().collect())
                }
                OffsetEncoding::Utf16 => {
                    let units: Vec<u16> = text.encode_utf16().collect();
                    units.get(s..e).and_then(|u| String::from_utf16(u).ok())
                }
            }
        }

        fn messy() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("\n".to_string()),
                    Just("\r\n\r\n".to_string()),
                    Just(" \u{00A0}\t".to_string()),
                    Just("\u{200B}\u{FEFF}\u{00AD}".to_string()),
                    Just("e\u{0301}".to_string()),
                    Just("\u{201C}quote\u{201D}".to_string()),
                    Just("😀👍🏽".to_string()),
                    Just("日本語".to_string()),
                    "[a-zA-Z .,]{1,30}",
                    any::<String>(),
                ],
                1..40,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn every_paragraph_span_slices_the_text_in_every_encoding(
                input in messy(),
                skip_cleaning in any::<bool>(),
            ) {
                prop_assume!(!input.trim().is_empty());
                let pipeline = Pipeline::new(PipelineConfig::default()).unwrap();
                let article = ArticleInput {
                    id: "p".into(),
                    url: None,
                    title: None,
                    content: Content::Text(input.clone()),
                    published_at: None,
                    language: None,
                    time_zone: Tz::UTC,
                };
                let mut slices: Vec<Vec<String>> = Vec::new();
                for encoding in [OffsetEncoding::CodePoints, OffsetEncoding::Utf8, OffsetEncoding::Utf16] {
                    let options = EnrichOptions { offset_encoding: encoding, skip_cleaning, ..Default::default() };
                    let e = pipeline.enrich(&article, &options, &Budget::unlimited()).unwrap();
                    let record = enriched_to_proto(&e);
                    if skip_cleaning {
                        prop_assert_eq!(&record.text, &input);
                    }
                    let mut these = Vec::new();
                    for span in &record.paragraphs {
                        prop_assert!(span.start < span.end);
                        let s = slice(&record.text, span, encoding);
                        prop_assert!(s.is_some(), "{:?} does not slice in {:?}", span, encoding);
                        these.push(s.unwrap_or_default());
                    }
                    slices.push(these);
                }
                prop_assert_eq!(&slices[0], &slices[1]);
                prop_assert_eq!(&slices[1], &slices[2]);
            }
        }
    }
}
