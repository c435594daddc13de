//! Taking the database away and giving it back, for real.
//!
//! SQLite: the data folder and its files made immutable (`chattr +i`). A read-only mode bit
//! is not enough, since the suite may run as root, whom modes do not stop; the immutable
//! attribute stops root too, and it stops writes through descriptors the process already
//! holds (the WAL file is open all along). Reads still work, as on a read-only disk.
//!
//! PostgreSQL: bayline reaches the server through a TCP forwarder of this test. Cutting it
//! closes every connection (a transaction in flight is lost, a COMMIT in flight may or may
//! not have happened) and refuses new ones, as a server that went down does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// The SQLite data folder, frozen while this lives.
pub struct Frozen {
    paths: Vec<PathBuf>,
}

/// Freezes `dir` and every file in it but SQLite's shared-memory index (`-shm`), which is
/// mapped into memory: it holds no data, and a write fault on it would kill the process
/// rather than fail a write.
pub fn freeze(dir: &Path) -> Frozen {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("-shm"))
        .collect();
    paths.push(dir.to_path_buf());
    let out = Command::new("chattr").arg("+i").args(&paths).output();
    let out = out.expect("chattr is needed to take the SQLite file away (e2fsprogs)");
    assert!(
        out.status.success(),
        "chattr +i failed (a file system without attributes, such as tmpfs? set TMPDIR to \
         an ext4 or xfs folder): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frozen = Frozen { paths };
    // Proof that it really refuses writes, even to root.
    let probe = std::fs::OpenOptions::new()
        .append(true)
        .open(&frozen.paths[0]);
    assert!(
        probe.is_err(),
        "{} is still writable after chattr +i",
        frozen.paths[0].display()
    );
    frozen
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // Also on a failing test: an immutable temp dir could not be removed.
        let thawed = Command::new("chattr").arg("-i").args(&self.paths).status();
        if !thawed.is_ok_and(|s| s.success()) {
            eprintln!("chattr -i failed on {:?}", self.paths);
        }
    }
}

/// A TCP forwarder that can be cut and restored.
pub struct Proxy {
    pub port: u16,
    state: Arc<ProxyState>,
    stop: CancellationToken,
}

struct ProxyState {
    /// Whether it is cut, and the token that ends the connections let through since it was
    /// last restored; one lock, so no connection slips through a cut.
    links: Mutex<(bool, CancellationToken)>,
}

impl Proxy {
    /// Forwards 127.0.0.1:`port` (a free one) to `upstream`.
    pub async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(ProxyState {
            links: Mutex::new((false, CancellationToken::new())),
        });
        let stop = CancellationToken::new();
        let (s, st) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = st.cancelled() => return,
                    a = listener.accept() => a,
                };
                let Ok((mut inbound, _)) = accepted else {
                    continue;
                };
                let link = match &*s.links.lock().unwrap() {
                    // Closed at once: the client sees the server go away.
                    (true, _) => continue,
                    (false, link) => link.clone(),
                };
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = link.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    }
                });
            }
        });
        Proxy { port, state, stop }
    }

    /// Closes every connection and refuses new ones until [`Proxy::restore`].
    pub fn cut(&self) {
        let mut links = self.state.links.lock().unwrap();
        links.1.cancel();
        *links = (true, CancellationToken::new());
    }

    pub fn restore(&self) {
        self.state.links.lock().unwrap().0 = false;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.cancel();
        self.state.links.lock().unwrap().1.cancel();
    }
}
