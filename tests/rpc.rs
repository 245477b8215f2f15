//! Every RPC of the real server over loopback TCP, with the generated client:
//! happy paths, field-naming INVALID_ARGUMENT errors, batch slots, the
//! 1,000-message stream, reflection, health and metrics.

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use newsenrich::api::v1;
use tonic::Code;

#[tokio::test]
async fn enrich_article_returns_clean_paragraphs_and_echoes_metadata() {
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let mut a = text_article(
        "a-1",
        "  First paragraph\u{200B} here.\r\n\r\nSecond\u{00A0}\u{00A0}one.\r\n",
    );
    a.published_at = Some(newsenrich::api::Timestamp {
        seconds: 1_677_283_200,
        nanos: 0,
    });
    a.url = "https://example.com/a".into();
    let r = client
        .enrich_article(request(a))
        .await
        .unwrap()
        .into_inner();
    let e = r.article.unwrap();
    assert_eq!(e.id, "a-1");
    assert_eq!(e.text, "First paragraph here.\n\nSecond one.");
    assert_eq!(e.paragraphs.len(), 2);
    assert_eq!((e.paragraphs[1].start, e.paragraphs[1].end), (23, 34));
    assert_eq!(e.published_at.unwrap().seconds, 1_677_283_200);
    assert_eq!(e.published_at_source, v1::PublishedAtSource::Request as i32);
    assert_eq!(e.url, "https://example.com/a");
    assert_ne!(e.simhash, 0);
}

#[tokio::test]
async fn enrich_article_on_a_seed_accounts_for_every_line() {
    let Some(text) = seed("000_") else { return };
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let r = client
        .enrich_article(request(text_article("seed-0", &text)))
        .await
        .unwrap()
        .into_inner();
    let e = r.article.unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let removed_lines = e
        .removed
        .iter()
        .filter(|r| lines.contains(&r.text.as_str()))
        .count();
    assert!(removed_lines > 0, "the seed has boilerplate lines");
    assert_eq!(
        e.paragraphs.len() + removed_lines,
        lines.len(),
        "each line is a paragraph or removed"
    );
    assert_eq!(e.language, "en");
    for para in paragraph_texts(&e) {
        assert!(!para.trim().is_empty() && para.trim() == para, "{para:?}");
    }
}

#[tokio::test]
async fn skip_cleaning_returns_the_input_text_exactly_in_every_encoding() {
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let text = "Caf\u{e9} \u{201c}quoted\u{201d}\r\n\r\n\u{1F600} emoji line\n";
    // "Café “quoted”" is 13 code points, 19 UTF-8 bytes, 13 UTF-16 units;
    // "😀 emoji line" is 12, 15 and 13 (the emoji is a surrogate pair).
    for (encoding, second) in [
        (v1::OffsetEncoding::CodePoints, (17u32, 29u32)),
        (v1::OffsetEncoding::Utf8, (22, 37)),
        (v1::OffsetEncoding::Utf16, (17, 30)),
    ] {
        let req = v1::EnrichArticleRequest {
            article: Some(text_article("raw", text)),
            options: Some(v1::EnrichOptions {
                skip_cleaning: true,
                offset_encoding: encoding as i32,
                features: vec![],
            }),
        };
        let e = client
            .enrich_article(req)
            .await
            .unwrap()
            .into_inner()
            .article
            .unwrap();
        assert_eq!(e.text, text);
        assert_eq!(e.paragraphs.len(), 2);
        assert_eq!(
            (e.paragraphs[1].start, e.paragraphs[1].end),
            second,
            "{encoding:?}"
        );
    }
}

async fn invalid(
    client: &mut v1::enrichment_service_client::EnrichmentServiceClient<tonic::transport::Channel>,
    req: v1::EnrichArticleRequest,
) -> String {
    let status = client.enrich_article(req).await.expect_err("must fail");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    status.message().to_string()
}

