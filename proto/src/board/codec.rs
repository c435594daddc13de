//! The wire form of a board model: [`FORMAT_VERSION`], then postcard.

use core::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::FORMAT_VERSION;

/// Why a board message could not be encoded or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardError {
    /// The message has no bytes at all.
    Empty,
    /// The message ends before the model does.
    Truncated,
    /// Made by a newer server; this display cannot show it.
    FutureVersion(u8),
    /// A version byte no server ever wrote (0).
    BadVersion(u8),
    /// The bytes are not a model of this kind (bad tag, bad id, text too long, …).
    Malformed,
    /// The encode buffer is too small for the model.
    BufferTooSmall,
}

impl fmt::Display for BoardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardError::Empty => f.write_str("board message is empty"),
            BoardError::Truncated => f.write_str("board message is truncated"),
            BoardError::FutureVersion(v) => {
                write!(f, "board format {v} is newer than {FORMAT_VERSION}")
            }
            BoardError::BadVersion(v) => write!(f, "board format {v} does not exist"),
            BoardError::Malformed => f.write_str("board message is malformed"),
            BoardError::BufferTooSmall => f.write_str("buffer too small for the board model"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BoardError {}

/// Writes [`FORMAT_VERSION`] and the model into `buf`; returns the bytes written.
pub fn encode<'a, M: Serialize>(model: &M, buf: &'a mut [u8]) -> Result<&'a [u8], BoardError> {
    let (first, rest) = buf.split_first_mut().ok_or(BoardError::BufferTooSmall)?;
    *first = FORMAT_VERSION;
    let len = postcard::to_slice(model, rest)
        .map_err(|e| match e {
            postcard::Error::SerializeBufferFull => BoardError::BufferTooSmall,
            _ => BoardError::Malformed,
        })?
        .len();
    Ok(&buf[..=len])
}

/// Checks the version byte and decodes the model; bytes after the model are ignored.
pub fn decode<M: DeserializeOwned>(bytes: &[u8]) -> Result<M, BoardError> {
    let (&version, rest) = bytes.split_first().ok_or(BoardError::Empty)?;
    match version {
        0 => return Err(BoardError::BadVersion(0)),
        v if v > FORMAT_VERSION => return Err(BoardError::FutureVersion(v)),
        _ => {}
    }
    postcard::take_from_bytes(rest)
        .map(|(m, _)| m)
        .map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => BoardError::Truncated,
            _ => BoardError::Malformed,
        })
}
