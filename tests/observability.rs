//! The Grafana dashboard (`deploy/grafana/newsenrich.json`) and the alerting
//! rules (`deploy/kubernetes/components/alerts/prometheusrule.yaml`) query
//! only metrics that exist: every `newsenrich_*` series name they use is one
//! the server exports (read from a fresh registry's OpenMetrics text, so the
//! names come from src/server/metrics.rs itself), and every other name is one
//! of the kube-state-metrics or cAdvisor metrics listed here. The PromQL
//! syntax of both is checked by `promtool` in deploy/check. A server whose
//! time budget runs out counts its records' TIME_BUDGET warnings, which the
//! NewsenrichTimeBudgetCuts alert reads.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use newsenrich::api::v1;

use regex::Regex;
use serde_json::Value;

/// Metrics of the cluster's exporters that the dashboard and alerts use.
const EXTERNAL: &[&str] = &[
    // kube-state-metrics
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_last_terminated_reason",
    "kube_pod_container_resource_limits",
    "kube_deployment_status_replicas_unavailable",
    // cAdvisor (kubelet)
    "container_memory_working_set_bytes",
];

/// The series names the server exports: each family's name with the
/// suffixes of its type (OpenMetrics: counters `_total`, histograms
/// `_bucket`, `_sum`, `_count`). A labelled family shows only once it has
/// a sample, so one of each is recorded first; every family that
/// src/server/metrics.rs registers must then be in the text.
fn exported() -> BTreeSet<String> {
    use newsenrich::server::metrics::{CloseLabels, Metrics, ReloadLabels};
    let m = Metrics::new();
    let took = std::time::Duration::from_millis(2);
    m.record_call("EnrichArticle", tonic::Code::Ok, took);
    m.record_article(tonic::Code::Ok, &[("clean", took)]);
    m.record_warnings([("TIME_BUDGET", "entities")]);
    m.connections
        .closed
        .get_or_create(&CloseLabels { reason: "client" })
        .inc();
    m.record_auth_refusal("grpc", "missing");
    m.reloads
        .get_or_create(&ReloadLabels {
            what: "tokens",
            result: "ok",
        })
        .inc();
    let text = m.encode();
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/server/metrics.rs"
    ))
    .unwrap();
    let registered = source.matches("registry.register(").count();
    let families = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
    assert_eq!(families, registered, "every registered family in:\n{text}");
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let (name, kind) = rest.split_once(' ').unwrap();
        match kind {
            "counter" => {
                names.insert(format!("{name}_total"));
            }
            "histogram" => {
                for suffix in ["_bucket", "_sum", "_count"] {
                    names.insert(format!("{name}{suffix}"));
                }
            }
            "gauge" => {
                names.insert(name.to_string());
            }
            other => panic!("{name}: type {other} not handled"),
        }
    }
    names
}

/// Every string under a key `key`, anywhere in a JSON tree.
fn strings_under(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k == key, v) {
                    (true, Value::String(s)) => out.push(s.clone()),
                    _ => strings_under(v, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strings_under(v, key, out)),
        _ => {}
    }
}

/// The metric names a PromQL expression reads: identifiers followed by a
/// selector (`{`) or a range (`[`), or standing alone as a whole
/// expression argument; function names, label names and keywords are not
/// followed by those.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let re = Regex::new(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[\{\[]").unwrap();
    let mut names: BTreeSet<String> = re
        .captures_iter(expr)
        .map(|c| c[1].to_string())
        .filter(|n| n != "by" && n != "without" && n != "on" && n != "ignoring")
        .collect();
    // A bare metric name (no selector) in a function call: `sum(x)`.
    let bare = Regex::new(r"\(\s*((?:newsenrich|kube|container)_[a-zA-Z0-9_]*)\s*\)").unwrap();
    names.extend(bare.captures_iter(expr).map(|c| c[1].to_string()));
    names
}

fn check(source: &str, exprs: &[String]) -> BTreeSet<String> {
    assert!(!exprs.is_empty(), "{source}: no expressions");
    let exported = exported();
    let mut used = BTreeSet::new();
    for expr in exprs {
        let names = metric_names(expr);
        assert!(!names.is_empty(), "{source}: no metric in {expr}");
        for name in names {
            assert!(
                exported.contains(&name) || EXTERNAL.contains(&name.as_str()),
                "{source}: {name} is neither exported by the server nor a listed exporter metric: {expr}"
            );
            used.insert(name);
        }
    }
    used
}