#[tokio::test]
async fn bad_articles_get_invalid_argument_naming_the_field() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let msg = invalid(&mut c, v1::EnrichArticleRequest::default()).await;
    assert_eq!(msg, "article: is missing");
    let msg = invalid(
        &mut c,
        request(v1::Article {
            id: "x".into(),
            ..Default::default()
        }),
    )
    .await;
    assert!(msg.starts_with("article.content: is missing"), "{msg}");
    let msg = invalid(&mut c, request(text_article("x", ""))).await;
    assert_eq!(msg, "article.text: is empty");
    let msg = invalid(&mut c, request(text_article("x", " \n\t "))).await;
    assert_eq!(msg, "article.text: is empty or only white space");
    let mut a = text_article("x", "Some text.");
    a.time_zone = "Europe/Atlantis".into();
    let msg = invalid(&mut c, request(a)).await;
    assert!(
        msg.starts_with("article.time_zone: \"Europe/Atlantis\" is not a known IANA"),
        "{msg}"
    );
    let mut a = text_article("x", "Some text.");
    a.language = "en_US".into();
    let msg = invalid(&mut c, request(a)).await;
    assert!(msg.starts_with("article.language:"), "{msg}");
    let big = "word ".repeat(20_000);
    let msg = invalid(&mut c, request(text_article("x", &big))).await;
    assert!(
        msg.contains("over the maximum article size of 65536 bytes"),
        "{msg}"
    );
    let html = v1::EnrichArticleRequest {
        article: Some(v1::Article {
            content: Some(v1::article::Content::Html("<p>x</p>".into())),
            ..Default::default()
        }),
        options: Some(v1::EnrichOptions {
            skip_cleaning: true,
            ..Default::default()
        }),
    };
    let msg = invalid(&mut c, html).await;
    assert!(
        msg.starts_with("article.html: cannot be used with options.skip_cleaning"),
        "{msg}"
    );
    let bad_enum = v1::EnrichArticleRequest {
        article: Some(text_article("x", "text")),
        options: Some(v1::EnrichOptions {
            offset_encoding: 42,
            ..Default::default()
        }),
    };
    assert_eq!(
        invalid(&mut c, bad_enum).await,
        "options.offset_encoding: unknown value 42"
    );
}

#[tokio::test]
async fn batch_answers_in_order_and_a_bad_article_fails_only_its_slot() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let mut bad = text_article("b", "text");
    bad.time_zone = "Nowhere/Special".into();
    let req = v1::BatchEnrichArticlesRequest {
        articles: vec![
            text_article("a", "First."),
            bad,
            text_article("c", "Third."),
            text_article(PANIC, "boom"),
        ],
        options: None,
    };
    let results = c
        .batch_enrich_articles(req)
        .await
        .unwrap()
        .into_inner()
        .results;
    use v1::batch_enrich_articles_result::Result as R;
    assert_eq!(results.len(), 4);
    match &results[0].result {
        Some(R::Article(a)) => assert_eq!((a.id.as_str(), a.text.as_str()), ("a", "First.")),
        other => panic!("{other:?}"),
    }
    match &results[1].result {
        Some(R::Error(e)) => {
            assert_eq!(
                (e.article_id.as_str(), e.code),
                ("b", Code::InvalidArgument as i32)
            );
            assert!(
                e.message.starts_with("articles[1].time_zone:"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&results[2].result, Some(R::Article(a)) if a.id == "c"));
    match &results[3].result {
        Some(R::Error(e)) => assert_eq!(
            e.code,
            Code::Internal as i32,
            "a panic is INTERNAL for its article"
        ),
        other => panic!("{other:?}"),
    }
    // The server goes on after the panic.
    let ok = c
        .enrich_article(request(text_article("after", "Still here.")))
        .await
        .unwrap();
    assert_eq!(ok.into_inner().article.unwrap().text, "Still here.");
}

#[tokio::test]
async fn oversized_batch_is_invalid_argument_for_the_call() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let req = v1::BatchEnrichArticlesRequest {
        articles: (0..17).map(|i| text_article(&i.to_string(), "x")).collect(),
        options: None,
    };
    let status = c.batch_enrich_articles(req).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "articles: has 17 articles, over the maximum batch size of 16"
    );
}

#[tokio::test]
async fn a_thousand_message_stream_gets_a_thousand_ordered_answers() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let requests = futures::stream::iter((0..1000).map(|i| {
        let article = match i % 97 {
            13 => v1::Article {
                id: format!("m{i}"),
                ..Default::default()
            },
            50 => {
                let mut a = text_article(&format!("m{i}"), "text");
                a.language = "not a tag!".into();
                a
            }
            _ => text_article(
                &format!("m{i}"),
                &format!("Article number {i}.\nSecond line {i}."),
            ),
        };
        v1::StreamEnrichArticlesRequest {
            article: Some(article),
            options: None,
        }
    }));
    let mut responses = c
        .stream_enrich_articles(requests)
        .await
        .unwrap()
        .into_inner();
    use v1::stream_enrich_articles_response::Result as R;
    let mut n = 0;
    let mut errors = 0;
    while let Some(r) = responses.next().await {
        let r = r.expect("no stream error");
        let expected = format!("m{n}");
        match r.result.unwrap() {
            R::Article(a) => {
                assert_eq!(a.id, expected);
                assert_eq!(a.paragraphs.len(), 2);
            }
            R::Error(e) => {
                assert_eq!(e.article_id, expected);
                assert_eq!(e.code, Code::InvalidArgument as i32);
                errors += 1;
            }
        }
        n += 1;
    }
    assert_eq!(n, 1000);
    assert_eq!(errors, 2 * 10 + 1, "ids 13 and 50 modulo 97 are bad");
}

