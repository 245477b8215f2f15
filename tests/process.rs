//! The `newsenrich` binary as users run it: `enrich` prints the same record
//! as the server, `serve` exits 0 on SIGTERM under load without losing
//! accepted work, and `buf curl` works against the server through reflection.

mod common;

use std::process::{Command, Stdio};

use common::*;
use futures::StreamExt;
use newsenrich::api::v1;
use tonic::Code;

const BIN: &str = env!("CARGO_BIN_EXE_newsenrich");

#[tokio::test]
async fn cli_enrich_prints_the_same_record_as_the_server() {
    let Some(dir) = seeds_dir() else { return };
    let path = dir.join("001_5e9356d5c448efd6.txt");
    let out = Command::new(BIN)
        .args([
            "enrich",
            "--published-at",
            "2022-12-19",
            "--time-zone",
            "Europe/Madrid",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line per article");
    let cli: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();

    let ts = start(test_config()).await;
    let mut article = text_article(
        &path.display().to_string(),
        &std::fs::read_to_string(&path).unwrap(),
    );
    article.time_zone = "Europe/Madrid".into();
    article.published_at = Some(newsenrich::api::Timestamp {
        seconds: 1_671_404_400,
        nanos: 0,
    }); // 2022-12-19T00:00+01:00
    let record = enrich(&mut ts.client().await, article).await;
    // Through the JSON text, as the CLI prints it (an f32 salience goes
    // through serde_json::Value as a widened f64 otherwise).
    let server: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
    assert_eq!(cli, server);
    assert_eq!(
        cli["publishedAt"], "2022-12-18T23:00:00Z",
        "the canonical proto3 JSON form"
    );
    assert_eq!(cli["publishedAtSource"], "PUBLISHED_AT_SOURCE_REQUEST");
    assert!(
        cli["simhash"].is_string(),
        "fixed64 is a JSON string in proto3 JSON"
    );
}

#[test]
fn cli_enrich_reports_bad_input_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("articles.jsonl");
    std::fs::write(
        &lines,
        "{\"id\":\"ok\",\"text\":\"Fine text.\",\"publishedAt\":\"2023-02-25T00:00:00Z\"}\n{\"id\":\"bad\",\"text\":\"x\",\"timeZone\":\"Mars/Base\"}\nnot json\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["enrich", "--articles"])
        .arg(&lines)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], "ok");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("articles.jsonl:2: article.time_zone: \"Mars/Base\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("articles.jsonl:3: not a proto3-JSON Article"),
        "{stderr}"
    );

    let out = Command::new(BIN)
        .args(["enrich", "--published-at", "last week"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--published-at"));
}

#[tokio::test]
async fn sigterm_under_load_exits_zero_and_loses_nothing() {
    let mut child = Command::new(BIN)
        .args(LOOPBACK_SERVE)
        .args(["--drain-delay", "200ms"])
        .args([
            "--shutdown-grace-period",
            "20s",
            "--worker-threads",
            "2",
            "--log-format",
            "json",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let channel = channel_when_serving(&listening_addrs(&mut child).0).await;
    let client = v1::enrichment_service_client::EnrichmentServiceClient::new(channel);
    let body = "A paragraph of news text that takes a little work.\n".repeat(40);

    // A stream that keeps sending until the server ends it.
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let producer_body = body.clone();
    let producer = tokio::spawn(async move {
        let mut sent = 0usize;
        while tx
            .send(v1::StreamEnrichArticlesRequest {
                article: Some(text_article(&format!("s{sent}"), &producer_body)),
                options: None,
            })
            .await
            .is_ok()
        {
            sent += 1;
            if sent == 100_000 {
                break;
            }
        }
        sent
    });
    let mut sc = client.clone();
    let mut responses = sc
        .stream_enrich_articles(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    // Unary calls running in a loop beside it.
    let mut unary = Vec::new();
    for w in 0..4 {
        let mut c = client.clone();
        let body = body.clone();
        unary.push(tokio::spawn(async move {
            let (mut ok, mut refused) = (0, 0);
            for i in 0.. {
                let req = v1::EnrichArticleRequest {
                    article: Some(text_article(&format!("u{w}-{i}"), &body)),
                    options: None,
                };
                match c.enrich_article(req).await {
                    Ok(r) => {
                        assert_eq!(r.into_inner().article.unwrap().id, format!("u{w}-{i}"));
                        ok += 1;
                    }
                    Err(s)
                        if s.code() == Code::Unavailable || s.code() == Code::ResourceExhausted =>
                    {
                        refused += 1;
                        if s.code() == Code::Unavailable {
                            break;
                        }
                    }
                    // A call that races the server's GOAWAY fails in the
                    // client's transport ("connection closed" / reset)
                    // before the server has read it; gRPC clients retry
                    // those like UNAVAILABLE. The stream below checks that
                    // nothing the server accepted goes unanswered.
                    Err(s)
                        if matches!(s.code(), Code::Cancelled | Code::Unknown)
                            && std::error::Error::source(&s).is_some() =>
                    {
                        refused += 1;
                        break;
                    }
                    Err(s) => panic!("unexpected {s:?}"),
                }
            }
            (ok, refused)
        }));
    }
    let mut answered = 0usize;
    for _ in 0..20 {
        let r = responses.next().await.unwrap().unwrap();
        assert!(
            matches!(r.result, Some(v1::stream_enrich_articles_response::Result::Article(a)) if a.id == format!("s{answered}"))
        );
        answered += 1;
    }

    sigterm(&child);

    let end = loop {
        match responses.next().await {
            Some(Ok(r)) => {
                assert!(
                    matches!(r.result, Some(v1::stream_enrich_articles_response::Result::Article(a)) if a.id == format!("s{answered}")),
                    "in order, none skipped"
                );
                answered += 1;
            }
            Some(Err(status)) => break status,
            None => panic!("the stream must end with a status naming what was answered"),
        }
    };
    assert_eq!(end.code(), Code::Unavailable, "{end:?}");
    assert!(
        end.message()
            .contains(&format!("all {answered} articles received were answered")),
        "{end:?} after {answered}"
    );
    for u in unary {
        let (ok, _refused) = u.await.unwrap();
        assert!(ok > 0, "unary calls were served before the shutdown");
    }
    let sent = producer.await.unwrap();
    assert!(sent >= answered);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
}

/// `buf` on PATH or in NEWSENRICH_BUF; `.ci/run` installs a pinned one.
fn buf() -> Option<String> {
    let candidate = std::env::var("NEWSENRICH_BUF").unwrap_or_else(|_| "buf".into());
    match Command::new(&candidate).arg("--version").output() {
        Ok(o) if o.status.success() => Some(candidate),
        _ => {
            eprintln!(
                "skipped: buf is not installed (npm @bufbuild/buf; .ci/run installs it) — set NEWSENRICH_BUF or put buf on PATH"
            );
            None
        }
    }
}

#[tokio::test]
async fn buf_curl_lists_methods_and_enriches_through_reflection() {
    let Some(buf) = buf() else { return };
    let ts = start(test_config()).await;
    let url = ts.url();
    let run = |args: Vec<String>| {
        let buf = buf.clone();
        async move {
            tokio::task::spawn_blocking(move || Command::new(&buf).args(&args).output().unwrap())
                .await
                .unwrap()
        }
    };
    for reflect in ["grpc-v1", "grpc-v1alpha"] {
        let out = run(vec![
            "curl".into(),
            "--protocol".into(),
            "grpc".into(),
            "--http2-prior-knowledge".into(),
            "--reflect-protocol".into(),
            reflect.into(),
            "--list-methods".into(),
            url.clone(),
        ])
        .await;
        assert!(
            out.status.success(),
            "{reflect}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = String::from_utf8(out.stdout).unwrap();
        for m in [
            "EnrichArticle",
            "BatchEnrichArticles",
            "StreamEnrichArticles",
            "GetServiceInfo",
        ] {
            assert!(
                listed.contains(&format!("newsenrich.v1.EnrichmentService/{m}")),
                "{reflect}: {listed}"
            );
        }
    }
    // The same article through buf curl and through `newsenrich enrich`:
    // the records must be identical JSON.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("article.txt");
    let text =
        seed("001_").unwrap_or_else(|| "First line \u{201c}quoted\u{201d}.\nSecond line.".into());
    std::fs::write(&file, &text).unwrap();
    let id = file.display().to_string();
    let data = serde_json::json!({"article": {"id": id, "text": text, "publishedAt": "2022-12-19T00:00:00Z"}}).to_string();
    let out = run(vec![
        "curl".into(),
        "--protocol".into(),
        "grpc".into(),
        "--http2-prior-knowledge".into(),
        "-d".into(),
        data,
        format!("{url}/newsenrich.v1.EnrichmentService/EnrichArticle"),
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["article"]["id"], id.as_str());
    assert!(v["article"]["paragraphs"].as_array().unwrap().len() >= 2);
    let cli = Command::new(BIN)
        .args(["enrich", "--published-at", "2022-12-19"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(cli.status.success());
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    // buf writes a float that is whole as `1`, serde_json as `1.0`: compare
    // numbers by value.
    assert_eq!(
        numbers_as_f64(cli),
        numbers_as_f64(v["article"].clone()),
        "the CLI prints what buf curl prints"
    );
    let out = run(vec![
        "curl".into(),
        "--protocol".into(),
        "grpc".into(),
        "--http2-prior-knowledge".into(),
        "-d".into(),
        "{}".into(),
        format!("{url}/grpc.health.v1.Health/Check"),
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "SERVING");
}

#[test]
fn cli_enrich_decodes_html_charsets_and_refuses_non_utf8_text() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("latin1.html");
    std::fs::write(
        &page,
        b"<html lang=\"fr\"><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><article><p>Le caf\xe9 est tr\xe8s bon \xe0 Paris, dit-il hier soir aux journalistes r\xe9unis.</p></article></body></html>",
    )
    .unwrap();
    let out = Command::new(BIN).arg("enrich").arg(&page).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Café");
    assert_eq!(v["language"], "fr");
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .starts_with("Le café est très bon à Paris")
    );

    let text = dir.path().join("latin1.txt");
    std::fs::write(&text, b"caf\xe9\n").unwrap();
    let out = Command::new(BIN).arg("enrich").arg(&text).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not UTF-8 text"));
}

/// `value` with every number as an f64, so `1` and `1.0` compare equal.
fn numbers_as_f64(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_f64).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, numbers_as_f64(v)))
                .collect(),
        ),
        other => other,
    }
}
