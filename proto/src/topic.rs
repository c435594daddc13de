//! Topic names under the root `bayline/{site}` (contract §3).

use crate::Id;

pub const ROOT: &str = "bayline";

/// What an incoming scan topic names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanTopic {
    pub site: Id,
    pub scanner: Id,
}

/// Parses `bayline/{site}/scanners/{scanner}/scan`; `None` for anything else.
pub fn parse_scan_topic(topic: &str) -> Option<ScanTopic> {
    let mut parts = topic.split('/');
    let (root, site, scanners, scanner, scan) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() || root != ROOT || scanners != "scanners" || scan != "scan" {
        return None;
    }
    Some(ScanTopic {
        site: Id::new(site).ok()?,
        scanner: Id::new(scanner).ok()?,
    })
}

#[cfg(feature = "std")]
mod names {
    /// `bayline/{site}/scanners/{scanner}/scan`
    pub fn scan(site: &str, scanner: &str) -> String {
        format!("{}/{site}/scanners/{scanner}/scan", super::ROOT)
    }
    /// `bayline/{site}/scanners/{scanner}/reply`
    pub fn reply(site: &str, scanner: &str) -> String {
        format!("{}/{site}/scanners/{scanner}/reply", super::ROOT)
    }
    /// `bayline/{site}/boards/{board}`; `board` is `lounge`, `workshop` or `bay/{bay}`.
    pub fn board(site: &str, board: &str) -> String {
        format!("{}/{site}/boards/{board}", super::ROOT)
    }
    /// The filter the gateway subscribes to: every site's scans.
    pub const ALL_SCANS: &str = "bayline/+/scanners/+/scan";
}

#[cfg(feature = "std")]
pub use names::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_topics_parse_and_others_do_not() {
        let t = parse_scan_topic("bayline/demo/scanners/HH-01/scan").unwrap();
        assert_eq!((t.site.as_str(), t.scanner.as_str()), ("demo", "HH-01"));
        for bad in [
            "bayline/demo/scanners/HH-01/reply",
            "bayline/demo/scanners/HH-01/scan/x",
            "other/demo/scanners/HH-01/scan",
            "bayline/de mo/scanners/HH-01/scan",
            "bayline/demo/scanners//scan",
            "bayline/demo/scanners",
        ] {
            assert_eq!(parse_scan_topic(bad), None, "{bad}");
        }
    }
}