#[tokio::test]
async fn service_info_describes_the_server() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let info = c
        .get_service_info(v1::GetServiceInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let limits = info.limits.unwrap();
    assert_eq!(
        (
            limits.max_batch_size,
            limits.max_article_bytes,
            limits.worker_threads
        ),
        (16, 65536, 2)
    );
    assert_eq!(info.features.len(), 3);
    let dates = info
        .features
        .iter()
        .find(|f| f.feature == v1::Feature::Dates as i32)
        .unwrap();
    assert!(dates.enabled, "temporal expressions are enabled");
    assert_eq!(dates.languages, ["en"]);
    let quotes = info
        .features
        .iter()
        .find(|f| f.feature == v1::Feature::Quotes as i32)
        .unwrap();
    assert!(quotes.enabled, "quotations are enabled");
    assert_eq!(quotes.languages, ["en"]);
    let entities = info
        .features
        .iter()
        .find(|f| f.feature == v1::Feature::Entities as i32)
        .unwrap();
    assert!(entities.enabled, "entities are enabled");
    assert!(info.supported_languages.iter().any(|l| l == "en"));
    assert!(
        info.model_versions
            .iter()
            .any(|m| m.name == "language-identification")
    );
    // Every embedded model of the quote stage reports its version.
    for name in [
        "quote-cue-detector",
        "quote-speech-filter",
        "quote-speaker-ranker",
        "quote-confidence",
    ] {
        assert!(
            info.model_versions
                .iter()
                .any(|m| m.name == name && !m.version.is_empty()),
            "{name} in {:?}",
            info.model_versions
        );
    }
}

#[tokio::test]
async fn reflection_v1_and_v1alpha_both_list_the_services() {
    let ts = start(test_config()).await;
    {
        use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1::{
            ServerReflectionRequest, server_reflection_request::MessageRequest,
            server_reflection_response::MessageResponse,
        };
        let mut c = ServerReflectionClient::new(ts.channel().await);
        let req = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut s = c
            .server_reflection_info(futures::stream::iter([req]))
            .await
            .unwrap()
            .into_inner();
        let Some(MessageResponse::ListServicesResponse(list)) =
            s.next().await.unwrap().unwrap().message_response
        else {
            panic!("list expected")
        };
        let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
        assert!(
            names.contains(&"newsenrich.v1.EnrichmentService".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"grpc.health.v1.Health".to_string()),
            "{names:?}"
        );
    }
    {
        use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1alpha::{
            ServerReflectionRequest, server_reflection_request::MessageRequest,
            server_reflection_response::MessageResponse,
        };
        let mut c = ServerReflectionClient::new(ts.channel().await);
        let req = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut s = c
            .server_reflection_info(futures::stream::iter([req]))
            .await
            .unwrap()
            .into_inner();
        let Some(MessageResponse::ListServicesResponse(list)) =
            s.next().await.unwrap().unwrap().message_response
        else {
            panic!("list expected")
        };
        assert!(
            list.service
                .iter()
                .any(|s| s.name == "newsenrich.v1.EnrichmentService")
        );
    }
}

#[tokio::test]
async fn metrics_endpoint_counts_calls_and_articles() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    c.enrich_article(request(text_article("m", "Counted.")))
        .await
        .unwrap();
    let _ = c
        .enrich_article(request(text_article("m", "")))
        .await
        .unwrap_err();
    let (status, body) = http_get(ts.server.metrics_addr(), "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"newsenrich_requests_total{method="EnrichArticle",code="OK"} 1"#),
        "{body}"
    );
    assert!(
        body.contains(
            r#"newsenrich_requests_total{method="EnrichArticle",code="INVALID_ARGUMENT"} 1"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"newsenrich_articles_total{code="OK"} 1"#),
        "{body}"
    );
    assert!(body.contains("newsenrich_articles_in_flight 0"), "{body}");
    assert!(
        body.contains("newsenrich_stage_duration_seconds_bucket{"),
        "{body}"
    );
    let (status, _) = http_get(ts.server.metrics_addr(), "/nothing").await;
    assert_eq!(status, 404);
    let _ = Duration::ZERO;
}
