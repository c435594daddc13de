//! A TCP link the test can cut: it forwards every connection to a target, and [`Link::cut`]
//! closes the live ones and turns new ones away until [`Link::restore`], the way a Wi-Fi dead
//! spot under a lift cuts a handheld off from the server. The browser sees real sockets
//! close and real connects fail; nothing in the page is told.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::{CancellationToken, DropGuard};

pub struct Link {
    pub addr: SocketAddr,
    up: watch::Sender<bool>,
    _stop: DropGuard,
}

impl Link {
    /// A link on a free local port to `target`, up.
    pub async fn to(target: SocketAddr) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, _) = watch::channel(true);
        let stop = CancellationToken::new();
        tokio::spawn(accept(listener, target, up.subscribe(), stop.clone()));
        Link {
            addr,
            up,
            _stop: stop.drop_guard(),
        }
    }

    /// Closes every connection through the link; new ones are closed as soon as accepted.
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

async fn accept(
    listener: TcpListener,
    target: SocketAddr,
    up: watch::Receiver<bool>,
    stop: CancellationToken,
) {
    loop {
        let conn = tokio::select! {
            _ = stop.cancelled() => return,
            c = listener.accept() => c,
        };
        let Ok((inbound, _)) = conn else { continue };
        if !*up.borrow() {
            continue; // dropped: the peer sees the connection closed
        }
        tokio::spawn(forward(inbound, target, up.clone(), stop.clone()));
    }
}

async fn forward(
    mut inbound: TcpStream,
    target: SocketAddr,
    mut up: watch::Receiver<bool>,
    stop: CancellationToken,
) {
    let Ok(mut outbound) = TcpStream::connect(target).await else {
        return;
    };
    // Each write goes on at once, as on a direct connection: Nagle's wait for the peer's
    // delayed ack would add tens of milliseconds to every small MQTT packet.
    let _ = inbound.set_nodelay(true);
    let _ = outbound.set_nodelay(true);
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = up.wait_for(|up| !*up) => {}
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
    }
}
