//! Ids of sites, jobs, ops, bays, badges, scanners and boards.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest id the contract allows.
pub const MAX_ID_LEN: usize = 32;

/// A contract id: 1..=32 characters of `[A-Za-z0-9._-]`. Holding one means it was checked.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Id(heapless::String<MAX_ID_LEN>);

/// Why a text is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    /// The first character outside `[A-Za-z0-9._-]`.
    BadChar(char),
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Empty => f.write_str("id is empty"),
            IdError::TooLong => write!(f, "id is longer than {MAX_ID_LEN} characters"),
            IdError::BadChar(c) => {
                write!(f, "id has the character {c:?} (allowed: A-Z a-z 0-9 . _ -)")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for IdError {}

impl Id {
    /// Checks `s` against the contract's id rule.
    pub fn new(s: &str) -> Result<Self, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(IdError::BadChar(c));
        }
        heapless::String::try_from(s)
            .map(Id)
            .map_err(|_| IdError::TooLong)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// `Borrow<str>` lets maps keyed by `Id` be queried with a `&str`; hashing as `str` keeps it sound.
impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Id::new(s)
    }
}

impl TryFrom<&str> for Id {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, IdError> {
        Id::new(s)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id of 1..=32 characters of [A-Za-z0-9._-]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Id::new(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// In the OpenAPI document an id is a string of the contract's characters.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_ID_LEN))
            .pattern(Some("^[A-Za-z0-9._-]+$"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Id {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_ids_are_accepted() {
        for ok in [
            "RO-240117",
            "B03",
            "a",
            "x.y_z-1",
            "A234567890123456789012345678901Z",
        ] {
            assert_eq!(Id::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn ids_outside_the_rule_are_refused_with_the_reason() {
        assert_eq!(Id::new(""), Err(IdError::Empty));
        assert_eq!(Id::new(&"x".repeat(33)), Err(IdError::TooLong));
        assert_eq!(Id::new("RO 1"), Err(IdError::BadChar(' ')));
        assert_eq!(Id::new("粤B"), Err(IdError::BadChar('粤')));
        assert_eq!(Id::new("a/b"), Err(IdError::BadChar('/')));
        assert_eq!(Id::new("+"), Err(IdError::BadChar('+')));
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<Id>("\"B01\"").is_ok());
        assert!(serde_json::from_str::<Id>("\"B 01\"").is_err());
        assert!(serde_json::from_str::<Id>("12").is_err());
    }
}
