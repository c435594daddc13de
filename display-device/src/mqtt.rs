//! A small MQTT 3.1.1 client for a display over one embassy-net TCP socket: connect with the
//! display's credentials, subscribe with QoS 1, receive publishes (acked), keep alive. A
//! display only reads, so this is all of MQTT it needs; a fuller client (rust-mqtt) would
//! cost flash for publishing and sessions it never uses.

use bayline_display::app::{Network, Received};
use embassy_net::tcp::TcpSocket;
use embassy_net::IpEndpoint;
use embassy_time::{with_deadline, with_timeout, Duration, Instant};
use embedded_io_async::Write as _;

/// Longest message kept: a 24-bay workshop page is about 500 bytes.
const BUF: usize = 2048;
/// Keep-alive told to the broker; a ping goes out at half of it.
const KEEP_ALIVE_S: u16 = 30;

#[derive(Debug)]
pub enum Error {
    Tcp,
    Timeout,
    /// The broker refused the connection (bad credentials) or the subscription.
    Refused(u8),
    Protocol,
}

pub struct Mqtt<'a> {
    socket: TcpSocket<'a>,
    broker: IpEndpoint,
    client_id: &'a str,
    user: &'a str,
    password: &'a str,
    buf: [u8; BUF],
    last_heard: Instant,
    last_ping: Instant,
}

impl<'a> Mqtt<'a> {
    pub fn new(
        socket: TcpSocket<'a>,
        broker: IpEndpoint,
        client_id: &'a str,
        user: &'a str,
        password: &'a str,
    ) -> Self {
        Mqtt {
            socket,
            broker,
            client_id,
            user,
            password,
            buf: [0; BUF],
            last_heard: Instant::now(),
            last_ping: Instant::now(),
        }
    }

    async fn send(&mut self, header: u8, parts: &[&[u8]]) -> Result<(), Error> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut head = [header, 0, 0, 0, 0];
        let n = 1 + encode_len(len, &mut head[1..]);
        self.socket
            .write_all(&head[..n])
            .await
            .map_err(|_| Error::Tcp)?;
        for p in parts {
            self.socket.write_all(p).await.map_err(|_| Error::Tcp)?;
        }
        self.socket.flush().await.map_err(|_| Error::Tcp)
    }

    async fn read_exact(&mut self, at: usize, n: usize) -> Result<(), Error> {
        let mut got = 0;
        while got < n {
            let r = self.socket.read(&mut self.buf[at + got..at + n]).await;
            match r {
                Ok(0) | Err(_) => return Err(Error::Tcp),
                Ok(k) => got += k,
            }
        }
        Ok(())
    }

    /// Reads one packet; its body is `buf[..len]` unless it was too long and skipped.
    async fn read_packet(&mut self) -> Result<(u8, usize, bool), Error> {
        self.read_exact(0, 1).await?;
        let header = self.buf[0];
        let mut len = 0usize;
        for shift in [0, 7, 14, 21] {
            self.read_exact(0, 1).await?;
            len |= usize::from(self.buf[0] & 0x7F) << shift;
            if self.buf[0] & 0x80 == 0 {
                break;
            }
        }
        self.last_heard = Instant::now();
        if len > BUF {
            // Too long for this display: read past it, keep the connection.
            let mut left = len;
            while left > 0 {
                let n = left.min(BUF);
                self.read_exact(0, n).await?;
                left -= n;
            }
            return Ok((header, 0, false));
        }
        self.read_exact(0, len).await?;
        Ok((header, len, true))
    }

    async fn open(&mut self, filter: &str) -> Result<(), Error> {
        // A broken connection first sends its reset, so the socket is closed to connect anew.
        self.socket.abort();
        let _ = self.socket.flush().await;
        self.socket
            .set_timeout(Some(Duration::from_secs(u64::from(KEEP_ALIVE_S) * 2)));
        self.socket
            .connect(self.broker)
            .await
            .map_err(|_| Error::Tcp)?;
        let ka = KEEP_ALIVE_S.to_be_bytes();
        let (id, user, pw) = (self.client_id, self.user, self.password);
        let variable = [0, 4, b'M', b'Q', b'T', b'T', 4, 0xC2, ka[0], ka[1]];
        self.send(
            0x10,
            &[
                &variable,
                &str_len(id),
                id.as_bytes(),
                &str_len(user),
                user.as_bytes(),
                &str_len(pw),
                pw.as_bytes(),
            ],
        )
        .await?;
        let (h, n, _) = self.read_packet().await?;
        if h != 0x20 || n != 2 {
            return Err(Error::Protocol);
        }
        if self.buf[1] != 0 {
            return Err(Error::Refused(self.buf[1]));
        }
        self.send(0x82, &[&[0, 1], &str_len(filter), filter.as_bytes(), &[1]])
            .await?;
        loop {
            let (h, n, _) = self.read_packet().await?;
            if h == 0x90 && n >= 3 {
                return match self.buf[2] {
                    0x80 => Err(Error::Refused(0x80)),
                    _ => Ok(()),
                };
            }
        }
    }
}

