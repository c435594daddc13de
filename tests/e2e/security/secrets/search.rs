//! Where a secret could leak and how it could be spelled there: every HTTP answer kept as
//! bytes, each secret written plainly, as bytes, hex or base64, and the search through them.

use base64::Engine;

/// Every answer's status line, headers and body, for the search.
#[derive(Default)]
pub struct Answers {
    pub bytes: Vec<u8>,
    pub count: usize,
    /// `Set-Cookie` values, kept apart: the sign-in's holds the manager's token by design.
    pub set_cookies: Vec<String>,
}

impl Answers {
    pub async fn take(&mut self, req: reqwest::RequestBuilder, stream: bool) -> u16 {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        self.count += 1;
        self.bytes
            .extend_from_slice(format!("{} {status}\n", res.url()).as_bytes());
        for (name, value) in res.headers() {
            if name == "set-cookie" {
                self.set_cookies
                    .push(value.to_str().unwrap_or_default().into());
                continue;
            }
            self.bytes.extend_from_slice(name.as_str().as_bytes());
            self.bytes.extend_from_slice(b": ");
            self.bytes.extend_from_slice(value.as_bytes());
            self.bytes.push(b'\n');
        }
        // An event stream never ends; its headers are its answer.
        if !stream {
            self.bytes
                .extend_from_slice(&res.bytes().await.unwrap_or_default());
        }
        status
    }
}

/// `s` as it could show up: plainly (also inside JSON), as a byte list (`Debug` of a
/// `&[u8]`, with and without spaces), as hex and as base64.
pub fn spellings(s: &str) -> Vec<(&'static str, Vec<u8>)> {
    let bytes: Vec<String> = s.bytes().map(|b| b.to_string()).collect();
    let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("plain", s.as_bytes().to_vec()),
        ("byte list", bytes.join(", ").into_bytes()),
        ("byte list", bytes.join(",").into_bytes()),
        ("hex", hex.into_bytes()),
        (
            "base64",
            base64::engine::general_purpose::STANDARD
                .encode(s)
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ),
    ]
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Every (what, secret) in every (place, bytes) in every spelling, each with the text
/// around it.
pub fn leaks(secrets: &[(String, String)], places: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for (what, secret) in secrets {
        for (place, bytes) in places {
            for (how, needle) in spellings(secret) {
                if let Some(at) = find(bytes, &needle) {
                    let from = at.saturating_sub(160);
                    let to = (at + needle.len() + 80).min(bytes.len());
                    leaks.push(format!(
                        "{what} ({how}) in {place}: …{}…",
                        String::from_utf8_lossy(&bytes[from..to])
                    ));
                }
            }
        }
    }
    leaks
}
