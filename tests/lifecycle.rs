//! Server life cycle over loopback TCP: health while loading, serving and
//! shutting down; overload; client deadlines; and a graceful shutdown with
//! unary calls and a stream in flight that loses none of the accepted work.

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use newsenrich::api::v1;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

async fn health(ts: &TestServer, service: &str) -> ServingStatus {
    health_status(ts.channel().await, service).await.unwrap()
}

#[tokio::test]
async fn health_follows_loading_serving_and_shutdown() {
    let ts = start_with(test_config(), true).await;
    assert_eq!(
        health(&ts, "").await,
        ServingStatus::NotServing,
        "not ready while loading"
    );
    assert_eq!(health(&ts, "liveness").await, ServingStatus::Serving);
    let status = ts
        .client()
        .await
        .enrich_article(request(text_article("early", "x")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert!(status.message().contains("still loading"), "{status:?}");

    ts.load_gate.open();
    assert!(ts.server.ready().await);
    assert_eq!(health(&ts, "").await, ServingStatus::Serving);
    assert_eq!(
        health(&ts, "newsenrich.v1.EnrichmentService").await,
        ServingStatus::Serving
    );

    // Keep one connection open to look at health during the drain delay.
    let mut c = HealthClient::new(ts.channel().await);
    ts.server.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let r = c
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.status, ServingStatus::NotServing as i32);
    let r = c
        .check(HealthCheckRequest {
            service: "liveness".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.status, ServingStatus::Serving as i32);
    let report = ts.server.wait().await.unwrap();
    assert!(!report.forced);
}

#[tokio::test]
async fn overload_gives_resource_exhausted_instead_of_queueing() {
    let mut config = test_config();
    config.worker_threads = 1;
    config.max_in_flight = 2;
    config.max_batch_size = 2;
    let ts = start(config).await;
    let mut c1 = ts.client().await;
    let mut c2 = ts.client().await;
    let first = tokio::spawn(async move {
        c1.enrich_article(request(text_article("wait-1", "One.")))
            .await
    });
    ts.gate.wait_entered(1).await;
    let second = tokio::spawn(async move {
        c2.enrich_article(request(text_article("wait-2", "Two.")))
            .await
    });
    // Wait until the second one is admitted (queued behind the first).
    let mut c = ts.client().await;
    let mut refused = None;
    for _ in 0..200 {
        match c
            .enrich_article(request(text_article("third", "Three.")))
            .await
        {
            Err(s) if s.code() == Code::ResourceExhausted => {
                refused = Some(s);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    let refused = refused.expect("a third article is refused while two are in flight");
    assert!(
        refused.message().contains("2 of 2 articles in flight"),
        "{refused:?}"
    );
    let batch = c
        .batch_enrich_articles(v1::BatchEnrichArticlesRequest {
            articles: vec![text_article("b", "x")],
            options: None,
        })
        .await
        .unwrap_err();
    assert_eq!(batch.code(), Code::ResourceExhausted);

    ts.gate.open();
    assert_eq!(
        first
            .await
            .unwrap()
            .unwrap()
            .into_inner()
            .article
            .unwrap()
            .id,
        "wait-1"
    );
    assert_eq!(
        second
            .await
            .unwrap()
            .unwrap()
            .into_inner()
            .article
            .unwrap()
            .id,
        "wait-2"
    );
    c.enrich_article(request(text_article("later", "Room again.")))
        .await
        .expect("capacity is back");
}

#[tokio::test]
async fn a_client_deadline_gives_deadline_exceeded_and_frees_the_worker() {
    let ts = start(test_config()).await;
    let mut c = ts.client().await;
    let mut req = tonic::Request::new(request(text_article("wait-deadline", "Slow.")));
    req.set_timeout(Duration::from_secs(1));
    let started = std::time::Instant::now();
    let status = c.enrich_article(req).await.unwrap_err();
    // The server answers 50 ms before the deadline, so the caller normally
    // reads DEADLINE_EXCEEDED; on a starved machine the tonic client's own
    // timer can still win the race and report CANCELLED "Timeout expired".
    // Either way the server's own metrics below must show DEADLINE_EXCEEDED.
    let client_timer = status.code() == Code::Cancelled && status.message() == "Timeout expired";
    assert!(
        status.code() == Code::DeadlineExceeded || client_timer,
        "{status:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // The held job saw the cancellation and gave its slot back.
    let mut freed = false;
    for _ in 0..200 {
        let (_, body) = http_get(ts.server.metrics_addr(), "/metrics").await;
        if body.contains("newsenrich_articles_in_flight 0") {
            assert!(
                body.contains(r#"newsenrich_requests_total{method="EnrichArticle",code="DEADLINE_EXCEEDED"} 1"#),
                "the server itself ended the call with DEADLINE_EXCEEDED: {body}"
            );
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(freed, "in-flight gauge back to 0");
    let mut ok = tonic::Request::new(request(text_article("fast", "Quick.")));
    ok.set_timeout(Duration::from_secs(10));
    assert!(
        c.enrich_article(ok).await.is_ok(),
        "a call within its deadline succeeds"
    );
}

/// The value of one metric line (`name{labels} value`) of `/metrics`.
fn metric(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_deadline_stops_the_real_pipeline_inside_its_stages_and_their_time_is_counted() {
    // 2 MB of ordinary prose: the whole pipeline takes about a second in a
    // release build, many in a debug one, so a 300 ms deadline passes
    // while an analysis stage runs.
    let ts = start(newsenrich::server::ServerConfig {
        max_article_bytes: 2 * 1024 * 1024,
        ..test_config()
    })
    .await;
    let sentence =
        "Angela Merkel said on Tuesday that talks with officials in Paris would resume next week. ";
    let text = sentence.repeat(2 * 1024 * 1024 / sentence.len());
    let mut c = ts.client().await;
    let mut req = tonic::Request::new(request(text_article("long", &text)));
    req.set_timeout(Duration::from_millis(300));
    let status = c.enrich_article(req).await.unwrap_err();
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    // The worker sees the cancellation inside the stage and lets go of the
    // article; the wait is bounded only so that a failure cannot hang.
    let mut body = String::new();
    for _ in 0..600 {
        body = http_get(ts.server.metrics_addr(), "/metrics").await.1;
        if metric(&body, "newsenrich_articles_in_flight") == Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        metric(&body, "newsenrich_articles_in_flight"),
        Some(0.0),
        "{body}"
    );
    // Counted as an article that did not succeed, with the time of the
    // stages it went through ...
    assert_eq!(
        metric(&body, r#"newsenrich_articles_total{code="OK"}"#),
        None,
        "{body}"
    );
    assert_eq!(
        metric(
            &body,
            r#"newsenrich_stage_duration_seconds_count{stage="clean"}"#
        ),
        Some(1.0),
        "the cancelled article's cleaning time is counted: {body}"
    );
    // ... and cut before the last stage.
    assert_eq!(
        metric(
            &body,
            r#"newsenrich_stage_duration_seconds_count{stage="dates"}"#
        ),
        None,
        "the article was not run to its end: {body}"
    );
}

#[tokio::test]
async fn graceful_shutdown_finishes_accepted_work_and_ends_streams_with_unavailable() {
    let mut config = test_config();
    config.worker_threads = 8;
    config.stream_concurrency = 4;
    config.drain_delay = Duration::from_millis(300);
    let ts = start(config).await;

    // Two unary calls in flight.
    let mut unary = Vec::new();
    for i in 0..2 {
        let mut c = ts.client().await;
        unary.push(tokio::spawn(async move {
            c.enrich_article(request(text_article(&format!("wait-u{i}"), "Unary.")))
                .await
        }));
    }
    // A stream with three accepted articles, left open by the client.
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    for i in 0..3 {
        tx.send(v1::StreamEnrichArticlesRequest {
            article: Some(text_article(&format!("wait-s{i}"), "Streamed.")),
            options: None,
        })
        .await
        .unwrap();
    }
    let mut sc = ts.client().await;
    let mut responses = sc
        .stream_enrich_articles(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    ts.gate.wait_entered(5).await;

    let mut late = ts.client().await;
    ts.server.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let refused = late
        .enrich_article(request(text_article("late", "Too late.")))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");

    ts.gate.open();
    for (i, call) in unary.into_iter().enumerate() {
        let a = call
            .await
            .unwrap()
            .expect("in-flight unary call finishes")
            .into_inner()
            .article
            .unwrap();
        assert_eq!(a.id, format!("wait-u{i}"));
    }
    use v1::stream_enrich_articles_response::Result as R;
    for i in 0..3 {
        let r = responses
            .next()
            .await
            .expect("answer")
            .expect("not an error");
        assert!(matches!(r.result, Some(R::Article(a)) if a.id == format!("wait-s{i}")));
    }
    let end = responses.next().await.expect("a final status").unwrap_err();
    assert_eq!(end.code(), Code::Unavailable);
    assert!(
        end.message()
            .contains("all 3 articles received were answered"),
        "{end:?}"
    );
    drop(tx);
    let report = ts.server.wait().await.unwrap();
    assert!(!report.forced, "nothing was dropped");
    assert_eq!(report.articles_in_flight, 0);
}

/// What a bare HTTP/2 client saw on a connection it opened and never used.
#[derive(Debug)]
struct IdleConnection {
    /// When the first GOAWAY came, and its error code.
    goaway: Option<(Duration, u32)>,
    /// When the server closed the connection.
    closed: Option<Duration>,
}

/// Opens an HTTP/2 connection with raw frames (preface and SETTINGS, then
/// acknowledging the server's SETTINGS and PINGs as a client library
/// would), sends no request, and records GOAWAY and the close, for at most
/// `watch`.
async fn watch_idle_http2_connection(
    addr: std::net::SocketAddr,
    watch: Duration,
) -> IdleConnection {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const SETTINGS: u8 = 0x4;
    const PING: u8 = 0x6;
    const GOAWAY: u8 = 0x7;
    const ACK: u8 = 0x1;
    let started = std::time::Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let mut seen = IdleConnection {
        goaway: None,
        closed: None,
    };
    let read_frames = async {
        loop {
            let mut header = [0u8; 9];
            if s.read_exact(&mut header).await.is_err() {
                seen.closed = Some(started.elapsed());
                return;
            }
            let len = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            let (kind, flags) = (header[3], header[4]);
            let mut payload = vec![0u8; len];
            if s.read_exact(&mut payload).await.is_err() {
                seen.closed = Some(started.elapsed());
                return;
            }
            match kind {
                SETTINGS if flags & ACK == 0 => {
                    s.write_all(&[0, 0, 0, SETTINGS, ACK, 0, 0, 0, 0])
                        .await
                        .unwrap();
                }
                PING if flags & ACK == 0 => {
                    let mut pong = vec![0, 0, 8, PING, ACK, 0, 0, 0, 0];
                    pong.extend_from_slice(&payload);
                    // The server may already have closed its side.
                    let _ = s.write_all(&pong).await;
                }
                GOAWAY if seen.goaway.is_none() => {
                    let code = u32::from_be_bytes(payload[4..8].try_into().unwrap());
                    seen.goaway = Some((started.elapsed(), code));
                }
                _ => {}
            }
        }
    };
    let _ = tokio::time::timeout(watch, read_frames).await;
    seen
}

#[tokio::test]
async fn a_connection_gets_goaway_at_its_max_age_and_none_without_one() {
    let age = Duration::from_millis(400);
    let mut config = test_config();
    config.max_connection_age = Some(age);
    let aged = start(config).await;
    let unlimited = start(test_config()).await;
    let (aged_conn, unlimited_conn) = tokio::join!(
        watch_idle_http2_connection(aged.server.grpc_addr(), Duration::from_secs(5)),
        watch_idle_http2_connection(unlimited.server.grpc_addr(), Duration::from_millis(1500)),
    );
    let (at, code) = aged_conn.goaway.expect("GOAWAY once the connection is old");
    assert_eq!(code, 0, "GOAWAY with NO_ERROR, a graceful one");
    assert!(
        at >= age - Duration::from_millis(20),
        "not before the age: {aged_conn:?}"
    );
    assert!(at < age + Duration::from_secs(3), "{aged_conn:?}");
    let closed = aged_conn
        .closed
        .expect("an idle connection is closed after its GOAWAY");
    assert!(closed >= at);
    assert!(
        unlimited_conn.goaway.is_none() && unlimited_conn.closed.is_none(),
        "no age limit by default: {unlimited_conn:?}"
    );
}

#[tokio::test]
async fn calls_outlive_the_connection_age_and_the_channel_reconnects() {
    let mut config = test_config();
    config.max_connection_age = Some(Duration::from_millis(300));
    let ts = start(config).await;
    let mut client = ts.client().await;
    enrich(&mut client, text_article("before", "Before the age.")).await;

    // A call still running when its connection reaches the age.
    let mut held_client = client.clone();
    let held = tokio::spawn(async move {
        held_client
            .enrich_article(request(text_article("wait-age", "Held past the age.")))
            .await
    });
    ts.gate.wait_entered(1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    // The old connection has had its GOAWAY; new calls on the same channel
    // go over a new connection. A tonic channel finds out only when it
    // next sends: that one call fails in the client's transport before
    // reaching the server (the same race as in tests/process.rs), and is
    // safe to retry. Other gRPC clients reconnect on the GOAWAY itself.
    let mut retried = 0;
    for i in 0..4 {
        let id = format!("after-{i}");
        let mut c = client.clone();
        let record = match c.enrich_article(request(text_article(&id, "After."))).await {
            Ok(r) => r.into_inner().article.unwrap(),
            Err(s) if std::error::Error::source(&s).is_some() => {
                assert_eq!(s.code(), Code::Cancelled, "{s:?}");
                retried += 1;
                enrich(&mut c, text_article(&id, "After.")).await
            }
            Err(s) => panic!("unexpected {s:?}"),
        };
        assert_eq!(record.id, id);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!("calls retried after a GOAWAY: {retried}");
    ts.gate.open();
    let record = held
        .await
        .unwrap()
        .expect("without a grace period a call in flight is not cut by the age limit")
        .into_inner()
        .article
        .unwrap();
    assert_eq!(record.id, "wait-age");
}
