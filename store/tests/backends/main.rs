//! The store's tests. Each runs on SQLite (a file in a temp dir) and on PostgreSQL (a fresh
//! database on the server `BAYLINE_TEST_POSTGRES` names, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`; skipped without it, failing under `CI=true`).
//! Test names end in `sqlite::…` or `postgres::…`.

#[macro_use]
mod support;
mod customer;
mod identical;
mod outcomes;
mod races;
mod rows;
mod throughput;
mod versions;
