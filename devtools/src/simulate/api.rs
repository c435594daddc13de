//! The HTTP calls of a simulation: open the job cards (advisor), read the KPIs (manager).

use std::time::Duration;

use bayline_domain::{JobCard, Time};
use bayline_site::{SiteConfig, TokenRole};
use jiff::tz::TimeZone;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot reach bayline's HTTP API at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{what}: HTTP {status}: {body}")]
    Status {
        what: String,
        status: u16,
        body: String,
    },
    #[error("the site config has no {0} token")]
    NoToken(&'static str),
}

/// What the server holds under a planned job's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Nothing,
    /// The planned card itself (the same plan was played before).
    Same,
    /// Another card under the same id: another plan (another seed) lived that day.
    Other,
}

pub struct Api {
    base: String,
    site: String,
    tz: TimeZone,
    client: reqwest::Client,
    /// Opens job cards: an advisor token, else integration, else manager.
    writer: String,
    /// Reads the KPIs, if the site has a manager token.
    manager: Option<String>,
}

impl Api {
    pub fn new(base: &str, site: &SiteConfig) -> Result<Api, ApiError> {
        let token = |role: TokenRole| {
            (site.tokens.iter())
                .find(|t| t.role == role)
                .map(|t| t.token.clone())
        };
        let writer = token(TokenRole::Advisor)
            .or_else(|| token(TokenRole::Integration))
            .or_else(|| token(TokenRole::Manager))
            .ok_or(ApiError::NoToken("advisor, integration or manager"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| ApiError::Unreachable {
                url: base.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Api {
            base: base.trim_end_matches('/').to_string(),
            site: site.id.to_string(),
            tz: site.time_zone.clone(),
            client,
            writer,
            manager: token(TokenRole::Manager),
        })
    }

    fn unreachable(&self, e: reqwest::Error) -> ApiError {
        ApiError::Unreachable {
            url: self.base.clone(),
            reason: e.without_url().to_string(),
        }
    }

    pub async fn healthz(&self) -> Result<(), ApiError> {
        let res = (self
            .client
            .get(format!("{}/healthz", self.base))
            .send()
            .await)
            .map_err(|e| self.unreachable(e))?;
        check("GET /healthz", res).await.map(|_| ())
    }

    pub async fn put_job(&self, card: &JobCard) -> Result<(), ApiError> {
        let url = format!("{}/api/v1/sites/{}/jobs/{}", self.base, self.site, card.job);
        let ops: Vec<Value> = (card.ops.iter())
            .map(|o| json!({"op": o.op.as_str(), "title": o.title, "std_hours": o.std_hours}))
            .collect();
        let body = json!({
            "plate": card.plate,
            "vehicle": card.vehicle,
            "customer": card.customer,
            "advisor": card.advisor,
            "service": card.service,
            "promised_at": card.promised_at.map(|t| rfc3339(t, &self.tz)),
            "wash": card.wash,
            "ops": ops,
        });
        let res = (self
            .client
            .put(url)
            .bearer_auth(&self.writer)
            .json(&body)
            .send()
            .await)
            .map_err(|e| self.unreachable(e))?;
        check(&format!("PUT job {}", card.job), res)
            .await
            .map(|_| ())
    }

    /// The stage of a job, `None` when there is no such job.
    pub async fn stage(&self, job: &str) -> Result<Option<String>, ApiError> {
        let url = format!("{}/api/v1/sites/{}/jobs/{job}", self.base, self.site);
        let res = (self.client.get(url).bearer_auth(&self.writer).send().await)
            .map_err(|e| self.unreachable(e))?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let view = check(&format!("GET job {job}"), res).await?;
        Ok(view["stage"].as_str().map(str::to_string))
    }

    /// Whether the server holds job `card.job`, and if so whether it is this card: the same
    /// labour lines with the same standard hours (what a plan's seed decides; the hours are
    /// compared to the hundredth, as a person reads them).
    pub async fn holds(&self, card: &JobCard) -> Result<Held, ApiError> {
        let job = card.job.as_str();
        let url = format!("{}/api/v1/sites/{}/jobs/{job}", self.base, self.site);
        let res = (self.client.get(url).bearer_auth(&self.writer).send().await)
            .map_err(|e| self.unreachable(e))?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(Held::Nothing);
        }
        let view = check(&format!("GET job {job}"), res).await?;
        let stored: Vec<(&str, f64)> = (view["ops"].as_array().into_iter().flatten())
            .map(|o| {
                let op = o["op"].as_str().unwrap_or("");
                (op, o["std_hours"].as_f64().unwrap_or(f64::NAN))
            })
            .collect();
        let same = stored.len() == card.ops.len()
            && (stored.iter().zip(&card.ops))
                .all(|((op, h), o)| *op == o.op.as_str() && (h - o.std_hours).abs() < 0.005);
        Ok(if same { Held::Same } else { Held::Other })
    }

    /// The figures for `[from, to)`; `None` when the site has no manager token.
    pub async fn kpis(&self, from: Time, to: Time) -> Result<Option<Value>, ApiError> {
        let Some(token) = &self.manager else {
            return Ok(None);
        };
        let url = format!("{}/api/v1/sites/{}/kpis", self.base, self.site);
        let query = [
            ("from", rfc3339(from, &self.tz)),
            ("to", rfc3339(to, &self.tz)),
        ];
        let res = (self
            .client
            .get(url)
            .query(&query)
            .bearer_auth(token)
            .send()
            .await)
            .map_err(|e| self.unreachable(e))?;
        check("GET kpis", res).await.map(Some)
    }
}

/// The body of a 2xx answer, or the answer as an error.
async fn check(what: &str, res: reqwest::Response) -> Result<Value, ApiError> {
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(ApiError::Status {
            what: what.to_string(),
            status: status.as_u16(),
            body: body.chars().take(300).collect(),
        });
    }
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub fn rfc3339(t: Time, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}
