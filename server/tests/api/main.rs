//! The HTTP API through the real router, ledger and a fresh SQLite file per test: the
//! customer in the loop, card history, and every answer checked against the OpenAPI document.

mod card_history;
mod customer;
mod openapi;
mod support;
