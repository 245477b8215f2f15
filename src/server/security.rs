//! The security settings of the server and the files behind them: TLS
//! certificate, key and client CA ([`super::tls`]) and bearer tokens
//! ([`super::auth`]). This module owns their configuration and its checks,
//! the one error type of everything that reads those files
//! ([`SecurityError`]), and the reloader that re-reads them when they
//! change ([`spawn_reloader`]).
//!
//! Files are polled, not watched with inotify: Kubernetes updates a mounted
//! Secret by swapping a symlink (`..data`) to a new directory, which a
//! watch on the file itself does not see, and polling works the same on
//! every file system. Every `reload_interval` the reloader reads each file
//! whole, through its links, and compares the SHA-256 digest of the
//! contents with that of the contents in use; a change (and only a change)
//! is parsed and, when valid, replaces what is in use. A read or parse
//! failure keeps what is in use and logs a warning once per distinct
//! problem. Each reload is counted in `newsenrich_reloads_total` by
//! `what` (`tls`, `tokens`) and `result` (`ok`, `error`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::metrics::{Metrics, ReloadLabels};

/// Flag names, as errors and logs quote them.
pub mod flag {
    /// The server certificate chain (PEM).
    pub const TLS_CERT_FILE: &str = "--tls-cert-file";
    /// The server private key (PEM).
    pub const TLS_KEY_FILE: &str = "--tls-key-file";
    /// The CA that client certificates must chain to (PEM).
    pub const TLS_CLIENT_CA_FILE: &str = "--tls-client-ca-file";
    /// The bearer tokens, one a line.
    pub const AUTH_TOKEN_FILE: &str = "--auth-token-file";
    /// Tokens on `/metrics` too.
    pub const METRICS_AUTH: &str = "--metrics-auth";
    /// How often the files are checked.
    pub const FILE_RELOAD_INTERVAL: &str = "--file-reload-interval";
}

/// Default of [`SecurityConfig::reload_interval`].
pub const DEFAULT_RELOAD_INTERVAL: Duration = Duration::from_secs(5);

/// TLS and token settings (all off by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// Server certificate chain, PEM, leaf first; with `tls_key_file`
    /// turns TLS on for the gRPC port.
    pub tls_cert_file: Option<PathBuf>,
    /// Server private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub tls_key_file: Option<PathBuf>,
    /// CA certificates, PEM: clients must present a certificate that
    /// chains to one of them (mutual TLS).
    pub tls_client_ca_file: Option<PathBuf>,
    /// Bearer tokens, one a line: every call but health needs one.
    pub auth_token_file: Option<PathBuf>,
    /// `GET /metrics` needs a token too.
    pub metrics_auth: bool,
    /// How often the files above are checked for changes.
    pub reload_interval: Duration,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            tls_cert_file: None,
            tls_key_file: None,
            tls_client_ca_file: None,
            auth_token_file: None,
            metrics_auth: false,
            reload_interval: DEFAULT_RELOAD_INTERVAL,
        }
    }
}

impl SecurityConfig {
    /// Checks that the settings go together (files are read by
    /// [`super::start`]).
    pub fn validate(&self) -> Result<(), SecurityError> {
        match (&self.tls_cert_file, &self.tls_key_file) {
            (Some(_), None) => {
                return Err(SecurityError::Unpaired {
                    given: flag::TLS_CERT_FILE,
                    missing: flag::TLS_KEY_FILE,
                });
            }
            (None, Some(_)) => {
                return Err(SecurityError::Unpaired {
                    given: flag::TLS_KEY_FILE,
                    missing: flag::TLS_CERT_FILE,
                });
            }
            _ => {}
        }
        if self.tls_client_ca_file.is_some() && self.tls_cert_file.is_none() {
            return Err(SecurityError::Needs {
                flag: flag::TLS_CLIENT_CA_FILE,
                needs: "--tls-cert-file and --tls-key-file",
            });
        }
        if self.metrics_auth && self.auth_token_file.is_none() {
            return Err(SecurityError::Needs {
                flag: flag::METRICS_AUTH,
                needs: flag::AUTH_TOKEN_FILE,
            });
        }
        if self.reload_interval.is_zero() {
            return Err(SecurityError::ZeroReloadInterval);
        }
        Ok(())
    }

