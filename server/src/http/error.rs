//! One error type for every handler, answered as `{"error":{"code","message"}}`.
//! Internal detail is logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bayline_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a bearer token is needed")]
    Unauthorized,
    #[error("this token may not do that")]
    Forbidden,
    /// A 403 that says why: the token may do this, but not to this thing now.
    #[error("{0}")]
    ForbiddenBecause(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("the request body is too large")]
    TooLarge,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("internal error")]
    Store(#[from] StoreError),
    /// Something of ours failed; the detail goes to the log only.
    #[error("internal error")]
    Internal(String),
}

impl Error {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::Forbidden | Error::ForbiddenBecause(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::Store(_) | Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// `{"error": {"code", "message"}}`: the body of every error (contract §5).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `bad_request`, `invalid`, `too_large`,
    /// `method_not_allowed`, `internal`.
    #[schema(value_type = String)]
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match &self {
            Error::Store(e) => tracing::error!(error = %e, "request failed"),
            Error::Internal(e) => tracing::error!(error = %e, "request failed"),
            _ => {}
        }
        let (status, code) = self.status_and_code();
        let mut res = (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code,
                    message: self.to_string(),
                },
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// Answers in the contract's error format (§5) what the framework answers itself: a body
/// over the limit (413, plain text from the limit layer) and a known path with another
/// method (405, empty).
pub async fn framework_errors(res: Response) -> Response {
    match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !is_json(&res) => Error::TooLarge.into_response(),
        StatusCode::METHOD_NOT_ALLOWED if !is_json(&res) => {
            let mut json = Error::MethodNotAllowed.into_response();
            if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
                json.headers_mut()
                    .insert(axum::http::header::ALLOW, allow.clone());
            }
            json
        }
        _ => res,
    }
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}