fn str_len(s: &str) -> [u8; 2] {
    (s.len().min(usize::from(u16::MAX)) as u16).to_be_bytes()
}

fn encode_len(mut len: usize, out: &mut [u8]) -> usize {
    let mut i = 0;
    loop {
        let mut b = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            b |= 0x80;
        }
        out[i] = b;
        i += 1;
        if len == 0 || i == 4 {
            return i;
        }
    }
}

impl Network for Mqtt<'_> {
    type Error = Error;

    async fn connect(&mut self, filter: &str) -> Result<(), Error> {
        match with_timeout(Duration::from_secs(5), self.open(filter)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout),
        }
    }

    async fn receive(&mut self, until_ms: u64) -> Result<Option<Received<'_>>, Error> {
        let half = Duration::from_secs(u64::from(KEEP_ALIVE_S) / 2);
        // Indices only inside the loop: the message is lent out once, after it.
        let (tl, at, n) = loop {
            if self.last_heard.elapsed() > Duration::from_secs(u64::from(KEEP_ALIVE_S) * 3 / 2) {
                return Err(Error::Timeout);
            }
            let until = Instant::from_millis(until_ms.min(u64::MAX / 2));
            let ping_at = self.last_ping + half;
            // Only the wait for a packet's first byte has a deadline: a packet cut in the
            // middle would leave the stream out of step.
            let ready = with_deadline(until.min(ping_at), self.socket.wait_read_ready()).await;
            match ready {
                Err(_) if Instant::now() >= ping_at => {
                    self.send(0xC0, &[]).await?;
                    self.last_ping = Instant::now();
                }
                Err(_) => return Ok(None),
                Ok(()) => {
                    let (h, n, whole) = self.read_packet().await?;
                    if h >> 4 != 3 || !whole {
                        continue;
                    }
                    let qos = (h >> 1) & 3;
                    let tl = usize::from(u16::from_be_bytes([self.buf[0], self.buf[1]]));
                    let mut at = 2 + tl;
                    if at > n {
                        return Err(Error::Protocol);
                    }
                    if qos > 0 {
                        if at + 2 > n {
                            return Err(Error::Protocol);
                        }
                        let id = [self.buf[at], self.buf[at + 1]];
                        at += 2;
                        self.send(0x40, &[&id]).await?;
                    }
                    if core::str::from_utf8(&self.buf[2..2 + tl]).is_err() {
                        continue;
                    }
                    break (tl, at, n);
                }
            }
        };
        let topic = core::str::from_utf8(&self.buf[2..2 + tl]).map_err(|_| Error::Protocol)?;
        Ok(Some(Received {
            topic,
            payload: &self.buf[at..n],
        }))
    }
}
