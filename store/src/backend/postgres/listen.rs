//! Following the other processes on one PostgreSQL database: `LISTEN` on the notice channel.

use sqlx::postgres::PgListener;
use sqlx::PgPool;

use crate::notice::{Notice, CHANNEL};
use crate::StoreError;

/// The notices of the other processes, in the order their transactions committed.
pub struct Listener {
    inner: PgListener,
    origin: String,
}

impl Listener {
    pub(crate) async fn connect(pool: &PgPool, origin: String) -> Result<Listener, StoreError> {
        let mut inner = PgListener::connect_with(pool).await?;
        inner.listen(CHANNEL).await?;
        Ok(Listener { inner, origin })
    }

    /// The next notice of another process; [`Notice::Resync`] once the connection was lost,
    /// since what was sent meanwhile is gone (the next call reconnects and listens again).
    /// An error when it cannot reconnect: call again later.
    pub async fn next(&mut self) -> Result<Notice, StoreError> {
        loop {
            let Some(n) = self.inner.try_recv().await? else {
                return Ok(Notice::Resync);
            };
            match Notice::parse(n.payload()) {
                Some((_, origin)) if origin == self.origin => {}
                Some((notice, _)) => return Ok(notice),
                None => tracing::debug!(payload = n.payload(), "not a bayline notice; ignored"),
            }
        }
    }
}
