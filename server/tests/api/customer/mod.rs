//! The customer in the loop (contract §7.5): the advisor's status link and the page it
//! opens, the same page for every link that does not open, the per-address limit, approvals
//! answered on the link and by phone, and the job's history listing them.
//!
//! Here: what a test does as the advisor and as the customer's phone; the links are
//! `links.rs`, the approval requests `approvals.rs`.

mod approvals;
mod links;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use crate::support::{Answer, App, ADVISOR, JOB};

impl App {
    /// A customer's phone at `addr` opens `path`.
    async fn phone(&self, path: &str, addr: &str) -> Answer {
        let req = Request::builder().uri(path).header("x-forwarded-for", addr);
        self.request(req, Body::empty()).await
    }

    /// A tap on a button of the page's form.
    async fn tap(&self, path: &str, form: &str) -> Answer {
        let req = Request::builder()
            .method("POST")
            .uri(format!("{path}/answer"))
            .header("x-forwarded-for", "198.51.100.20")
            .header("content-type", "application/x-www-form-urlencoded");
        self.request(req, Body::from(form.to_string())).await
    }

    async fn card(&self) {
        let card = json!({"plate": "粤B12345", "vehicle": "丰田 凯美瑞", "customer": "李先生",
            "advisor": "A01", "wash": true, "promised_at": "2030-01-01T18:00:00+08:00",
            "ops": [{"op": "10", "title": "保养", "std_hours": 1.0}]});
        let a = self.api("PUT", JOB, ADVISOR, card).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }

    /// A fresh link's path, `/c/{token}`.
    async fn link(&self) -> String {
        let a = self
            .api("POST", &format!("{JOB}/link"), ADVISOR, Value::Null)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        let url = a.json()["url"].as_str().unwrap().to_string();
        url.strip_prefix("http://shop.example.test")
            .unwrap()
            .to_string()
    }
}
