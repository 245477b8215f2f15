//! The one place that converts between protobuf messages and the pipeline's
//! domain types, validating requests on the way in (every problem becomes an
//! [`Error::InvalidArgument`] naming the field by its path in the request)
//! and mapping spans to the requested offset encoding on the way out; and
//! the one place that turns an [`Error`] into what a caller sees: a gRPC
//! status with google.rpc details ([`to_status`]) or, for one article of a
//! batch or stream, an `ArticleError` ([`article_error`]). The server and
//! the CLI both use it, so they print the same records.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{rpc, v1};
use crate::error::{DOMAIN, Echo, Error, reason};
use crate::pipeline::dates::TimexType;
use crate::pipeline::entities::{EntityType, Place, PlaceFeature};
use crate::pipeline::quotes::QuoteKind;
use crate::pipeline::repair::CorrectionKind;
use crate::pipeline::{
    self, ArticleInput, Content, EnrichOptions, Enriched, Feature, Features, OffsetEncoding,
    PublishedAtSource, RemovedKind, Span, Warning, WarningCode,
};

/// Validates an `Article` message. Field paths in errors are relative to the
/// article (`text`, `time_zone`); callers prefix them. A missing content is
/// reported on `content`, the name of the oneof, as neither field is there.
pub fn article_from_proto(article: v1::Article) -> Result<ArticleInput, Error> {
    let content = match article.content {
        None => {
            return Err(Error::invalid_because(
                reason::FIELD_MISSING,
                "content",
                "is missing: set either text or html",
            ));
        }
        Some(v1::article::Content::Text(t)) => Content::Text(t),
        Some(v1::article::Content::Html(h)) => Content::Html(h),
    };
    if content.as_str().is_empty() {
        return Err(Error::invalid_because(
            reason::FIELD_EMPTY,
            content.field_name(),
            "is empty",
        ));
    }
    let time_zone = parse_time_zone(&article.time_zone)
        .map_err(|p| Error::invalid_because(reason::UNKNOWN_TIME_ZONE, "time_zone", p))?;
    let language = match article.language.trim() {
        "" => None,
        tag => Some(
            pipeline::language::parse_hint(tag)
                .map_err(|p| Error::invalid_because(reason::INVALID_LANGUAGE_TAG, "language", p))?,
        ),
    };
    let published_at = article
        .published_at
        .map(|ts| {
            timestamp_to_chrono(&ts)
                .map_err(|p| Error::invalid_because(reason::INVALID_TIMESTAMP, "published_at", p))
        })
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
    let article = article
        .ok_or_else(|| Error::invalid_because(reason::FIELD_MISSING, "article", "is missing"))?;
    let article = article_from_proto(article).map_err(|e| e.in_field("article"))?;
    Ok((article, options))
}

