//! TLS on the gRPC port: the rustls server configuration built from the
//! PEM files of `--tls-cert-file`, `--tls-key-file` and
//! `--tls-client-ca-file`, and [`TlsState`], which holds the one in use and
//! swaps it when the files change.
//!
//! Each accepted connection takes the configuration in use at that moment
//! ([`TlsState::acceptor`]) and keeps it for its handshake, so a reload
//! changes what new handshakes present and never touches an established
//! connection. The whole configuration is swapped, not only the
//! certificate: a rotated client CA takes effect the same way.
//!
//! The crypto is rustls' ring provider, chosen explicitly (never the
//! process default), with rustls' safe default protocol versions (TLS 1.2
//! and 1.3) and ALPN `h2` only: gRPC is HTTP/2. With a client CA, every
//! client must present a certificate that chains to it (webpki
//! verification, no anonymous clients).

use std::sync::{Arc, RwLock};

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use tokio_rustls::TlsAcceptor;

use super::security::{NamedFile, SecurityConfig, SecurityError, flag};

/// The TLS files of a configuration, in the order [`server_config`] takes
/// their contents: certificate, key, then the client CA if any. `None`
/// when TLS is off.
pub fn files(config: &SecurityConfig) -> Option<Vec<NamedFile>> {
    let cert = config.tls_cert_file.as_deref()?;
    let key = config.tls_key_file.as_deref()?;
    let mut files = vec![
        NamedFile::new(flag::TLS_CERT_FILE, cert),
        NamedFile::new(flag::TLS_KEY_FILE, key),
    ];
    if let Some(ca) = &config.tls_client_ca_file {
        files.push(NamedFile::new(flag::TLS_CLIENT_CA_FILE, ca));
    }
    Some(files)
}

/// The crypto provider of every configuration built here: ring, which
/// builds from crates.io with a C compiler alone. rustls 0.23.48 deprecates
/// it because it lacks the post-quantum key exchange (X25519MLKEM768) of
/// the aws-lc-rs provider, whose build needs more (docs/security.md).
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates of a PEM file (`CERTIFICATE` blocks), at least one.
fn certificates(
    file: &NamedFile,
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, SecurityError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file.invalid(format!("not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(file.invalid("holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    Ok(certs)
}

/// Builds the server configuration from the contents of [`files`].
pub fn server_config(
    files: &[NamedFile],
    contents: &[Vec<u8>],
) -> Result<rustls::ServerConfig, SecurityError> {
    let (cert_file, key_file) = (&files[0], &files[1]);
    let provider = provider();
    let chain = certificates(cert_file, &contents[0])?;
    let key = PrivateKeyDer::from_pem_slice(&contents[1]).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => key_file
            .invalid("holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"),
        e => key_file.invalid(format!("not valid PEM: {e}")),
    })?;
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| key_file.invalid(format!("not a usable private key: {e}")))?;
    let certified = CertifiedKey::new(chain, signing_key);
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            return Err(SecurityError::KeyMismatch {
                key: key_file.path.clone(),
                cert: cert_file.path.clone(),
            });
        }
        Err(e) => return Err(cert_file.invalid(format!("not a usable certificate: {e}"))),
    }

    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| cert_file.invalid(format!("TLS configuration: {e}")))?;
    let builder = match files.get(2) {
        None => builder.with_no_client_auth(),
        Some(ca_file) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(ca_file, &contents[2])? {
                roots
                    .add(cert)
                    .map_err(|e| ca_file.invalid(format!("not a usable CA certificate: {e}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| ca_file.invalid(format!("cannot verify clients with it: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// The TLS configuration in use, swapped whole on reload.
pub struct TlsState {
    current: RwLock<Arc<rustls::ServerConfig>>,
}

impl TlsState {
    /// Starts with `config`.
    pub fn new(config: rustls::ServerConfig) -> Self {
        TlsState {
            current: RwLock::new(Arc::new(config)),
        }
    }

    /// An acceptor for one new connection, with the configuration in use now.
    pub fn acceptor(&self) -> TlsAcceptor {
        let config = self.current.read().unwrap_or_else(|e| e.into_inner());
        TlsAcceptor::from(Arc::clone(&config))
    }

    /// Puts `config` in use for the handshakes that follow.
    pub fn replace(&self, config: rustls::ServerConfig) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair {
        cert: String,
        key: String,
    }

    fn self_signed(name: &str) -> Pair {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        Pair {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    fn named(with_ca: bool) -> Vec<NamedFile> {
        let mut f = vec![
            NamedFile::new(flag::TLS_CERT_FILE, "/tls/tls.crt".as_ref()),
            NamedFile::new(flag::TLS_KEY_FILE, "/tls/tls.key".as_ref()),
        ];
        if with_ca {
            f.push(NamedFile::new(
                flag::TLS_CLIENT_CA_FILE,
                "/tls/ca.crt".as_ref(),
            ));
        }
        f
    }

    fn build(parts: &[&str]) -> Result<rustls::ServerConfig, SecurityError> {
        let contents: Vec<Vec<u8>> = parts.iter().map(|p| p.as_bytes().to_vec()).collect();
        server_config(&named(parts.len() == 3), &contents)
    }

    #[test]
    fn a_matching_pair_builds_a_config_offering_h2() {
        let p = self_signed("localhost");
        let config = build(&[&p.cert, &p.key]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
        let ca = self_signed("ca");
        assert!(
            build(&[&p.cert, &p.key, &ca.cert]).is_ok(),
            "with a client CA"
        );
    }

    #[test]
    fn bad_files_are_errors_naming_flag_and_path() {
        let p = self_signed("localhost");
        let other = self_signed("localhost");
        let cases: [(&[&str], &str); 6] = [
            (
                &[&p.cert, &other.key],
                "--tls-key-file /tls/tls.key does not match the certificate in --tls-cert-file /tls/tls.crt",
            ),
            (
                &["not pem at all", &p.key],
                "--tls-cert-file /tls/tls.crt: holds no PEM certificate",
            ),
            (
                &[&p.key, &p.key],
                "--tls-cert-file /tls/tls.crt: holds no PEM certificate",
            ),
            (
                &[&p.cert, &p.cert],
                "--tls-key-file /tls/tls.key: holds no PEM private key",
            ),
            (
                &[
                    &p.cert,
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                ],
                "--tls-key-file /tls/tls.key: not a usable private key",
            ),
            (
                &[&p.cert, &p.key, ""],
                "--tls-client-ca-file /tls/ca.crt: holds no PEM certificate",
            ),
        ];
        for (parts, expected) in cases {
            let e = build(parts).expect_err(expected).to_string();
            assert!(e.starts_with(expected), "{e}");
            assert!(!e.contains("PRIVATE KEY-----"), "no key material: {e}");
        }
    }

    #[test]
    fn the_state_hands_out_the_config_in_use() {
        let a = self_signed("a");
        let b = self_signed("b");
        let state = TlsState::new(build(&[&a.cert, &a.key]).unwrap());
        let before = state.acceptor();
        state.replace(build(&[&b.cert, &b.key]).unwrap());
        let after = state.acceptor();
        assert!(!Arc::ptr_eq(before.config(), after.config()));
        assert!(Arc::ptr_eq(after.config(), state.acceptor().config()));
    }
}
