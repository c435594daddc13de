use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database URL {0:?} is not supported (use sqlite://PATH or postgres://…)")]
    BadUrl(String),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored row is unreadable: {0}")]
    Corrupt(String),
    #[error("unknown site {0}")]
    UnknownSite(String),
}
