//! The display's MQTT client over one embassy-net TCP socket: the packets of
//! [`bayline_display::app::mqtt`] (tested there, and against the real broker in
//! `tests/e2e/display.rs`) sent and read. Connect with the display's credentials, subscribe
//! at QoS 1, ack publishes, ping at half the keep-alive, and count a broker silent for 1.5
//! keep-alives as gone.

use bayline_display::app::mqtt::{self as packets, Incoming, Length};
use bayline_display::app::{Network, Received};
use embassy_net::tcp::TcpSocket;
use embassy_net::IpEndpoint;
use embassy_time::{with_deadline, with_timeout, Duration, Instant};
use embedded_io_async::Write as _;

/// Longest message kept: a 24-bay workshop page is about 500 bytes. Longer ones are read
/// past and skipped, the connection kept.
const BUF: usize = 2048;
/// Keep-alive told to the broker, in seconds.
const KEEP_ALIVE_S: u16 = 30;

#[derive(Debug)]
pub enum Error {
    Tcp,
    Timeout,
    /// The broker refused the connection (bad credentials) or the subscription.
    Refused(u8),
    Protocol,
}

impl From<packets::Malformed> for Error {
    fn from(_: packets::Malformed) -> Error {
        Error::Protocol
    }
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

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.socket.write_all(bytes).await.map_err(|_| Error::Tcp)?;
        self.socket.flush().await.map_err(|_| Error::Tcp)
    }

    /// Writes the first `n` bytes of `buf`, where a packet was just built.
    async fn write_buf(&mut self, n: usize) -> Result<(), Error> {
        let Mqtt { socket, buf, .. } = self;
        socket.write_all(&buf[..n]).await.map_err(|_| Error::Tcp)?;
        socket.flush().await.map_err(|_| Error::Tcp)
    }

    async fn read_exact(&mut self, n: usize) -> Result<(), Error> {
        let mut got = 0;
        while got < n {
            match self.socket.read(&mut self.buf[got..n]).await {
                Ok(0) | Err(_) => return Err(Error::Tcp),
                Ok(k) => got += k,
            }
        }
        Ok(())
    }

    /// Reads one packet: its header byte, and its body in `buf[..len]` (`None` when it was
    /// too long and skipped).
    async fn read_packet(&mut self) -> Result<(u8, Option<usize>), Error> {
        self.read_exact(1).await?;
        let header = self.buf[0];
        let mut length = Length::default();
        let len = loop {
            self.read_exact(1).await?;
            if let Some(n) = length.push(self.buf[0])? {
                break n;
            }
        };
        self.last_heard = Instant::now();
        if len > BUF {
            let mut left = len;
            while left > 0 {
                let n = left.min(BUF);
                self.read_exact(n).await?;
                left -= n;
            }
            return Ok((header, None));
        }
        self.read_exact(len).await?;
        Ok((header, Some(len)))
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
        let n = packets::connect(
            &mut self.buf,
            self.client_id,
            self.user,
            self.password,
            KEEP_ALIVE_S,
        )
        .ok_or(Error::Protocol)?;
        self.write_buf(n).await?;
        let (h, len) = self.read_packet().await?;
        match packets::parse(h, &self.buf[..len.unwrap_or(0)])? {
            Incoming::ConnAck { code: 0 } => {}
            Incoming::ConnAck { code } => return Err(Error::Refused(code)),
            _ => return Err(Error::Protocol),
        }
        let n = packets::subscribe(&mut self.buf, 1, filter).ok_or(Error::Protocol)?;
        self.write_buf(n).await?;
        loop {
            let (h, len) = self.read_packet().await?;
            // Brokers (Mosquitto, bayline's own) answer the SUBACK before the retained
            // messages; a publish ahead of it would be acked and dropped.
            match packets::parse(h, &self.buf[..len.unwrap_or(0)])? {
                Incoming::SubAck { granted, .. } => {
                    self.last_ping = Instant::now();
                    return match granted {
                        0x80 => Err(Error::Refused(0x80)),
                        _ => Ok(()),
                    };
                }
                Incoming::Publish { ack: Some(id), .. } => {
                    self.write(&packets::puback(id)).await?;
                }
                _ => {}
            }
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
        let keep_alive = Duration::from_secs(u64::from(KEEP_ALIVE_S));
        // Only packet positions inside the loop: the message is lent out once, after it.
        let (header, len) = loop {
            if self.last_heard.elapsed() > keep_alive + keep_alive / 2 {
                return Err(Error::Timeout);
            }
            let until = Instant::from_millis(until_ms.min(u64::MAX / 2));
            let ping_at = self.last_ping + keep_alive / 2;
            // Only the wait for a packet's first byte has a deadline: a packet cut in the
            // middle would leave the stream out of step.
            match with_deadline(until.min(ping_at), self.socket.wait_read_ready()).await {
                Err(_) if Instant::now() >= ping_at => {
                    self.write(&packets::PINGREQ).await?;
                    self.last_ping = Instant::now();
                }
                Err(_) => return Ok(None),
                Ok(()) => {
                    let (h, Some(len)) = self.read_packet().await? else {
                        continue;
                    };
                    if let Incoming::Publish { ack, .. } = packets::parse(h, &self.buf[..len])? {
                        if let Some(id) = ack {
                            self.write(&packets::puback(id)).await?;
                        }
                        break (h, len);
                    }
                }
            }
        };
        match packets::parse(header, &self.buf[..len])? {
            Incoming::Publish { topic, payload, .. } => Ok(Some(Received { topic, payload })),
            _ => Err(Error::Protocol),
        }
    }
}
