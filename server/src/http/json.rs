//! `Json` that answers bad bodies in our error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::Error;

pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        // Every body we take is an object; serde's derive would also read a list as one,
        // with every field defaulted (`[]` would make an empty job card).
        let (parts, body) = req.into_parts();
        // Reading fails when the body is over the limit (or the client went away, when no
        // answer is read anyway).
        let bytes = axum::body::to_bytes(body, super::MAX_BODY)
            .await
            .map_err(|_| Error::TooLarge)?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            let name = std::any::type_name::<T>().rsplit("::").next().unwrap_or("");
            return Err(Error::Unprocessable(format!(
                "invalid type: sequence, expected struct {name}"
            )));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(Error::Unprocessable(e.body_text())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Error::TooLarge),
            Err(e) => Err(Error::BadRequest(e.body_text())),
        }
    }
}
