//! Pause reasons as a site has them: the contract's five, and the site's own
//! (`[[pause_reasons]]`, §7.6) such as training, 6S, tools or sublet, each of which counts as
//! one of the five (its category).
//!
//! The category decides what the pause does: the stage a car shows (`parts` → waiting for
//! parts), the waits an ETA cannot see past, which wait an answered approval ends. The
//! reason itself is what people read (replies, pages, boards) and what lost hours are
//! counted under: a site reason has its own key in `bay_blocked_hours_by_reason`, so the
//! `other` bucket keeps only what nobody named.

use std::collections::BTreeMap;

use bayline_proto::{Id, Language, PauseReason};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Why a badge paused: a category, and the site's own reason when it named one.
///
/// A scan names a site reason by id; until the timeline is folded with the site's table the
/// category of such a reason is `other` ([`Reasons::resolve`] gives the table's).
///
/// In JSON (events in corrections, API answers) a reason is its name, as a scan has it; in
/// the binary checkpoint of a folded state it keeps its resolved category too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reason {
    pub category: PauseReason,
    /// The site reason's id, when the pause named one.
    pub site: Option<Id>,
}

impl Reason {
    /// The name a scan carries: a site reason's id, or the category's.
    pub fn name(&self) -> &str {
        match &self.site {
            Some(id) => id.as_str(),
            None => self.category.as_str(),
        }
    }

    /// A scan's reason text: one of the five, or (when it is a well-formed id) a site's
    /// own, to be checked against the site's table. `None`: neither.
    pub fn parse(text: &str) -> Option<Reason> {
        match PauseReason::parse(text) {
            Some(category) => Some(Reason::from(category)),
            None => Some(Reason {
                category: PauseReason::Other,
                site: Some(Id::new(text).ok()?),
            }),
        }
    }
}

/// The binary form: both parts.
#[derive(Serialize, Deserialize)]
struct Parts {
    category: PauseReason,
    site: Option<Id>,
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(self.name())
        } else {
            Parts {
                category: self.category,
                site: self.site.clone(),
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        if d.is_human_readable() {
            let name = String::deserialize(d)?;
            Reason::parse(&name)
                .ok_or_else(|| de::Error::custom(format!("{name:?} is not a pause reason")))
        } else {
            let p = Parts::deserialize(d)?;
            Ok(Reason {
                category: p.category,
                site: p.site,
            })
        }
    }
}

impl From<PauseReason> for Reason {
    fn from(category: PauseReason) -> Reason {
        Reason {
            category,
            site: None,
        }
    }
}

/// One of the site's own reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteReason {
    pub category: PauseReason,
    pub label_zh: String,
    pub label_en: String,
}

impl SiteReason {
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::Zh => &self.label_zh,
            Language::En => &self.label_en,
        }
    }
}

/// A site's own reasons by id, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons(pub BTreeMap<Id, SiteReason>);

impl Reasons {
    /// `r` with its category from the table; a site reason no longer in the table keeps the
    /// category it had (its hours stay under its own key).
    pub fn resolve(&self, r: &Reason) -> Reason {
        match r.site.as_ref().and_then(|id| self.0.get(id)) {
            Some(own) => Reason {
                category: own.category,
                site: r.site.clone(),
            },
            None => r.clone(),
        }
    }

    /// Whether a new scan may name `r`: one of the five, or one of the table's.
    pub fn knows(&self, r: &Reason) -> bool {
        r.site.as_ref().is_none_or(|id| self.0.contains_key(id))
    }

    /// The words people read for `r`: the site's label, or the category's.
    pub fn label<'a>(&'a self, r: &Reason, language: Language) -> &'a str {
        // A reason gone from the table has only its category's words left.
        match r.site.as_ref().and_then(|id| self.0.get(id)) {
            Some(own) => own.label(language),
            None => r.category.label(language),
        }
    }

    pub fn ids(&self) -> impl Iterator<Item = &Id> {
        self.0.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Reasons {
        Reasons(BTreeMap::from([(
            Id::new("training").unwrap(),
            SiteReason {
                category: PauseReason::Break,
                label_zh: "培训".into(),
                label_en: "training".into(),
            },
        )]))
    }

    #[test]
    fn the_five_parse_as_themselves_and_other_ids_as_site_reasons() {
        assert_eq!(Reason::parse("parts"), Some(PauseReason::Parts.into()));
        let own = Reason::parse("training").unwrap();
        assert_eq!(own.site.as_ref().map(Id::as_str), Some("training"));
        assert_eq!(own.name(), "training");
        assert_eq!(Reason::parse("no spaces allowed"), None);
        assert_eq!(Reason::parse(""), None);
    }

    #[test]
    fn the_table_gives_a_site_reason_its_category_and_words() {
        let t = table();
        let own = t.resolve(&Reason::parse("training").unwrap());
        assert_eq!(own.category, PauseReason::Break);
        assert_eq!(t.label(&own, Language::Zh), "培训");
        assert_eq!(
            t.label(&PauseReason::Parts.into(), Language::Zh),
            "等待配件"
        );
        assert!(t.knows(&own));
        assert!(!t.knows(&Reason::parse("lunch").unwrap()));
        assert!(t.knows(&PauseReason::Other.into()));
    }

    #[test]
    fn a_reason_gone_from_the_table_keeps_its_category_and_name() {
        let gone = Reason {
            category: PauseReason::Parts,
            site: Some(Id::new("sublet").unwrap()),
        };
        assert_eq!(table().resolve(&gone), gone);
        assert_eq!(table().label(&gone, Language::En), "parts");
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;

    #[test]
    fn json_has_the_name_and_the_checkpoint_keeps_the_category() {
        let sublet = Reason {
            category: PauseReason::Parts,
            site: Some(Id::new("sublet").unwrap()),
        };
        assert_eq!(serde_json::to_string(&sublet).unwrap(), r#""sublet""#);
        let back: Reason = serde_json::from_str(r#""parts""#).unwrap();
        assert_eq!(back, PauseReason::Parts.into());
        assert!(serde_json::from_str::<Reason>(r#""no such""#).is_err());
        let bytes = postcard::to_allocvec(&sublet).unwrap();
        assert_eq!(postcard::from_bytes::<Reason>(&bytes).unwrap(), sublet);
    }
}
