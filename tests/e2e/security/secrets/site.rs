//! What is secret in the secrets test: the site file with every secret and token made
//! unmistakable, the passwords and tokens tried besides, and the list searched for.

use bayline_site::SiteConfig;

pub const SERVICE_PASSWORD: &str = "svc-pw-Hn72Rk";
pub const WRONG_PASSWORD: &str = "wrong-pw-Kx81Qa";
pub const NOBODYS_PASSWORD: &str = "nobody-pw-Tz55Lm";
pub const WRONG_TOKEN: &str = "wrong-token-Pq31Zx";

/// The demo site with every secret and token made unmistakable (`demo-hh01` →
/// `s3c-demo-hh01-q7Wz`).
pub fn site_text() -> String {
    let mut out = String::new();
    for line in bayline_site::DEMO_SITE.lines() {
        let secret = ["secret = \"", "token = \""]
            .iter()
            .find_map(|key| Some((*key, line.strip_prefix(key)?.strip_suffix('"')?)));
        match secret {
            Some((key, value)) => out.push_str(&format!("{key}s3c-{value}-q7Wz\"\n")),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

/// Everything that must not leak: the site's secrets and tokens, the service password, and
/// the wrong ones tried.
pub fn secrets(site: &SiteConfig) -> Vec<(String, String)> {
    let mut secrets: Vec<(String, String)> = vec![
        ("service password".into(), SERVICE_PASSWORD.into()),
        ("a wrong password".into(), WRONG_PASSWORD.into()),
        ("an unknown user's password".into(), NOBODYS_PASSWORD.into()),
        ("a wrong token".into(), WRONG_TOKEN.into()),
    ];
    for s in &site.scanners {
        secrets.push((format!("scanner {}'s secret", s.id), s.secret.clone()));
    }
    for d in &site.displays {
        secrets.push((format!("display {}'s secret", d.id), d.secret.clone()));
    }
    for t in &site.tokens {
        secrets.push((format!("the {:?} token", t.role), t.token.clone()));
    }
    secrets
}