    /// Whether TLS is on.
    pub fn tls(&self) -> bool {
        self.tls_cert_file.is_some()
    }
}

/// A certificate, key or token file that cannot be used, or settings that
/// do not go together. Every message names the flag and, for a file, its
/// path; none quotes a key or a token.
#[derive(Debug, thiserror::Error)]
pub enum SecurityError {
    /// One of two flags that go together.
    #[error("{given} is set but {missing} is not: the two go together")]
    Unpaired {
        /// The flag given.
        given: &'static str,
        /// The flag missing.
        missing: &'static str,
    },
    /// A flag that needs another.
    #[error("{flag} needs {needs}")]
    Needs {
        /// The flag given.
        flag: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// A reload interval of zero.
    #[error("--file-reload-interval must be above 0")]
    ZeroReloadInterval,
    /// A file that cannot be read.
    #[error("{flag} {}: cannot read: {cause}", path.display())]
    Read {
        /// The flag naming the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause (in the message, so not also a `source`, which would
        /// print it twice in `main`'s error chain).
        cause: std::io::Error,
    },
    /// A file whose contents are not what the flag takes.
    #[error("{flag} {}: {problem}", path.display())]
    Invalid {
        /// The flag naming the file.
        flag: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong (never quoting a key or token).
        problem: String,
    },
    /// A private key that is not the certificate's.
    #[error(
        "--tls-key-file {} does not match the certificate in --tls-cert-file {}",
        key.display(),
        cert.display()
    )]
    KeyMismatch {
        /// The key file.
        key: PathBuf,
        /// The certificate file.
        cert: PathBuf,
    },
}

/// A file named by a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    /// The flag.
    pub flag: &'static str,
    /// The path given.
    pub path: PathBuf,
}

impl NamedFile {
    /// `path` as given to `flag`.
    pub fn new(flag: &'static str, path: &Path) -> Self {
        NamedFile {
            flag,
            path: path.to_owned(),
        }
    }

    /// An [`SecurityError::Invalid`] about this file.
    pub fn invalid(&self, problem: impl Into<String>) -> SecurityError {
        SecurityError::Invalid {
            flag: self.flag,
            path: self.path.clone(),
            problem: problem.into(),
        }
    }
}

/// The contents of a set of files, read at one time, and their digest.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Each file's bytes, in the order of the files.
    pub contents: Vec<Vec<u8>>,
    /// SHA-256 over every file's length and bytes.
    pub digest: [u8; 32],
}

/// Reads every file whole (following links).
pub fn read_files(files: &[NamedFile]) -> Result<Snapshot, SecurityError> {
    let mut hasher = Sha256::new();
    let mut contents = Vec::with_capacity(files.len());
    for file in files {
        let bytes = std::fs::read(&file.path).map_err(|cause| SecurityError::Read {
            flag: file.flag,
            path: file.path.clone(),
            cause,
        })?;
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(&bytes);
        contents.push(bytes);
    }
    Ok(Snapshot {
        contents,
        digest: hasher.finalize().into(),
    })
}

