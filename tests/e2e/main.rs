//! End-to-end: the real system over real sockets — the in-process broker (or a real
//! Mosquitto), real SQLite files in temp dirs, a real MQTT client as the handheld, real HTTP.

mod binary;
mod boards;
mod browser;
mod chaos;
mod corpus;
mod corrections;
mod display;
mod fleet;
mod helpers;
mod history;
mod http_api;
mod import;
mod kpis;
mod mosquitto;
mod pause_reasons;
mod postgres;
mod process;
mod promises;
mod readme;
mod scans;
mod security;
mod services;
mod simulate;
mod tls;
mod webhooks;
mod webhooks_fleet;
mod websocket;