#[test]
fn the_exported_names_are_read_from_the_registry() {
    let names = exported();
    for name in [
        "newsenrich_requests_total",
        "newsenrich_request_duration_seconds_bucket",
        "newsenrich_articles_in_flight",
        "newsenrich_article_warnings_total",
        "newsenrich_build_info",
    ] {
        assert!(names.contains(name), "{name} in {names:?}");
    }
    assert!(!names.contains("newsenrich_requests"), "{names:?}");
    assert_eq!(
        metric_names(r#"sum by (le) (rate(a_bucket{x="1"}[5m])) / on (n) b_total[5m] + sum(c_x)"#),
        BTreeSet::from(["a_bucket".to_string(), "b_total".to_string()])
    );
}

#[test]
fn the_dashboard_queries_only_exported_metrics() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/grafana/newsenrich.json"
    );
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the dashboard is JSON");
    assert_eq!(dashboard["uid"], "newsenrich");
    let panels = dashboard["panels"].as_array().unwrap();
    let mut exprs = Vec::new();
    strings_under(&dashboard["panels"], "expr", &mut exprs);
    // Every panel but the rows queries something.
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let targets = panel["targets"].as_array().map_or(0, Vec::len);
        assert!(targets > 0, "{}: no query", panel["title"]);
    }
    let used = check("dashboard", &exprs);
    // What the dashboard is for: calls by method and code, latency
    // quantiles, in-flight, time-budget cuts.
    for name in [
        "newsenrich_requests_total",
        "newsenrich_request_duration_seconds_bucket",
        "newsenrich_articles_in_flight",
        "newsenrich_article_warnings_total",
        "newsenrich_articles_total",
        "newsenrich_stage_duration_seconds_bucket",
    ] {
        assert!(used.contains(name), "the dashboard shows {name}");
    }
    for q in ["histogram_quantile(0.5,", "histogram_quantile(0.99,"] {
        assert!(exprs.iter().any(|e| e.contains(q)), "{q}");
    }
}

#[test]
fn the_alerts_query_only_exported_metrics_and_have_runbook_entries() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!(
        "{root}/deploy/kubernetes/components/alerts/prometheusrule.yaml"
    ))
    .unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    assert_eq!(docs[0]["kind"].as_str(), Some("PrometheusRule"));
    let runbook = std::fs::read_to_string(format!("{root}/docs/operations.md")).unwrap();
    let mut exprs = Vec::new();
    let mut alerts = Vec::new();
    for group in docs[0]["spec"]["groups"].as_vec().unwrap() {
        for rule in group["rules"].as_vec().unwrap() {
            let alert = rule["alert"].as_str().expect("alerting rules only");
            exprs.push(rule["expr"].as_str().unwrap().to_string());
            // Each alert's runbook annotation points at its own heading.
            let anchor = format!("docs/operations.md#{}", alert.to_lowercase());
            assert_eq!(
                rule["annotations"]["runbook"].as_str(),
                Some(anchor.as_str()),
                "{alert}"
            );
            assert!(
                runbook.lines().any(|l| l == format!("### {alert}")),
                "docs/operations.md has a '### {alert}' entry"
            );
            alerts.push(alert.to_string());
        }
    }
    let used = check("alerts", &exprs);
    assert!(used.contains("newsenrich_article_warnings_total"));
    assert!(used.contains("kube_pod_container_status_last_terminated_reason"));
    assert_eq!(alerts.len(), 7, "{alerts:?}");
}

#[tokio::test]
async fn a_spent_time_budget_is_counted_by_warning_code_and_stage() {
    // A budget so small that it is spent before the first stage ends.
    let ts = start(newsenrich::server::ServerConfig {
        article_time_budget: Some(Duration::from_nanos(1)),
        ..test_config()
    })
    .await;
    let mut c = ts.client().await;
    let text = "Anna Berg said on Monday that the plan would go ahead. ".repeat(40);
    let record = enrich(&mut c, text_article("budget", &text)).await;
    let cut: Vec<&v1::Warning> = record
        .warnings
        .iter()
        .filter(|w| w.code == v1::WarningCode::TimeBudget as i32)
        .collect();
    assert!(!cut.is_empty(), "{:?}", record.warnings);
    let (status, body) = http_get(ts.server.metrics_addr(), "/metrics").await;
    assert_eq!(status, 200);
    for stage in cut
        .iter()
        .map(|w| w.stage.as_str())
        .collect::<BTreeSet<_>>()
    {
        let n = cut.iter().filter(|w| w.stage == stage).count();
        let line = format!(
            r#"newsenrich_article_warnings_total{{code="TIME_BUDGET",stage="{stage}"}} {n}"#
        );
        assert!(body.lines().any(|l| l == line), "{line} in:\n{body}");
    }
    let counted: usize = body
        .lines()
        .filter(|l| l.starts_with("newsenrich_article_warnings_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, record.warnings.len(), "{body}");
}