/// Re-reads `files` every `interval` until `stop`, and hands contents that
/// differ from the last seen (at first `loaded`, the digest of what is in
/// use) to `apply`, which parses them and swaps them in or fails. `what`
/// names the reload in logs and metrics (`tls`, `tokens`).
pub fn spawn_reloader<F>(
    what: &'static str,
    files: Vec<NamedFile>,
    loaded: [u8; 32],
    interval: Duration,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
    mut apply: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut(&[Vec<u8>]) -> Result<(), SecurityError> + Send + 'static,
{
    tokio::spawn(async move {
        let mut seen = loaded;
        let mut last_problem: Option<String> = None;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                _ = ticker.tick() => {}
            }
            let to_read = files.clone();
            let read = match tokio::task::spawn_blocking(move || read_files(&to_read)).await {
                Ok(read) => read,
                Err(e) => {
                    tracing::error!(what, error = %e, "file reload task failed");
                    continue;
                }
            };
            let snapshot = match read {
                Ok(s) if s.digest == seen => continue,
                Ok(s) => s,
                Err(e) => {
                    let problem = e.to_string();
                    if last_problem.as_deref() != Some(problem.as_str()) {
                        tracing::warn!(what, error = %problem, "cannot reload; keeping what is in use");
                        last_problem = Some(problem);
                    }
                    continue;
                }
            };
            seen = snapshot.digest;
            let result = apply(&snapshot.contents);
            metrics
                .reloads
                .get_or_create(&ReloadLabels {
                    what,
                    result: if result.is_ok() { "ok" } else { "error" },
                })
                .inc();
            match result {
                Ok(()) => {
                    last_problem = None;
                    tracing::info!(what, "reloaded changed files");
                }
                Err(e) => {
                    tracing::warn!(what, error = %e, "changed files are not valid; keeping what is in use");
                    last_problem = Some(e.to_string());
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SecurityConfig {
        SecurityConfig {
            tls_cert_file: Some("c.pem".into()),
            tls_key_file: Some("k.pem".into()),
            tls_client_ca_file: Some("ca.pem".into()),
            auth_token_file: Some("tokens".into()),
            metrics_auth: true,
            reload_interval: Duration::from_secs(1),
        }
    }

    #[test]
    fn settings_that_go_together_pass_and_others_name_the_flags() {
        assert!(SecurityConfig::default().validate().is_ok());
        assert!(valid().validate().is_ok());
        let cases = [
            (
                SecurityConfig {
                    tls_key_file: None,
                    tls_client_ca_file: None,
                    ..valid()
                },
                "--tls-cert-file is set but --tls-key-file is not",
            ),
            (
                SecurityConfig {
                    tls_cert_file: None,
                    tls_client_ca_file: None,
                    ..valid()
                },
                "--tls-key-file is set but --tls-cert-file is not",
            ),
            (
                SecurityConfig {
                    tls_cert_file: None,
                    tls_key_file: None,
                    ..valid()
                },
                "--tls-client-ca-file needs --tls-cert-file and --tls-key-file",
            ),
            (
                SecurityConfig {
                    auth_token_file: None,
                    ..valid()
                },
                "--metrics-auth needs --auth-token-file",
            ),
            (
                SecurityConfig {
                    reload_interval: Duration::ZERO,
                    ..valid()
                },
                "--file-reload-interval must be above 0",
            ),
        ];
        for (config, message) in cases {
            let e = config.validate().expect_err(message).to_string();
            assert!(e.starts_with(message), "{e}");
        }
    }

    #[test]
    fn snapshots_change_with_contents_and_name_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "ab").unwrap();
        std::fs::write(&b, "c").unwrap();
        let files = [
            NamedFile::new(flag::TLS_CERT_FILE, &a),
            NamedFile::new(flag::TLS_KEY_FILE, &b),
        ];
        let first = read_files(&files).unwrap();
        assert_eq!(first.contents, vec![b"ab".to_vec(), b"c".to_vec()]);
        assert_eq!(read_files(&files).unwrap().digest, first.digest);
        // The same bytes split differently between the files differ.
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "bc").unwrap();
        assert_ne!(read_files(&files).unwrap().digest, first.digest);
        std::fs::remove_file(&b).unwrap();
        let e = read_files(&files).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("--tls-key-file {}: cannot read: ", b.display())),
            "{e}"
        );
    }
}
