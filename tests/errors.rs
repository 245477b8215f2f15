//! Errors by the gRPC book, against the real server over loopback: bodies
//! tonic cannot decode (malformed protobuf, invalid UTF-8, a truncated
//! frame, no message), a message over the size limit, non-gRPC content
//! types, a malformed `grpc-timeout` and unknown methods, sent as
//! hand-made HTTP/2 requests (h2) where the generated client would refuse
//! to send them; the google.rpc details of each (BadRequest field paths,
//! ErrorInfo, RetryInfo); the per-article details of batches and streams;
//! that every one of these calls is counted in `requests_total`; and that
//! megabytes of caller input never reach a status or a log line whole.

mod common;

use std::io::BufRead;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::{HeaderMap, StatusCode};
use newsenrich::api::{rpc, v1};
use prost::Message;
use tonic::{Code, Status};
use tonic_types::StatusExt;

const ENRICH: &str = "/newsenrich.v1.EnrichmentService/EnrichArticle";
const STREAM: &str = "/newsenrich.v1.EnrichmentService/StreamEnrichArticles";

/// What came back from a hand-made request.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    data: Vec<u8>,
    trailers: Option<HeaderMap>,
}

impl Raw {
    /// The gRPC status: from the trailers, or from the headers of a
    /// trailers-only response.
    fn grpc(&self) -> Status {
        self.trailers
            .as_ref()
            .and_then(Status::from_header_map)
            .or_else(|| Status::from_header_map(&self.headers))
            .expect("a grpc-status")
    }
}

/// One gRPC frame (uncompressed) around `message`.
fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    out
}

/// The messages of a gRPC response body.
fn frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 5 {
        let len = u32::from_be_bytes([data[1], data[2], data[3], data[4]]) as usize;
        out.push(&data[5..5 + len]);
        data = &data[5 + len..];
    }
    assert!(data.is_empty(), "a partial frame in the response");
    out
}

/// A POST on a fresh HTTP/2 connection with the given headers and body.
async fn raw(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Raw {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (response, mut send) = client
        .send_request(request.body(()).unwrap(), false)
        .unwrap();
    // The server may answer before reading the body; a refused send is fine.
    let _ = send.send_data(Bytes::from(body), true);
    let response = response.await.unwrap();
    let (parts, mut recv) = response.into_parts();
    let mut data = Vec::new();
    while let Some(chunk) = recv.data().await {
        let chunk = chunk.unwrap();
        let _ = recv.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let trailers = recv.trailers().await.unwrap();
    Raw {
        status: parts.status,
        headers: parts.headers,
        data,
        trailers,
    }
}

/// A gRPC call with a hand-made body.
async fn grpc(addr: SocketAddr, path: &str, body: Vec<u8>) -> Raw {
    raw(addr, path, &[("content-type", "application/grpc")], body).await
}

/// The one BadRequest field violation of an INVALID_ARGUMENT status, and
/// its ErrorInfo reason.
fn violation(status: &Status) -> (String, String) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let details = status.get_error_details();
    let info = details.error_info().expect("ErrorInfo");
    assert_eq!(info.domain, "newsenrich.v1");
    let violations = &details.bad_request().expect("BadRequest").field_violations;
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].reason, info.reason);
    assert!(!violations[0].description.is_empty());
    (violations[0].field.clone(), info.reason.clone())
}

fn reason(status: &Status) -> String {
    let details = status.get_error_details();
    let info = details.error_info().expect("ErrorInfo on every error");
    assert_eq!(info.domain, "newsenrich.v1");
    info.reason.clone()
}

// Article.time_zone is field 8 and Article.text field 4 (strings); the
// request's article is field 1. 0xff 0xfe is not UTF-8.
const ARTICLE_WITH_BAD_TIME_ZONE: [u8; 6] = [0x0a, 4, 0x42, 2, 0xff, 0xfe];

