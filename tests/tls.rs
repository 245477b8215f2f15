//! TLS, mutual TLS, bearer tokens and the plaintext probe port of the real
//! server over loopback. Certificates are made at test time with rcgen
//! (no keys in the repository, no openssl binary) and written the way a
//! Kubernetes Secret volume lays them out: each file a symlink through
//! `..data`, itself a symlink to a versioned directory, swapped atomically
//! on update. Reloads are polled for with a deadline, never timed.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::pki::*;
use common::*;
use newsenrich::api::v1;
use newsenrich::api::v1::enrichment_service_client::EnrichmentServiceClient;
use newsenrich::server::security::SecurityConfig;
use newsenrich::server::{self, ServerConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;

/// How long a reload may take to show (the test servers poll every 100 ms).
const RELOAD_DEADLINE: Duration = Duration::from_secs(10);

/// A directory laid out like a mounted Kubernetes Secret.
struct SecretDir {
    dir: tempfile::TempDir,
    version: u32,
}

impl SecretDir {
    fn new(files: &[(&str, &str)]) -> SecretDir {
        let mut s = SecretDir {
            dir: tempfile::tempdir().unwrap(),
            version: 0,
        };
        s.publish(files);
        for (name, _) in files {
            std::os::unix::fs::symlink(Path::new("..data").join(name), s.path(name)).unwrap();
        }
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a new version and swaps `..data` to it in one rename, as the
    /// kubelet does.
    fn publish(&mut self, files: &[(&str, &str)]) {
        self.version += 1;
        let version = format!("..v{}", self.version);
        std::fs::create_dir(self.path(&version)).unwrap();
        for (name, text) in files {
            std::fs::write(self.path(&version).join(name), text).unwrap();
        }
        let tmp = self.path("..data_tmp");
        std::os::unix::fs::symlink(&version, &tmp).unwrap();
        std::fs::rename(&tmp, self.path("..data")).unwrap();
    }
}

/// A test configuration with TLS from `secret` (a client CA if it has
/// `ca.crt`), tokens from `tokens` if given, a plaintext probe port, and
/// files checked every 100 ms.
fn secure_config(secret: &SecretDir, client_ca: bool, tokens: Option<&Path>) -> ServerConfig {
    ServerConfig {
        probe_addr: Some("127.0.0.1:0".parse().unwrap()),
        security: SecurityConfig {
            tls_cert_file: Some(secret.path("tls.crt")),
            tls_key_file: Some(secret.path("tls.key")),
            tls_client_ca_file: client_ca.then(|| secret.path("ca.crt")),
            auth_token_file: tokens.map(Path::to_owned),
            metrics_auth: tokens.is_some(),
            reload_interval: Duration::from_millis(100),
        },
        ..test_config()
    }
}

/// A plaintext channel to `addr` (fails at connect or at the first call
/// when the port speaks TLS).
async fn plain_channel(addr: SocketAddr) -> Result<Channel, tonic::transport::Error> {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .connect()
        .await
}

/// `GetServiceInfo` on `channel` with `authorization: Bearer <token>` when
/// a token is given; the version it reports or the status.
async fn service_info(channel: Channel, token: Option<&str>) -> Result<String, tonic::Status> {
    let mut request = tonic::Request::new(v1::GetServiceInfoRequest {});
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let info = EnrichmentServiceClient::new(channel)
        .get_service_info(request)
        .await?
        .into_inner();
    Ok(info.version)
}

/// `GetServiceInfo` over a new TLS connection; any failure, of the
/// handshake or of the call, as text.
async fn tls_call(addr: SocketAddr, ca_pem: &str, identity: Option<&Leaf>) -> Result<(), String> {
    let channel = tls_channel(addr, ca_pem, identity)
        .await
        .map_err(|e| format!("connect: {e:?}"))?;
    service_info(channel, None)
        .await
        .map(drop)
        .map_err(|s| format!("call: {s:?}"))
}

/// The certificate the server presents to a new connection that trusts
/// `ca_pem` (DER), or why the handshake failed.
async fn served_certificate(addr: SocketAddr, ca_pem: &str) -> Result<Vec<u8>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    #[allow(deprecated)] // the server's provider (see src/server/tls.rs)
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    Ok(tls.get_ref().1.peer_certificates().unwrap()[0].to_vec())
}

/// A metric's value in the `/metrics` text (0 when absent).
async fn metric(ts: &TestServer, series: &str, token: &str) -> f64 {
    let (status, body) = http_get_with(
        ts.server.metrics_addr(),
        "/metrics",
        &format!("Authorization: Bearer {token}\r\n"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// Polls `check` until it is true or [`RELOAD_DEADLINE`] passes.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + RELOAD_DEADLINE;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within {RELOAD_DEADLINE:?}");
}

#[tokio::test]
async fn tls_serves_the_api_refuses_plaintext_and_probes_stay_plaintext() {
    let ca = Ca::new("server CA");
    let leaf = ca.server("newsenrich serial 1", 1);
    let secret = SecretDir::new(&[("tls.crt", &leaf.cert), ("tls.key", &leaf.key)]);
    let ts = start(secure_config(&secret, false, None)).await;
    let addr = ts.server.grpc_addr();

    // TLS works, with the certificate from the files.
    assert_eq!(tls_call(addr, &ca.pem, None).await, Ok(()));
    assert_eq!(
        served_certificate(addr, &ca.pem).await,
        Ok(leaf.der.clone())
    );
    // A client that does not trust the CA is refused by its own check.
    let stranger = Ca::new("another CA");
    assert!(tls_call(addr, &stranger.pem, None).await.is_err());

    // Plaintext is refused: the handshake never completes.
    let plain = match plain_channel(addr).await {
        Ok(channel) => service_info(channel, None)
            .await
            .map_err(|s| format!("{s:?}")),
        Err(e) => Err(format!("{e:?}")),
    };
    assert!(plain.is_err(), "plaintext on the TLS port: {plain:?}");
    let (_, text) = http_get(ts.server.metrics_addr(), "/metrics").await;
    assert!(
        text.lines().any(|l| l
            .strip_prefix(r#"newsenrich_connections_closed_total{reason="handshake"} "#)
            .is_some_and(|v| v.trim().parse::<f64>().unwrap() >= 1.0)),
        "failed handshakes are counted: {text}"
    );

    // The probe port speaks plaintext and serves health alone.
    let probe = plain_channel(ts.server.probe_addr().expect("a probe port"))
        .await
        .expect("plaintext probe port");
    assert_eq!(
        health_status(probe.clone(), "").await.unwrap(),
        ServingStatus::Serving
    );
    assert_eq!(
        health_status(probe.clone(), "liveness").await.unwrap(),
        ServingStatus::Serving
    );
    let api = service_info(probe.clone(), None).await.unwrap_err();
    assert_eq!(api.code(), Code::Unimplemented, "no API on the probe port");

    // Readiness on the probe port follows the drain.
    ts.server.begin_shutdown();
    eventually("NOT_SERVING on the probe port", || {
        let probe = probe.clone();
        async move {
            matches!(
                health_status(probe, "").await,
                Ok(ServingStatus::NotServing)
            )
        }
    })
    .await;
    assert_eq!(
        health_status(probe, "liveness").await.unwrap(),
        ServingStatus::Serving
    );
}

#[tokio::test]
async fn mutual_tls_admits_only_clients_with_a_certificate_from_the_client_ca() {
    let server_ca = Ca::new("server CA");
    let client_ca = Ca::new("client CA");
    let leaf = server_ca.server("newsenrich", 1);
    let secret = SecretDir::new(&[
        ("tls.crt", &leaf.cert),
        ("tls.key", &leaf.key),
        ("ca.crt", &client_ca.pem),
    ]);
    let ts = start(secure_config(&secret, true, None)).await;
    let addr = ts.server.grpc_addr();

    let client = client_ca.client("search-indexer");
    assert_eq!(tls_call(addr, &server_ca.pem, Some(&client)).await, Ok(()));

    let without = tls_call(addr, &server_ca.pem, None).await;
    assert!(without.is_err(), "no client certificate: {without:?}");
    let foreign = Ca::new("foreign CA").client("intruder");
    let wrong = tls_call(addr, &server_ca.pem, Some(&foreign)).await;
    assert!(wrong.is_err(), "a certificate of another CA: {wrong:?}");
}

#[tokio::test]
async fn tokens_guard_the_api_reflection_and_metrics_but_not_health() {
    let ca = Ca::new("server CA");
    let leaf = ca.server("newsenrich", 1);
    let secret = SecretDir::new(&[("tls.crt", &leaf.cert), ("tls.key", &leaf.key)]);
    let tokens = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tokens.path(), "# indexer\nright-token\n").unwrap();
    let ts = start(secure_config(&secret, false, Some(tokens.path()))).await;
    let channel = tls_channel(ts.server.grpc_addr(), &ca.pem, None)
        .await
        .unwrap();

    assert_eq!(
        service_info(channel.clone(), Some("right-token"))
            .await
            .unwrap(),
        newsenrich::VERSION
    );
    let wrong = service_info(channel.clone(), Some("wrong-token"))
        .await
        .unwrap_err();
    let missing = service_info(channel.clone(), None).await.unwrap_err();
    assert_eq!(wrong.code(), Code::Unauthenticated);
    assert_eq!(missing.code(), Code::Unauthenticated);
    assert_eq!(
        wrong.message(),
        missing.message(),
        "the caller is not told which"
    );
    assert!(!wrong.message().contains("wrong-token"));

    // Health is open to probes and load balancers.
    assert_eq!(
        health_status(channel.clone(), "").await.unwrap(),
        ServingStatus::Serving
    );

    // Reflection needs a token too.
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_request::MessageRequest,
    };
    let list = |token: Option<&'static str>| {
        let channel = channel.clone();
        async move {
            let mut request =
                tonic::Request::new(futures::stream::iter([ServerReflectionRequest {
                    host: String::new(),
                    message_request: Some(MessageRequest::ListServices(String::new())),
                }]));
            if let Some(token) = token {
                request
                    .metadata_mut()
                    .insert("authorization", format!("Bearer {token}").parse().unwrap());
            }
            let mut stream = ServerReflectionClient::new(channel)
                .server_reflection_info(request)
                .await?
                .into_inner();
            stream.message().await.map(|m| m.is_some())
        }
    };
    assert!(list(Some("right-token")).await.unwrap(), "services listed");
    assert_eq!(list(None).await.unwrap_err().code(), Code::Unauthenticated);

    // Refusals are counted by reason, and calls by the code callers got.
    assert_eq!(
        metric(
            &ts,
            r#"newsenrich_auth_refusals_total{endpoint="grpc",reason="invalid"}"#,
            "right-token"
        )
        .await,
        1.0
    );
    assert_eq!(
        metric(
            &ts,
            r#"newsenrich_auth_refusals_total{endpoint="grpc",reason="missing"}"#,
            "right-token"
        )
        .await,
        2.0
    );
    assert_eq!(
        metric(
            &ts,
            r#"newsenrich_requests_total{method="GetServiceInfo",code="UNAUTHENTICATED"}"#,
            "right-token"
        )
        .await,
        2.0
    );

    // --metrics-auth: /metrics needs the token as well.
    let metrics = ts.server.metrics_addr();
    let (status, body) = http_get(metrics, "/metrics").await;
    assert_eq!(status, 401, "{body}");
    assert!(!body.contains("newsenrich_"), "{body}");
    let (status, _) = http_get_with(metrics, "/metrics", "Authorization: Bearer nope\r\n").await;
    assert_eq!(status, 401);
    assert_eq!(
        metric(
            &ts,
            r#"newsenrich_auth_refusals_total{endpoint="metrics",reason="missing"}"#,
            "right-token"
        )
        .await,
        1.0
    );
}

#[tokio::test]
async fn a_rotated_certificate_serves_new_connections_while_old_ones_go_on() {
    // The two certificates come from different CAs, so a client that
    // trusts only the first cannot open a new connection after the
    // rotation: its calls that still succeed ride the old connection.
    let old_ca = Ca::new("old CA");
    let new_ca = Ca::new("new CA");
    let old = old_ca.server("newsenrich serial 1", 1);
    let new = new_ca.server("newsenrich serial 2", 2);
    let mut secret = SecretDir::new(&[("tls.crt", &old.cert), ("tls.key", &old.key)]);
    let ts = start(secure_config(&secret, false, None)).await;
    let addr = ts.server.grpc_addr();

    let old_connection = tls_channel(addr, &old_ca.pem, None).await.unwrap();
    assert!(service_info(old_connection.clone(), None).await.is_ok());
    assert_eq!(
        served_certificate(addr, &old_ca.pem).await,
        Ok(old.der.clone())
    );

    // A broken update (a key that is not the certificate's) is not used.
    secret.publish(&[("tls.crt", &new.cert), ("tls.key", &old.key)]);
    eventually("the failed reload counted", || async {
        metric(
            &ts,
            r#"newsenrich_reloads_total{what="tls",result="error"}"#,
            "",
        )
        .await
            >= 1.0
    })
    .await;
    assert_eq!(
        served_certificate(addr, &old_ca.pem).await,
        Ok(old.der.clone())
    );

    secret.publish(&[("tls.crt", &new.cert), ("tls.key", &new.key)]);
    eventually("new connections get the new certificate", || async {
        served_certificate(addr, &new_ca.pem).await.as_ref() == Ok(&new.der)
    })
    .await;
    assert!(
        served_certificate(addr, &old_ca.pem).await.is_err(),
        "the old certificate is no longer served"
    );
    assert!(tls_call(addr, &old_ca.pem, None).await.is_err());
    assert_eq!(tls_call(addr, &new_ca.pem, None).await, Ok(()));

    // The connection opened before the rotation still works.
    for _ in 0..3 {
        assert!(service_info(old_connection.clone(), None).await.is_ok());
    }
    assert_eq!(
        metric(
            &ts,
            r#"newsenrich_reloads_total{what="tls",result="ok"}"#,
            ""
        )
        .await,
        1.0
    );
}

#[tokio::test]
async fn tokens_added_to_the_file_work_and_removed_ones_stop_working() {
    let tokens = tempfile::tempdir().unwrap();
    let file = tokens.path().join("tokens");
    std::fs::write(&file, "first\n").unwrap();
    // Tokens without TLS: the layer is the same.
    let config = ServerConfig {
        security: SecurityConfig {
            auth_token_file: Some(file.clone()),
            reload_interval: Duration::from_millis(100),
            ..SecurityConfig::default()
        },
        ..test_config()
    };
    let ts = start(config).await;
    let channel = ts.channel().await;
    let works = |token: &'static str| {
        let channel = channel.clone();
        async move { service_info(channel, Some(token)).await.is_ok() }
    };
    assert!(works("first").await);
    assert!(!works("second").await);

    // Replaced whole (written aside, then renamed), as editors and
    // configuration tools do.
    let replace = |text: &str| {
        let tmp = tokens.path().join("tokens.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &file).unwrap();
    };
    replace("first\nsecond\n");
    eventually("an added token works", || works("second")).await;
    assert!(works("first").await);

    replace("# first was revoked\nsecond\n");
    eventually("a removed token stops working", || async {
        !works("first").await
    })
    .await;
    assert!(works("second").await);

    // A file left with no token is a failed reload: the tokens in use stay.
    replace("# nothing\n");
    eventually("the failed reload counted", || async {
        let (_, text) = http_get(ts.server.metrics_addr(), "/metrics").await;
        text.contains(r#"newsenrich_reloads_total{what="tokens",result="error"} 1"#)
    })
    .await;
    assert!(works("second").await);
}

#[tokio::test]
async fn bad_files_stop_the_start_with_the_flag_and_file_named() {
    let ca = Ca::new("CA");
    let a = ca.server("a", 1);
    let b = ca.server("b", 2);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let (cert, key, other_key) = (
        write("tls.crt", &a.cert),
        write("tls.key", &a.key),
        write("other.key", &b.key),
    );
    let garbage = write("garbage.pem", "not a certificate\n");
    let empty_tokens = write("tokens", "# none yet\n\n");
    let missing = dir.path().join("missing.crt");
    let with = |security: SecurityConfig| ServerConfig {
        security,
        ..test_config()
    };
    let tls = |cert: &Path, key: &Path| SecurityConfig {
        tls_cert_file: Some(cert.to_owned()),
        tls_key_file: Some(key.to_owned()),
        ..SecurityConfig::default()
    };
    let cases = [
        (
            tls(&cert, &other_key),
            format!(
                "--tls-key-file {} does not match the certificate in --tls-cert-file {}",
                other_key.display(),
                cert.display()
            ),
        ),
        (
            tls(&missing, &key),
            format!("--tls-cert-file {}: cannot read: ", missing.display()),
        ),
        (
            tls(&garbage, &key),
            format!(
                "--tls-cert-file {}: holds no PEM certificate",
                garbage.display()
            ),
        ),
        (
            tls(&cert, &garbage),
            format!(
                "--tls-key-file {}: holds no PEM private key",
                garbage.display()
            ),
        ),
        (
            SecurityConfig {
                tls_client_ca_file: Some(garbage.clone()),
                ..tls(&cert, &key)
            },
            format!(
                "--tls-client-ca-file {}: holds no PEM certificate",
                garbage.display()
            ),
        ),
        (
            SecurityConfig {
                auth_token_file: Some(empty_tokens.clone()),
                ..SecurityConfig::default()
            },
            format!(
                "--auth-token-file {}: holds no token",
                empty_tokens.display()
            ),
        ),
        (
            SecurityConfig {
                tls_cert_file: Some(cert.clone()),
                ..SecurityConfig::default()
            },
            "--tls-cert-file is set but --tls-key-file is not".to_owned(),
        ),
    ];
    for (security, expected) in cases {
        let loader: server::Loader = Box::new(|| {
            Err(newsenrich::Error::Internal(
                "not loaded in this test".into(),
            ))
        });
        let e = match server::start(with(security), loader).await {
            Ok(_) => panic!("started despite: {expected}"),
            Err(e) => e.to_string(),
        };
        assert!(e.starts_with(&expected), "{e}\nexpected: {expected}");
    }
}

#[test]
fn the_binary_reports_a_bad_file_once_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "# no token yet\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsenrich"))
        .args(LOOPBACK_SERVE)
        .env("NEWSENRICH_AUTH_TOKEN_FILE", &tokens)
        .env("NEWSENRICH_TLS_CERT_FILE", dir.path().join("missing.crt"))
        .env("NEWSENRICH_TLS_KEY_FILE", dir.path().join("missing.key"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let expected = format!(
        "newsenrich: --tls-cert-file {}: cannot read: ",
        dir.path().join("missing.crt").display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert_eq!(stderr.matches("cannot read").count(), 1, "{stderr}");
}
