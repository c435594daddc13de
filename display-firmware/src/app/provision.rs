//! What a display device is told about its site, as the bytes a technician writes into the
//! device's `bayline` flash partition (`bayline display-config` makes them, the device
//! reads them at boot): Wi-Fi, broker, site, board and the display's credentials. Changing
//! any of them is a flash write, not a rebuild.
//!
//! Format: `BLP1`, seven strings each led by its length in one byte, then a Fletcher-16 sum
//! of everything before it, so erased flash (all 0xFF) or a torn write is refused.

/// The first bytes of a provisioning record.
pub const MAGIC: &[u8; 4] = b"BLP1";
/// Bytes a record may take: the partition's first sector.
pub const MAX_BYTES: usize = 4096;

/// A display's settings, borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provision<'a> {
    pub wifi_ssid: &'a str,
    pub wifi_password: &'a str,
    /// `a.b.c.d:port`: a device has no DNS of the shop floor.
    pub broker: &'a str,
    pub site: &'a str,
    /// `lounge`, `workshop` or `bay/{bay}`.
    pub board: &'a str,
    /// The `[[displays]]` id and secret.
    pub display_id: &'a str,
    pub secret: &'a str,
}

/// Why a record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisionError {
    /// No record: erased or foreign flash.
    Missing,
    /// A record cut short or damaged (the sum does not match).
    Damaged,
    /// A text longer than 255 bytes, or a record longer than [`MAX_BYTES`].
    TooLong,
    NotUtf8,
}

impl core::fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ProvisionError::Missing => "no provisioning record",
            ProvisionError::Damaged => "the provisioning record is damaged",
            ProvisionError::TooLong => "a setting is longer than 255 bytes",
            ProvisionError::NotUtf8 => "a setting is not UTF-8",
        })
    }
}

impl core::error::Error for ProvisionError {}

impl<'a> Provision<'a> {
    fn fields(&self) -> [&'a str; 7] {
        [
            self.wifi_ssid,
            self.wifi_password,
            self.broker,
            self.site,
            self.board,
            self.display_id,
            self.secret,
        ]
    }

    /// Writes the record into `out`; returns its length.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, ProvisionError> {
        let mut at = 0;
        let mut put = |bytes: &[u8]| -> Result<(), ProvisionError> {
            let end = at + bytes.len();
            out.get_mut(at..end)
                .ok_or(ProvisionError::TooLong)?
                .copy_from_slice(bytes);
            at = end;
            Ok(())
        };
        put(MAGIC)?;
        for f in self.fields() {
            let len = u8::try_from(f.len()).map_err(|_| ProvisionError::TooLong)?;
            put(&[len])?;
            put(f.as_bytes())?;
        }
        let sum = fletcher16(out.get(..at).ok_or(ProvisionError::TooLong)?);
        let end = at + 2;
        out.get_mut(at..end)
            .ok_or(ProvisionError::TooLong)?
            .copy_from_slice(&sum.to_be_bytes());
        Ok(end)
    }

    /// Reads a record from the start of `bytes` (the rest of the sector is ignored).
    pub fn decode(bytes: &'a [u8]) -> Result<Provision<'a>, ProvisionError> {
        if !bytes.starts_with(MAGIC) {
            return Err(ProvisionError::Missing);
        }
        let mut at = MAGIC.len();
        let mut fields = [""; 7];
        for f in &mut fields {
            let len = usize::from(*bytes.get(at).ok_or(ProvisionError::Damaged)?);
            let raw = bytes
                .get(at + 1..at + 1 + len)
                .ok_or(ProvisionError::Damaged)?;
            *f = core::str::from_utf8(raw).map_err(|_| ProvisionError::NotUtf8)?;
            at += 1 + len;
        }
        let sum = bytes.get(at..at + 2).ok_or(ProvisionError::Damaged)?;
        if u16::from_be_bytes([sum[0], sum[1]]) != fletcher16(&bytes[..at]) {
            return Err(ProvisionError::Damaged);
        }
        let [wifi_ssid, wifi_password, broker, site, board, display_id, secret] = fields;
        Ok(Provision {
            wifi_ssid,
            wifi_password,
            broker,
            site,
            board,
            display_id,
            secret,
        })
    }
}

fn fletcher16(bytes: &[u8]) -> u16 {
    let (mut a, mut b) = (0u16, 0u16);
    for &x in bytes {
        a = (a + u16::from(x)) % 255;
        b = (b + a) % 255;
    }
    (b << 8) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: Provision<'static> = Provision {
        wifi_ssid: "workshop",
        wifi_password: "secret wifi",
        broker: "192.168.1.10:1883",
        site: "demo",
        board: "bay/B03",
        display_id: "lounge-1",
        secret: "demo-lounge",
    };

    #[test]
    fn a_record_reads_back_as_written_from_a_whole_sector() {
        let mut sector = [0xFFu8; MAX_BYTES];
        let n = TAG.encode(&mut sector).unwrap();
        assert!(n < 100);
        assert_eq!(Provision::decode(&sector), Ok(TAG));
    }

    #[test]
    fn erased_damaged_and_cut_records_are_refused() {
        assert_eq!(Provision::decode(&[0xFF; 64]), Err(ProvisionError::Missing));
        let mut buf = [0u8; 128];
        let n = TAG.encode(&mut buf).unwrap();
        let mut flipped = buf;
        flipped[10] ^= 1;
        assert_eq!(Provision::decode(&flipped), Err(ProvisionError::Damaged));
        for cut in 4..n {
            assert!(Provision::decode(&buf[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_setting_too_long_is_refused_when_written() {
        let long = "x".repeat(256);
        let p = Provision {
            wifi_password: &long,
            ..TAG
        };
        assert_eq!(p.encode(&mut [0u8; 1024]), Err(ProvisionError::TooLong));
        assert_eq!(TAG.encode(&mut [0u8; 20]), Err(ProvisionError::TooLong));
    }
}
