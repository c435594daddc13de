//! The certificates of the TLS tests, made for each test: a workshop CA, the broker's
//! certificate for 127.0.0.1 and localhost signed by it, and a stranger's CA.

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A workshop CA, the broker's certificate and key signed by it, and a stranger's CA.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub other_ca: PathBuf,
}

fn ca(name: &str) -> (rcgen::Certificate, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params.self_signed(&key).unwrap();
    (cert, Issuer::new(params, key))
}

pub fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let (ca_cert, issuer) = ca("bayline test workshop CA");
    let (other_cert, _) = ca("someone else's CA");
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "bayline broker");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();
    let file = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    Pki {
        ca: file("ca.pem", ca_cert.pem()),
        cert: file("broker.pem", cert.pem()),
        key: file("broker-key.pem", key.serialize_pem()),
        other_ca: file("other-ca.pem", other_cert.pem()),
        dir,
    }
}
