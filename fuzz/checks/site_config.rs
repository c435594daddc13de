//! What must hold for any text given as a site file. Shared by the fuzz target `site_config`
//! and the stable replay of its corpus in `tests/e2e/corpus/fuzz_replay.rs`.

use std::collections::HashSet;

use bayline_site::SiteConfig;

/// Parses `bytes` (invalid UTF-8 replaced, as an editor would show it) as a site file. An
/// error names the file and a line that exists; a site that parses has what `bayline up`
/// derives from it: unique ids, a catalog, a schedule and settings.
pub fn site_config(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match SiteConfig::parse("fuzz.toml", &text) {
        Err(e) => {
            assert_eq!(e.file, "fuzz.toml");
            assert!(!e.message.trim().is_empty(), "{e:?}");
            let lines = text.matches('\n').count() + 1;
            assert!(e.line <= lines, "line {} of {lines}: {e}", e.line);
            assert!(e.to_string().starts_with("fuzz.toml:"), "{e}");
        }
        Ok(site) => {
            let catalog = site.catalog();
            assert_eq!(catalog.bays.len(), site.bays.len());
            assert_eq!(catalog.badges.len(), site.staff.len());
            let users: HashSet<&str> = (site.scanners.iter().map(|s| s.id.as_str()))
                .chain(site.displays.iter().map(|d| d.id.as_str()))
                .collect();
            assert_eq!(users.len(), site.scanners.len() + site.displays.len());
            assert!(site.tokens.iter().all(|t| t.token.len() >= 8));
            let settings = site.settings();
            assert_eq!(settings.schedule.hours, site.opening_hours);
        }
    }
}