/// Parses an IANA time-zone name; empty means UTC. The error quotes the
/// name cut to [`Echo::MAX_CHARS`] characters.
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Tz::UTC);
    }
    Tz::from_str(name).map_err(|_| format!("{} is not a known IANA time-zone name", Echo(name)))
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
            return Err(Error::invalid_because(
                reason::UNKNOWN_ENUM_VALUE,
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
                return Err(Error::invalid_because(
                    reason::UNKNOWN_ENUM_VALUE,
                    format!("features[{i}]"),
                    format!("unknown value {value}"),
                ));
            }
        }
    }
    if none && set != Features::none() {
        return Err(Error::invalid_because(
            reason::CONFLICTING_OPTIONS,
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
            date_value: d.date_value.clone().unwrap_or_default(),
            date_start: d.date_interval.map(|(s, _)| chrono_to_timestamp(s)),
            date_end: d.date_interval.map(|(_, e)| chrono_to_timestamp(e)),
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
                place: entity.place.as_ref().map(place_to_proto),
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
                reported_by: q.reported_by.as_ref().map(|by| v1::QuoteSource {
                    text: by.text.clone(),
                    span: Some(span(by.span)),
                    entity_id: by.entity_id.clone().unwrap_or_default(),
                }),
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
        corrections: e
            .corrections
            .iter()
            .map(|c| v1::Correction {
                span: Some(span(c.span)),
                original: c.original.clone(),
                kind: match c.kind {
                    CorrectionKind::GluedWords => v1::CorrectionKind::GluedWords,
                } as i32,
            })
            .collect(),
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

/// The message of a place.
pub fn place_to_proto(p: &Place) -> v1::Place {
    v1::Place {
        geonames_id: p.geonames_id,
        country_code: p.country_code.clone(),
        admin1_code: p.admin1_code.clone(),
        latitude: p.latitude,
        longitude: p.longitude,
        feature: place_feature_to_proto(p.feature) as i32,
        confidence: p.confidence,
    }
}

/// The message enum of a place feature.
pub fn place_feature_to_proto(f: PlaceFeature) -> v1::PlaceFeature {
    match f {
        PlaceFeature::Country => v1::PlaceFeature::Country,
        PlaceFeature::Admin1 => v1::PlaceFeature::Admin1,
        PlaceFeature::PopulatedPlace => v1::PlaceFeature::PopulatedPlace,
        PlaceFeature::Other => v1::PlaceFeature::Other,
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
        Error::Overloaded(_) | Error::MessageTooLarge { .. } | Error::ResponseTooLarge { .. } => {
            tonic::Code::ResourceExhausted
        }
        Error::UnknownMethod(_) | Error::MissingRequestMessage => tonic::Code::Unimplemented,
        Error::DeadlineExceeded(_) => tonic::Code::DeadlineExceeded,
        Error::Cancelled => tonic::Code::Cancelled,
        Error::ShuttingDown | Error::StreamShutDown { .. } | Error::NotReady => {
            tonic::Code::Unavailable
        }
        Error::Internal(_) | Error::Compression(_) => tonic::Code::Internal,
    }
}

/// How long a caller refused for overload should wait before retrying
/// (google.rpc.RetryInfo): about the time a few articles take to finish.
pub const OVERLOAD_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a caller should wait before retrying a call refused with
/// UNAVAILABLE (pipeline loading, or shutdown: the retry then goes to
/// another instance once the load balancer has seen this one leave).
pub const UNAVAILABLE_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The google.rpc details of an error (AIP-193): ErrorInfo always (reason,
/// domain `newsenrich.v1`, metadata); BadRequest with the field's path for
/// INVALID_ARGUMENT; RetryInfo when waiting and retrying the same call can
/// succeed (overload, loading, shutdown). Errors that retrying cannot fix
/// carry no RetryInfo.
pub fn error_details(err: &Error) -> tonic_types::ErrorDetails {
    let mut metadata = std::collections::HashMap::new();
    let mut details = tonic_types::ErrorDetails::new();
    match err {
        Error::InvalidArgument {
            field,
            problem,
            reason,
        } => {
            metadata.insert("field".to_owned(), field.clone());
            details.set_bad_request(vec![tonic_types::FieldViolation {
                field: field.clone(),
                description: problem.clone(),
                reason: (*reason).to_owned(),
                localized_message: None,
            }]);
        }
        Error::Overloaded(_) => {
            details.set_retry_info(Some(OVERLOAD_RETRY_DELAY));
        }
        Error::MessageTooLarge { size, limit } => {
            if let Some(size) = size {
                metadata.insert("sizeBytes".to_owned(), size.to_string());
            }
            metadata.insert("limitBytes".to_owned(), limit.to_string());
        }
        Error::ResponseTooLarge { bytes, limit } => {
            metadata.insert("sizeBytes".to_owned(), bytes.to_string());
            metadata.insert("limitBytes".to_owned(), limit.to_string());
        }
        Error::UnknownMethod(path) => {
            metadata.insert("method".to_owned(), Echo(path).to_string());
        }
        Error::ShuttingDown | Error::NotReady => {
            details.set_retry_info(Some(UNAVAILABLE_RETRY_DELAY));
        }
        Error::StreamShutDown { answered } => {
            metadata.insert("answered".to_owned(), answered.to_string());
            details.set_retry_info(Some(UNAVAILABLE_RETRY_DELAY));
        }
        Error::DeadlineExceeded(ms) => {
            metadata.insert("timeoutMs".to_owned(), ms.to_string());
        }
        Error::Cancelled
        | Error::Internal(_)
        | Error::Compression(_)
        | Error::MissingRequestMessage => {}
    }
    details.set_error_info(err.reason(), DOMAIN, metadata);
    details
}

/// The gRPC status of an error that fails a whole call: code, message and
/// google.rpc details ([`error_details`]) in `grpc-status-details-bin`.
pub fn to_status(err: &Error) -> tonic::Status {
    use tonic_types::StatusExt;
    tonic::Status::with_error_details(grpc_code(err), err.to_string(), error_details(err))
}

/// The per-article error of a batch or stream result: the same code,
/// message, ErrorInfo and BadRequest that [`to_status`] would give the
/// error as a call's status.
pub fn article_error(article_id: &str, err: &Error) -> v1::ArticleError {
    let details = error_details(err);
    let error_info = details.error_info().map(|i| rpc::ErrorInfo {
        reason: i.reason.clone(),
        domain: i.domain.clone(),
        metadata: i.metadata.clone(),
    });
    let bad_request = details.bad_request().map(|b| rpc::BadRequest {
        field_violations: b
            .field_violations
            .iter()
            .map(|v| rpc::bad_request::FieldViolation {
                field: v.field.clone(),
                description: v.description.clone(),
                reason: v.reason.clone(),
                localized_message: None,
            })
            .collect(),
    });
    v1::ArticleError {
        article_id: article_id.to_string(),
        code: rpc_code(grpc_code(err)) as i32,
        message: err.to_string(),
        error_info,
        bad_request,
    }
}

/// The google.rpc.Code of a tonic code (the same numbers).
pub fn rpc_code(code: tonic::Code) -> rpc::Code {
    rpc::Code::try_from(code as i32).unwrap_or(rpc::Code::Unknown)
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
        assert_eq!(problem(text_article("")), "text: is empty");
        let html = v1::Article {
            content: Some(v1::article::Content::Html(String::new())),
            ..Default::default()
        };
        assert_eq!(problem(html), "html: is empty");
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

    /// Regression (found by the fuzz target `request_decode`, fixed by
    /// `error::Echo`): an unknown time zone of any length was echoed whole
    /// in the error, so one request could make
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
        assert_eq!(
            grpc_code(&Error::StreamShutDown { answered: 2 }),
            tonic::Code::Unavailable
        );
        let e = article_error("a1", &Error::invalid("article.language", "bad"));
        assert_eq!((e.article_id.as_str(), e.code), ("a1", 3));
        assert_eq!(e.code(), rpc::Code::InvalidArgument);
    }

    #[test]
    fn every_tonic_code_has_the_same_google_rpc_number() {
        for n in 0..=16 {
            let code = tonic::Code::from_i32(n);
            assert_eq!(rpc_code(code) as i32, n, "{code:?}");
        }
    }

    #[test]
    fn invalid_argument_status_carries_bad_request_and_error_info() {
        use tonic_types::StatusExt;
        let mut bad = text_article("x");
        bad.time_zone = "Mars/Olympus".into();
        let err = article_from_proto(bad).unwrap_err().in_field("articles[3]");
        let status = to_status(&err);
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let details = status.get_error_details();
        let violations = &details.bad_request().expect("BadRequest").field_violations;
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].field, "articles[3].time_zone");
        assert_eq!(violations[0].reason, "UNKNOWN_TIME_ZONE");
        assert!(violations[0].description.contains("Mars/Olympus"));
        let info = details.error_info().expect("ErrorInfo");
        assert_eq!(
            (info.reason.as_str(), info.domain.as_str()),
            ("UNKNOWN_TIME_ZONE", "newsenrich.v1")
        );
        assert_eq!(info.metadata["field"], "articles[3].time_zone");
        assert!(
            details.retry_info().is_none(),
            "retrying a bad field cannot help"
        );
        // The batch slot says the same.
        let slot = article_error("x", &err);
        let slot_violation = &slot.bad_request.unwrap().field_violations[0];
        assert_eq!(slot_violation.field, "articles[3].time_zone");
        assert_eq!(slot.error_info.unwrap().reason, "UNKNOWN_TIME_ZONE");
        assert_eq!(slot.message, status.message());
    }

    #[test]
    fn retry_info_only_where_a_retry_can_succeed() {
        use tonic_types::StatusExt;
        for (err, retry) in [
            (Error::Overloaded("full".into()), Some(OVERLOAD_RETRY_DELAY)),
            (Error::NotReady, Some(UNAVAILABLE_RETRY_DELAY)),
            (Error::ShuttingDown, Some(UNAVAILABLE_RETRY_DELAY)),
            (
                Error::StreamShutDown { answered: 4 },
                Some(UNAVAILABLE_RETRY_DELAY),
            ),
            (Error::Internal("bug".into()), None),
            (
                Error::MessageTooLarge {
                    size: Some(9),
                    limit: 8,
                },
                None,
            ),
            (Error::MissingRequestMessage, None),
            (Error::DeadlineExceeded(10), None),
            (Error::invalid("a", "b"), None),
        ] {
            let details = to_status(&err).get_error_details();
            assert_eq!(
                details.retry_info().and_then(|r| r.retry_delay),
                retry,
                "{err}"
            );
            assert_eq!(details.error_info().unwrap().reason, err.reason(), "{err}");
            assert_eq!(
                details.bad_request().is_some(),
                matches!(err, Error::InvalidArgument { .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn a_huge_time_zone_is_quoted_briefly() {
        let mut bad = text_article("x");
        bad.time_zone = "Z".repeat(1 << 20);
        let message = problem(bad);
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(message.contains("…(1048576 bytes)"), "{message}");
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
