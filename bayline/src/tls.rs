//! The built-in broker's TLS listener: where it listens and the certificate it shows. Both
//! files are read and checked before the broker starts, so a bad file is one line naming it
//! (the broker library would only say "No certificates found in file").

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

/// MQTT over TLS on `listen`, with this certificate chain and private key (PEM files).
#[derive(Debug, Clone)]
pub struct TlsListener {
    pub listen: SocketAddr,
    /// The server's certificate first, then any intermediate CA certificates.
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read the TLS file {path}: {error}")]
    Read { path: PathBuf, error: String },
    #[error("the TLS certificate file {0} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate(PathBuf),
    #[error("the TLS key file {0} holds no PEM private key (-----BEGIN PRIVATE KEY-----)")]
    NoKey(PathBuf),
    #[error("the TLS key {key} does not fit the certificate {cert}: {error}")]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        error: String,
    },
}

impl TlsListener {
    /// Reads both files and checks that the key is the certificate's.
    pub fn check(&self) -> Result<(), TlsError> {
        self.server_config().map(|_| ())
    }

    /// A TLS server's config with this certificate and key.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, TlsError> {
        let chain = certificates(&self.cert)?;
        let key = private_key(&self.key)?;
        install_provider();
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TlsError::Mismatch {
                cert: self.cert.clone(),
                key: self.key.clone(),
                error: e.to_string(),
            })
    }
}

/// ring as the process-wide rustls provider, for the broker's acceptor (which asks rustls for
/// the default) and ours; a no-op when one is set already.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        path: path.to_path_buf(),
        error: e.to_string(),
    })
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(&read(path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Read {
            path: path.to_path_buf(),
            error: format!("not PEM: {e}"),
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.to_path_buf()));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(&read(path)?).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey(path.to_path_buf()),
        e => TlsError::Read {
            path: path.to_path_buf(),
            error: format!("not PEM: {e}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(dir: &Path, cert: &str, key: &str) -> TlsListener {
        std::fs::write(dir.join("cert.pem"), cert).unwrap();
        std::fs::write(dir.join("key.pem"), key).unwrap();
        TlsListener {
            listen: "127.0.0.1:0".parse().unwrap(),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let l = TlsListener {
            listen: "127.0.0.1:0".parse().unwrap(),
            cert: dir.path().join("nope.pem"),
            key: dir.path().join("key.pem"),
        };
        let err = l.check().unwrap_err().to_string();
        assert!(
            err.contains(&*dir.path().join("nope.pem").to_string_lossy()),
            "{err}"
        );
    }

    #[test]
    fn files_without_pem_blocks_are_named_for_what_they_lack() {
        let dir = tempfile::tempdir().unwrap();
        let err = listener(dir.path(), "hello\n", "").check().unwrap_err();
        assert!(
            matches!(&err, TlsError::NoCertificate(p) if p.ends_with("cert.pem")),
            "{err}"
        );

        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let err = listener(dir.path(), &cert.cert.pem(), "hello\n")
            .check()
            .unwrap_err();
        assert!(
            matches!(&err, TlsError::NoKey(p) if p.ends_with("key.pem")),
            "{err}"
        );
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_and_a_matching_one_taken() {
        let dir = tempfile::tempdir().unwrap();
        let a = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let err = listener(dir.path(), &a.cert.pem(), &b.signing_key.serialize_pem())
            .check()
            .unwrap_err();
        assert!(matches!(err, TlsError::Mismatch { .. }), "{err}");
        listener(dir.path(), &a.cert.pem(), &a.signing_key.serialize_pem())
            .check()
            .unwrap();
    }
}