#[tokio::test]
async fn undecodable_requests_are_invalid_argument_with_details() {
    let ts = start(test_config()).await;
    let addr = ts.server.grpc_addr();

    // Invalid UTF-8 in a string field names the field.
    let r = grpc(addr, ENRICH, frame(&ARTICLE_WITH_BAD_TIME_ZONE)).await;
    assert_eq!(r.status, StatusCode::OK);
    let status = r.grpc();
    assert_eq!(
        violation(&status),
        ("article.time_zone".into(), "INVALID_UTF8".into())
    );
    assert_eq!(
        status.message(),
        "article.time_zone: is not valid UTF-8, as protobuf string fields must be"
    );

    // Malformed protobuf: a Timestamp whose varint never ends, and bytes
    // that are no protobuf at all (wire type 7).
    let r = grpc(addr, ENRICH, frame(&[0x0a, 5, 0x32, 3, 0x10, 0xff, 0xff])).await;
    let (field, why) = violation(&r.grpc());
    assert!(field.starts_with("article.published_at"), "{field}");
    assert_eq!(why, "MALFORMED_MESSAGE");
    let r = grpc(addr, ENRICH, frame(&[0x0f, 0xde, 0xad])).await;
    assert_eq!(
        violation(&r.grpc()),
        (String::new(), "MALFORMED_MESSAGE".into())
    );

    // A frame whose length prefix promises more than the body holds.
    let mut truncated = frame(&v1::EnrichArticleRequest::default().encode_to_vec());
    truncated.extend_from_slice(&[0, 0, 0, 0, 10, 0x0a]);
    let r = grpc(addr, ENRICH, truncated).await;
    assert_eq!(
        violation(&r.grpc()),
        (String::new(), "TRUNCATED_MESSAGE".into())
    );

    // No message at all in a unary call: the spec's request cardinality
    // violation, UNIMPLEMENTED (not INTERNAL, which is for our bugs).
    let r = grpc(addr, ENRICH, Vec::new()).await;
    let status = r.grpc();
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    assert_eq!(reason(&status), "MISSING_REQUEST_MESSAGE");

    // An empty message is a message: validation names the missing field.
    let r = grpc(addr, ENRICH, frame(&[])).await;
    assert_eq!(
        violation(&r.grpc()),
        ("article".into(), "FIELD_MISSING".into())
    );
}

