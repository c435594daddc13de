//! What a handheld needs to start, as one line of text a QR code carries: the manager's
//! handhelds page draws it, the PDA's barcode engine types it into the app's setup screen.
//!
//! The line is `bayline-h1?` and then a URL query (`site`, `id`, `secret`, `broker`, each
//! percent-encoded), so the app reads it with `URLSearchParams` and a keyboard-wedge scanner
//! types nothing but printable ASCII.

use qrcode::render::svg;
use qrcode::QrCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioning {
    pub site: String,
    /// The scanner id, also the MQTT user name.
    pub id: String,
    pub secret: String,
    /// The broker's MQTT-over-WebSocket URL as the handhelds reach it.
    pub broker: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProvisioningError {
    #[error("not a bayline handheld code (it starts with {PREFIX})")]
    NotProvisioning,
    #[error("the code has no {0}")]
    Missing(&'static str),
    #[error("the code is too long for a QR code")]
    TooLong,
}

pub const PREFIX: &str = "bayline-h1?";

impl Provisioning {
    pub fn to_text(&self) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("site", &self.site)
            .append_pair("id", &self.id)
            .append_pair("secret", &self.secret)
            .append_pair("broker", &self.broker)
            .finish();
        format!("{PREFIX}{query}")
    }

    pub fn parse(text: &str) -> Result<Provisioning, ProvisioningError> {
        let query = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(ProvisioningError::NotProvisioning)?;
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let field = |name: &'static str| {
            pairs
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
                .ok_or(ProvisioningError::Missing(name))
        };
        Ok(Provisioning {
            site: field("site")?,
            id: field("id")?,
            secret: field("secret")?,
            broker: field("broker")?,
        })
    }

    /// The QR code of [`Self::to_text`] as an inline SVG element (no XML prolog), black on
    /// white with its quiet zone, at least `px` wide.
    pub fn qr_svg(&self, px: u32) -> Result<String, ProvisioningError> {
        let code =
            QrCode::new(self.to_text().as_bytes()).map_err(|_| ProvisioningError::TooLong)?;
        let drawn = code
            .render::<svg::Color>()
            .min_dimensions(px, px)
            .quiet_zone(true)
            .build();
        Ok(match drawn.find("<svg") {
            Some(at) => drawn[at..].to_string(),
            None => drawn,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Provisioning {
        Provisioning {
            site: "demo".into(),
            id: "HH-02".into(),
            secret: "s3cret&=?/+ 工".into(),
            broker: "wss://workshop.local:8083/mqtt".into(),
        }
    }

    #[test]
    fn a_code_reads_back_as_what_it_was_made_of() {
        let p = sample();
        let text = p.to_text();
        assert!(text.starts_with(PREFIX));
        assert!(text.is_ascii() && !text.contains(' '), "{text}");
        assert_eq!(Provisioning::parse(&text), Ok(p));
    }

    #[test]
    fn other_lines_are_not_codes_and_a_code_without_a_field_says_which() {
        assert_eq!(
            Provisioning::parse("RO-240117"),
            Err(ProvisioningError::NotProvisioning)
        );
        assert_eq!(
            Provisioning::parse("bayline-h1?site=demo&id=HH-02&broker=ws%3A%2F%2Fx%2Fmqtt"),
            Err(ProvisioningError::Missing("secret"))
        );
    }

    /// Draws the SVG's own path on a bitmap and reads it with a QR decoder: the code on the
    /// page is the line, not just something that looks like a QR code.
    #[test]
    fn the_drawn_qr_code_decodes_to_the_line() {
        let p = sample();
        let svg = p.qr_svg(200).unwrap();
        assert!(svg.starts_with("<svg"));
        let size = |attr: &str| -> usize {
            let at = svg.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3;
            svg[at..].split('"').next().unwrap().parse().unwrap()
        };
        let (w, h) = (size("width"), size("height"));
        let mut dark = vec![false; w * h];
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        // The path is a run of `M{x} {y}h{w}v{h}H{x}V{y}` rectangles.
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            let (x, y, rw, rh) = (nums[0], nums[1], nums[2], nums[3]);
            for row in y..y + rh {
                for col in x..x + rw {
                    dark[row * w + col] = true;
                }
            }
        }
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            if dark[y * w + x] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, text) = grids[0].decode().unwrap();
        assert_eq!(Provisioning::parse(&text), Ok(p));
    }
}
