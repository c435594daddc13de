//! A headless Chromium session over WebDriver: chromedriver on a free port, fantoccini as the
//! client, waits on page conditions with a deadline, screenshots as test artifacts.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::helpers::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium session; its chromedriver dies with it.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh browser, or `None` (with the reason printed) when Chromium is not installed
    /// and this is not CI.
    pub async fn start() -> Option<Browser> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|p| !std::path::Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            let why = format!(
                "browser tests need {} (apt-get install chromium chromium-driver)",
                missing.join(" and ")
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipping: {why}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        wait_for("chromedriver to answer", || async {
            let r = reqwest::get(&status).await.ok()?;
            r.status().is_success().then_some(())
        })
        .await;
        let profile = tempfile::tempdir().unwrap();
        // As root on a closed network: no sandbox, no background fetches (they fail slowly).
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
            "--lang=zh-CN",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = json!({"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}});
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a Chromium session");
        Some(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The value of a JavaScript expression on the page.
    pub async fn eval(&self, expr: &str) -> Value {
        self.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap()
    }

    /// Waits until the expression is truthy on the page; fails with `what` at the deadline.
    pub async fn until(&self, what: &str, expr: &str) {
        let last = std::sync::Mutex::new(Value::Null);
        let r = tokio::time::timeout(DEADLINE, async {
            loop {
                let v = self
                    .client
                    .execute(&format!("return ({expr});"), vec![])
                    .await;
                if let Ok(v) = v {
                    if truthy(&v) {
                        return;
                    }
                    *last.lock().unwrap() = v;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        if r.is_err() {
            let body = self
                .eval("document.body ? document.body.innerText.slice(0, 2000) : ''")
                .await;
            panic!(
                "the page never showed {what} ({expr} was {:?}); page text:\n{body}",
                last.lock().unwrap()
            );
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Clicks the element `css` finds. A live page may swap it for a fresh copy between the
    /// find and the click (a person's click lands on the copy): then it is found again.
    pub async fn click(&self, css: &str) {
        self.on_fresh(css, |el| async move { el.click().await.map(|_| ()) })
            .await;
    }

    /// Presses Enter on the element `css` finds, as a keyboard user does on a focused button.
    pub async fn press_enter(&self, css: &str) {
        let enter = fantoccini::key::Key::Enter.to_string();
        self.on_fresh(css, |el| {
            let enter = enter.clone();
            async move { el.send_keys(&enter).await }
        })
        .await;
    }

    async fn on_fresh<F, Fut>(&self, css: &str, act: F)
    where
        F: Fn(fantoccini::elements::Element) -> Fut,
        Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        for _ in 0..20 {
            let el = (self.client.find(Locator::Css(css)).await)
                .unwrap_or_else(|e| panic!("{css}: {e}"));
            match act(el).await {
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    continue
                }
                r => return r.unwrap_or_else(|e| panic!("{css}: {e}")),
            }
        }
        panic!("{css} was replaced on every try");
    }

    /// Saves a screenshot as `target/browser-shots/{name}.png` and prints where.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = shots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Signs in with `token` from the sign-in page of the demo site.
    pub async fn sign_in(&self, app: &TestApp, token: &str) {
        self.goto(&app.url(&format!("/sites/{SITE}/signin"))).await;
        self.fill("#token", token).await;
        self.click("#signin").await;
        // The form posts and is redirected: a `goto` before that lands would be overtaken
        // by the redirect.
        self.until(
            "the page after signing in",
            "!location.pathname.endsWith('/signin') && document.readyState === 'complete'",
        )
        .await;
    }
}

fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false)) && v != &json!(0) && v != &json!("")
}

fn shots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("browser-shots")
}

async fn wait_for<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<()>>,
{
    tokio::time::timeout(DEADLINE, async {
        while f().await.is_none() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not happen in time"));
}
