//! `[[pause_reasons]]`: the site's own reasons, each counted as one of the contract's five.

use std::collections::BTreeMap;

use bayline_domain::{Reasons, SiteReason};
use bayline_proto::PauseReason;
use toml::Spanned;

use super::Parser;
use crate::config::raw::RawPauseReason;
use crate::ConfigError;

/// Longest label: a board shows it after "阻塞 · " on a 296-pixel bay tag.
const MAX_LABEL: usize = 12;

impl Parser<'_> {
    pub(super) fn pause_reasons(&self, raw: &[RawPauseReason]) -> Result<Reasons, ConfigError> {
        let mut reasons = BTreeMap::new();
        for r in raw {
            let id = self.id("pause reason", &r.id)?;
            if PauseReason::parse(id.as_str()).is_some() {
                return Err(self.err(
                    &r.id,
                    format!("pause reason {id} is one of the built-in five; pick another id"),
                ));
            }
            let category = self.choice(
                "pause reason category",
                &r.category,
                "parts, approval, break, shift_end, other",
            )?;
            let own = SiteReason {
                category,
                label_zh: self.label("label_zh", &r.label_zh)?,
                label_en: self.label("label_en", &r.label_en)?,
            };
            if reasons.insert(id.clone(), own).is_some() {
                return Err(self.err(&r.id, format!("pause reason {id} is listed twice")));
            }
        }
        Ok(Reasons(reasons))
    }

    /// A label people read on a handheld, a page and a board: one short line.
    fn label(&self, what: &str, s: &Spanned<String>) -> Result<String, ConfigError> {
        let text = s.get_ref().trim();
        if text.is_empty() {
            return Err(self.err(s, format!("pause reason {what} is empty")));
        }
        if text.chars().count() > MAX_LABEL {
            return Err(self.err(
                s,
                format!("pause reason {what} {text:?} is longer than {MAX_LABEL} characters"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(self.err(
                s,
                format!("pause reason {what} {text:?} holds a control character"),
            ));
        }
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use crate::SiteConfig;

    const SITE: &str = r#"
[site]
id = "s1"
name = "S"
time_zone = "Asia/Shanghai"

[[bays]]
id = "B01"
kind = "lift"
"#;

    fn reason(id: &str, zh: &str, category: &str) -> String {
        format!(
            "\n[[pause_reasons]]\nid = \"{id}\"\nlabel_zh = \"{zh}\"\nlabel_en = \"{id}\"\ncategory = \"{category}\"\n"
        )
    }

    fn refusal(text: &str) -> (usize, String) {
        let e = SiteConfig::parse("site.toml", text).expect_err("should be refused");
        (e.line, e.message)
    }

    #[test]
    fn a_site_reason_has_its_category_and_labels() {
        let text = format!(
            "{SITE}{}{}",
            reason("training", "晨会/培训", "break"),
            reason("sublet", "外协", "parts")
        );
        let c = SiteConfig::parse("site.toml", &text).unwrap();
        let catalog = c.catalog();
        let ids: Vec<&str> = catalog.pause_reasons.ids().map(|i| i.as_str()).collect();
        assert_eq!(ids, ["sublet", "training"]);
        let training = &catalog.pause_reasons.0[&bayline_proto::Id::new("training").unwrap()];
        assert_eq!(training.category, bayline_proto::PauseReason::Break);
        assert_eq!(training.label(bayline_proto::Language::Zh), "晨会/培训");
    }

    #[test]
    fn each_wrong_reason_is_refused_at_its_line() {
        let base = SITE.lines().count() + 1;
        let cases = [
            (
                reason("parts", "配件", "parts"),
                2,
                "one of the built-in five",
            ),
            (reason("six s", "6S", "other"), 2, "pause reason \"six s\""),
            (
                reason("6s", "6S", "coffee"),
                5,
                "is not one of: parts, approval",
            ),
            (reason("6s", "", "other"), 3, "label_zh is empty"),
            (
                reason("6s", "整理整顿清扫清洁素养安全周", "other"),
                3,
                "longer than 12",
            ),
            (
                format!(
                    "{}{}",
                    reason("6s", "6S", "other"),
                    reason("6s", "6S", "other")
                ),
                8,
                "listed twice",
            ),
        ];
        for (extra, line, says) in cases {
            let (at, message) = refusal(&format!("{SITE}{extra}"));
            assert!(message.contains(says), "{extra}: {message}");
            assert_eq!(at, base + line, "{extra}: {message}");
        }
    }
}