#[tokio::test]
async fn a_message_over_the_limit_is_resource_exhausted_without_retry_info() {
    let mut config = test_config();
    config.max_message_bytes = 128 * 1024;
    let ts = start(config).await;
    let mut c = ts.client().await;
    let status = c
        .enrich_article(request(text_article("big", &"x".repeat(200 * 1024))))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(
        status
            .message()
            .contains("over this server's limit of 131072 bytes"),
        "{status:?}"
    );
    let details = status.get_error_details();
    let info = details.error_info().expect("ErrorInfo");
    assert_eq!(info.reason, "MESSAGE_TOO_LARGE");
    assert_eq!(info.metadata["limitBytes"], "131072");
    assert!(info.metadata["sizeBytes"].parse::<usize>().unwrap() > 200 * 1024);
    assert!(
        details.retry_info().is_none(),
        "the same message will never fit: no RetryInfo"
    );
    // The server goes on.
    assert!(
        c.enrich_article(request(text_article("ok", "Fits.")))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn non_grpc_content_types_get_http_415() {
    let ts = start(test_config()).await;
    let addr = ts.server.grpc_addr();
    let json = br#"{"article": {"text": "Hello."}}"#.to_vec();
    for headers in [
        &[("content-type", "application/json")][..],
        &[][..],
        &[("content-type", "text/plain")][..],
    ] {
        let r = raw(addr, ENRICH, headers, json.clone()).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{headers:?}");
        assert!(
            r.headers.get("grpc-status").is_none(),
            "not a gRPC response"
        );
        let text = String::from_utf8(r.data).unwrap();
        assert!(text.contains("application/grpc"), "{text}");
    }
    // gRPC's own content types still pass.
    let ok = frame(&request(text_article("ok", "Hello.")).encode_to_vec());
    for ct in ["application/grpc", "application/grpc+proto"] {
        let r = raw(addr, ENRICH, &[("content-type", ct)], ok.clone()).await;
        assert_eq!(r.grpc().code(), Code::Ok, "{ct}");
    }
}

#[tokio::test]
async fn a_malformed_grpc_timeout_is_invalid_argument() {
    let ts = start(test_config()).await;
    let addr = ts.server.grpc_addr();
    let body = frame(&request(text_article("t", "Hello.")).encode_to_vec());
    for bad in ["soon", "1.5S", "123456789S", "10"] {
        let r = raw(
            addr,
            ENRICH,
            &[("content-type", "application/grpc"), ("grpc-timeout", bad)],
            body.clone(),
        )
        .await;
        let status = r.grpc();
        let (field, why) = violation(&status);
        assert_eq!((field.as_str(), why.as_str()), ("", "INVALID_TIMEOUT"));
        assert!(status.message().starts_with("grpc-timeout: "), "{status:?}");
    }
    let r = raw(
        addr,
        ENRICH,
        &[
            ("content-type", "application/grpc"),
            ("grpc-timeout", "10S"),
        ],
        body,
    )
    .await;
    assert_eq!(r.grpc().code(), Code::Ok);
}

#[tokio::test]
async fn unknown_methods_are_unimplemented_with_error_info() {
    let ts = start(test_config()).await;
    let long = format!("/newsenrich.v1.EnrichmentService/{}", "X".repeat(8_000));
    for path in [
        "/newsenrich.v1.EnrichmentService/Nope",
        "/other.Svc/M",
        &long,
    ] {
        let r = grpc(ts.server.grpc_addr(), path, frame(&[])).await;
        let status = r.grpc();
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
        assert_eq!(reason(&status), "UNKNOWN_METHOD");
        assert!(status.message().len() < 200, "{}", status.message().len());
    }
}

#[tokio::test]
async fn every_call_refused_or_not_is_counted() {
    let mut config = test_config();
    config.max_message_bytes = 128 * 1024;
    let ts = start(config).await;
    let addr = ts.server.grpc_addr();
    let good = frame(&request(text_article("ok", "Hello.")).encode_to_vec());
    grpc(addr, ENRICH, good.clone()).await;
    grpc(addr, ENRICH, frame(&ARTICLE_WITH_BAD_TIME_ZONE)).await;
    grpc(addr, ENRICH, frame(&[0x0f])).await;
    grpc(addr, ENRICH, Vec::new()).await;
    raw(
        addr,
        ENRICH,
        &[("content-type", "application/json")],
        good.clone(),
    )
    .await;
    raw(
        addr,
        ENRICH,
        &[("content-type", "application/grpc"), ("grpc-timeout", "x")],
        good.clone(),
    )
    .await;
    grpc(addr, "/no.Such/Method", good).await;
    let mut c = ts.client().await;
    let _ = c
        .enrich_article(request(text_article("big", &"x".repeat(200 * 1024))))
        .await;
    let _ = health_status(ts.channel().await, "").await;
    let (_, body) = http_get(ts.server.metrics_addr(), "/metrics").await;
    for line in [
        r#"newsenrich_requests_total{method="EnrichArticle",code="OK"} 1"#,
        // bad UTF-8, not protobuf, bad timeout
        r#"newsenrich_requests_total{method="EnrichArticle",code="INVALID_ARGUMENT"} 3"#,
        r#"newsenrich_requests_total{method="EnrichArticle",code="UNIMPLEMENTED"} 1"#,
        r#"newsenrich_requests_total{method="EnrichArticle",code="UNKNOWN"} 1"#,
        r#"newsenrich_requests_total{method="EnrichArticle",code="RESOURCE_EXHAUSTED"} 1"#,
        r#"newsenrich_requests_total{method="unknown",code="UNIMPLEMENTED"} 1"#,
        r#"newsenrich_requests_total{method="grpc.health.v1.Health/Check",code="OK"} 1"#,
        r#"newsenrich_request_duration_seconds_count{method="EnrichArticle"} 7"#,
    ] {
        assert!(body.contains(line), "{line} missing from\n{body}");
    }
    assert!(
        !body.contains("INTERNAL"),
        "no refusal counts as a server bug: {body}"
    );
}

#[tokio::test]
async fn batch_slots_carry_the_field_path_and_details() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let mut articles: Vec<_> = (0..5)
        .map(|i| text_article(&format!("a{i}"), "Some text."))
        .collect();
    articles[3].time_zone = "Mars/Base".into();
    articles[1].language = "not a tag!".into();
    let results = c
        .batch_enrich_articles(v1::BatchEnrichArticlesRequest {
            articles,
            options: None,
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    use v1::batch_enrich_articles_result::Result as R;
    let error = |i: usize| match &results[i].result {
        Some(R::Error(e)) => e.clone(),
        other => panic!("slot {i}: {other:?}"),
    };
    let e = error(3);
    assert_eq!(e.code(), rpc::Code::InvalidArgument);
    assert_eq!(e.article_id, "a3");
    assert!(
        e.message
            .starts_with("articles[3].time_zone: \"Mars/Base\""),
        "{}",
        e.message
    );
    let violations = e.bad_request.unwrap().field_violations;
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].field, "articles[3].time_zone");
    assert_eq!(violations[0].reason, "UNKNOWN_TIME_ZONE");
    let info = e.error_info.unwrap();
    assert_eq!(
        (info.reason.as_str(), info.domain.as_str()),
        ("UNKNOWN_TIME_ZONE", "newsenrich.v1")
    );
    let e = error(1);
    assert_eq!(
        e.bad_request.unwrap().field_violations[0].field,
        "articles[1].language"
    );
    assert!(matches!(&results[0].result, Some(R::Article(_))));

    // A problem with the call as a whole is the call's status, with the
    // same details.
    let status = c
        .batch_enrich_articles(v1::BatchEnrichArticlesRequest {
            articles: vec![text_article("x", "x")],
            options: Some(v1::EnrichOptions {
                features: vec![1, 77],
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(
        violation(&status),
        ("options.features[1]".into(), "UNKNOWN_ENUM_VALUE".into())
    );
    let status = c
        .batch_enrich_articles(v1::BatchEnrichArticlesRequest {
            articles: (0..17).map(|i| text_article(&i.to_string(), "x")).collect(),
            options: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        violation(&status),
        ("articles".into(), "BATCH_TOO_LARGE".into())
    );
}

#[tokio::test]
async fn a_stream_answers_what_came_before_an_undecodable_message() {
    let ts = start(test_config()).await;
    let first = v1::StreamEnrichArticlesRequest {
        article: Some(text_article("s0", "First.")),
        options: None,
    };
    let mut bad_time_zone = text_article("s1", "Second.");
    bad_time_zone.time_zone = "Atlantis/Capital".into();
    let second = v1::StreamEnrichArticlesRequest {
        article: Some(bad_time_zone),
        options: None,
    };
    let mut body = frame(&first.encode_to_vec());
    body.extend(frame(&second.encode_to_vec()));
    body.extend(frame(&ARTICLE_WITH_BAD_TIME_ZONE));
    let r = grpc(ts.server.grpc_addr(), STREAM, body).await;
    let answers: Vec<_> = frames(&r.data)
        .into_iter()
        .map(|m| v1::StreamEnrichArticlesResponse::decode(m).unwrap())
        .collect();
    use v1::stream_enrich_articles_response::Result as R;
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(matches!(&answers[0].result, Some(R::Article(a)) if a.id == "s0"));
    match &answers[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code(), rpc::Code::InvalidArgument);
            let v = &e.bad_request.as_ref().unwrap().field_violations[0];
            assert_eq!(
                (v.field.as_str(), v.reason.as_str()),
                ("article.time_zone", "UNKNOWN_TIME_ZONE")
            );
        }
        other => panic!("{other:?}"),
    }
    // The third cannot be answered in place: the stream ends with it.
    assert_eq!(
        violation(&r.grpc()),
        ("article.time_zone".into(), "INVALID_UTF8".into())
    );
}

#[tokio::test]
async fn overload_loading_and_shutdown_carry_retry_info() {
    let ts = start_with(test_config(), true).await;
    let mut c = ts.client().await;
    let status = c
        .enrich_article(request(text_article("early", "Too soon.")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(reason(&status), "NOT_READY");
    let delay = status.get_error_details().retry_info().unwrap().retry_delay;
    assert_eq!(delay, Some(Duration::from_secs(1)));
    ts.load_gate.open();
    assert!(ts.server.ready().await);

    let mut config = test_config();
    config.max_in_flight = 16;
    let ts = start(config).await;
    let mut c = ts.client().await;
    let mut held = ts.client().await;
    let hold = tokio::spawn(async move {
        held.batch_enrich_articles(v1::BatchEnrichArticlesRequest {
            articles: (0..16)
                .map(|i| text_article(&format!("wait-{i}"), "Held."))
                .collect(),
            options: None,
        })
        .await
    });
    ts.gate.wait_entered(1).await;
    let status = c
        .enrich_article(request(text_article("more", "No room.")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_eq!(reason(&status), "OVERLOADED");
    assert_eq!(
        status.get_error_details().retry_info().unwrap().retry_delay,
        Some(Duration::from_secs(1))
    );
    ts.gate.open();
    assert!(hold.await.unwrap().is_ok());

    // Shutting down: UNAVAILABLE, retry (elsewhere) after the delay.
    ts.server.begin_shutdown();
    let mut refused = None;
    for _ in 0..200 {
        match c
            .enrich_article(request(text_article("late", "Closing.")))
            .await
        {
            Err(s) if s.code() == Code::Unavailable => {
                refused = Some(s);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    let status = refused.expect("UNAVAILABLE once shutdown has begun");
    assert_eq!(reason(&status), "SHUTTING_DOWN");
    assert_eq!(
        status.get_error_details().retry_info().unwrap().retry_delay,
        Some(Duration::from_secs(1))
    );
}

#[tokio::test]
async fn a_megabyte_time_zone_gives_a_short_status() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let mut a = text_article("tz", "Some text.");
    a.time_zone = "Z".repeat(1 << 20);
    let status = c.enrich_article(request(a)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().len() < 200,
        "{} bytes",
        status.message().len()
    );
    assert!(
        status
            .message()
            .ends_with("…(1048576 bytes) is not a known IANA time-zone name"),
        "{}",
        status.message()
    );
    assert!(status.details().len() < 1024, "{}", status.details().len());
}

#[test]
fn a_megabyte_id_is_cut_in_the_log() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsenrich"))
        .args(LOOPBACK_SERVE)
        .args([
            "--worker-threads",
            "1",
            "--drain-delay",
            "0s",
            "--log-format",
            "json",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if let Some(a) = v["fields"]["grpc_addr"].as_str() {
            addr = Some(a.to_string());
            break;
        }
    }
    let addr = addr.expect("the server says where it listens");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let id = "I".repeat(1 << 20);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut c = v1::enrichment_service_client::EnrichmentServiceClient::new(channel);
        let mut a = text_article(&id, "Some text.");
        a.time_zone = "Nowhere/Special".into();
        // Retried while the pipeline loads (UNAVAILABLE).
        for _ in 0..600 {
            match c.enrich_article(request(a.clone())).await {
                Err(s) if s.code() == Code::Unavailable => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                other => return other.unwrap_err(),
            }
        }
        panic!("the server never became ready");
    });
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut finished = None;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
        if line.contains("call finished") && line.contains("INVALID_ARGUMENT") {
            finished = Some(line);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = finished.expect("the call's log line");
    assert!(line.len() < 2048, "a {} byte log line", line.len());
    assert!(line.contains("…(1048576 bytes)"), "{line}");
}
