//! The MQTT 3.1.1 packets a display exchanges, built and read without I/O: CONNECT with its
//! credentials, SUBSCRIBE at QoS 1, PUBACK, PINGREQ out; CONNACK, SUBACK, PUBLISH in. The
//! devices' client (`display-device/src/mqtt.rs`) sends and reads these over its socket;
//! a display never publishes, so this is all of MQTT it needs.

/// PINGREQ.
pub const PINGREQ: [u8; 2] = [0xC0, 0];

/// CONNECT with a clean session, user name and password, written into `out`; its length, or
/// `None` when `out` is too small.
pub fn connect(
    out: &mut [u8],
    client_id: &str,
    user: &str,
    password: &str,
    keep_alive_s: u16,
) -> Option<usize> {
    let ka = keep_alive_s.to_be_bytes();
    // Protocol "MQTT" level 4; flags: user name, password, clean session.
    let head: [u8; 10] = [0, 4, b'M', b'Q', b'T', b'T', 4, 0xC2, ka[0], ka[1]];
    let strings = [client_id, user, password];
    packet(out, 0x10, &head, &strings, &[])
}

/// SUBSCRIBE to one filter at QoS 1.
pub fn subscribe(out: &mut [u8], packet_id: u16, filter: &str) -> Option<usize> {
    packet(out, 0x82, &packet_id.to_be_bytes(), &[filter], &[1])
}

/// PUBACK of a QoS 1 message.
pub fn puback(packet_id: u16) -> [u8; 4] {
    let id = packet_id.to_be_bytes();
    [0x40, 2, id[0], id[1]]
}

/// A packet from the broker, read from its fixed header byte and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// 0 is accepted; anything else is the broker's refusal (5: not authorised).
    ConnAck {
        code: u8,
    },
    /// The QoS granted, 0x80 for a refusal.
    SubAck {
        packet_id: u16,
        granted: u8,
    },
    /// `ack` is the packet id to acknowledge for QoS 1 and 2.
    Publish {
        topic: &'a str,
        payload: &'a [u8],
        ack: Option<u16>,
    },
    PingResp,
    /// Anything a display does not act on.
    Other,
}

/// A packet that does not parse: the connection is out of step and must be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Reads a packet's body; `header` is its first byte.
pub fn parse(header: u8, body: &[u8]) -> Result<Incoming<'_>, Malformed> {
    let u16_at = |i: usize| -> Result<u16, Malformed> {
        let b = body.get(i..i + 2).ok_or(Malformed)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    Ok(match header >> 4 {
        2 => Incoming::ConnAck {
            code: *body.get(1).ok_or(Malformed)?,
        },
        9 => Incoming::SubAck {
            packet_id: u16_at(0)?,
            granted: *body.get(2).ok_or(Malformed)?,
        },
        3 => {
            let len = usize::from(u16_at(0)?);
            let topic = body.get(2..2 + len).ok_or(Malformed)?;
            let topic = core::str::from_utf8(topic).map_err(|_| Malformed)?;
            let qos = (header >> 1) & 3;
            let (ack, at) = if qos > 0 {
                (Some(u16_at(2 + len)?), 4 + len)
            } else {
                (None, 2 + len)
            };
            Incoming::Publish {
                topic,
                payload: body.get(at..).ok_or(Malformed)?,
                ack,
            }
        }
        13 => Incoming::PingResp,
        _ => Incoming::Other,
    })
}

/// Reads the remaining length after the header byte, one byte at a time as they arrive:
/// `Ok(Some(n))` when complete, `Ok(None)` while more bytes are needed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Length {
    value: usize,
    shift: u32,
}

impl Length {
    pub fn push(&mut self, byte: u8) -> Result<Option<usize>, Malformed> {
        if self.shift > 21 {
            return Err(Malformed);
        }
        self.value |= usize::from(byte & 0x7F) << self.shift;
        self.shift += 7;
        Ok((byte & 0x80 == 0).then_some(self.value))
    }
}

/// Header byte, remaining length, `head`, each string with its length, `tail`.
fn packet(out: &mut [u8], kind: u8, head: &[u8], strings: &[&str], tail: &[u8]) -> Option<usize> {
    let body: usize = head.len() + strings.iter().map(|s| 2 + s.len()).sum::<usize>() + tail.len();
    let mut w = Writer { out, at: 0 };
    w.put(&[kind])?;
    let mut len = body;
    loop {
        let mut b = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            b |= 0x80;
        }
        w.put(&[b])?;
        if len == 0 {
            break;
        }
    }
    w.put(head)?;
    for s in strings {
        w.put(&u16::try_from(s.len()).ok()?.to_be_bytes())?;
        w.put(s.as_bytes())?;
    }
    w.put(tail)?;
    Some(w.at)
}

struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.at.checked_add(bytes.len())?;
        self.out.get_mut(self.at..end)?.copy_from_slice(bytes);
        self.at = end;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_carries_the_credentials_and_a_clean_session() {
        let mut buf = [0u8; 64];
        let n = connect(&mut buf, "d1", "lounge-1", "pw", 30).unwrap();
        let expect: &[u8] =
            b"\x10\x1c\x00\x04MQTT\x04\xc2\x00\x1e\x00\x02d1\x00\x08lounge-1\x00\x02pw";
        assert_eq!(&buf[..n], expect);
        assert_eq!(connect(&mut buf[..20], "d1", "lounge-1", "pw", 30), None);
    }

    #[test]
    fn subscribe_asks_for_qos_1() {
        let mut buf = [0u8; 64];
        let n = subscribe(&mut buf, 1, "a/#").unwrap();
        assert_eq!(&buf[..n], b"\x82\x08\x00\x01\x00\x03a/#\x01");
    }

    #[test]
    fn a_long_packet_has_a_two_byte_length() {
        let mut buf = [0u8; 300];
        let filter = "x".repeat(200);
        let n = subscribe(&mut buf, 7, &filter).unwrap();
        assert_eq!(&buf[1..3], &[0xCD, 0x01], "205 = 0x4D | 0x80, 1");
        let mut len = Length::default();
        assert_eq!(len.push(buf[1]), Ok(None));
        assert_eq!(len.push(buf[2]), Ok(Some(n - 3)));
    }

    #[test]
    fn publishes_parse_with_and_without_an_ack() {
        let body = b"\x00\x03a/b\x00\x09hi";
        assert_eq!(
            parse(0x32, body),
            Ok(Incoming::Publish {
                topic: "a/b",
                payload: b"hi",
                ack: Some(9)
            })
        );
        assert_eq!(
            parse(0x31, b"\x00\x03a/bhi"),
            Ok(Incoming::Publish {
                topic: "a/b",
                payload: b"hi",
                ack: None
            })
        );
        assert_eq!(parse(0x32, b"\x00\x09a/b"), Err(Malformed));
        assert_eq!(parse(0x30, b"\x00\x02\xff\xfe"), Err(Malformed));
    }

    #[test]
    fn acks_parse_and_a_length_past_four_bytes_is_refused() {
        assert_eq!(parse(0x20, &[0, 5]), Ok(Incoming::ConnAck { code: 5 }));
        assert_eq!(
            parse(0x90, &[0, 1, 0x80]),
            Ok(Incoming::SubAck {
                packet_id: 1,
                granted: 0x80
            })
        );
        let mut len = Length::default();
        for _ in 0..4 {
            assert_eq!(len.push(0xFF), Ok(None));
        }
        assert_eq!(len.push(0x01), Err(Malformed));
    }
}
