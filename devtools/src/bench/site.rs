//! The bench's own site: one bay, one technician, one job and one scanner per simulated
//! handheld, so every scan is accepted and no two handhelds contend for a bay.

use std::fmt::Write;

pub const SITE: &str = "bench";
pub const ADVISOR_TOKEN: &str = "bench-advisor-token";

pub fn scanner(i: usize) -> String {
    format!("S{i:04}")
}

pub fn secret(i: usize) -> String {
    format!("bench-secret-{i:04}")
}

pub fn badge(i: usize) -> String {
    format!("T{i:04}")
}

pub fn job(i: usize) -> String {
    format!("RO-{i:04}")
}

pub fn bay(i: usize) -> String {
    format!("B{i:04}")
}

/// The site file for `n` handhelds.
pub fn toml(n: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "[site]\nid = \"{SITE}\"\nname = \"Bench\"\ntime_zone = \"UTC\"\nlanguage = \"en\"\n\
         auto_clock_off_grace_min = 1440\n\n[site.opening_hours]\n"
    );
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let _ = writeln!(s, "{day} = \"00:00-23:59\"");
    }
    for i in 0..n {
        let (bay, badge) = (bay(i), badge(i));
        let (scanner, secret) = (scanner(i), secret(i));
        let _ = write!(
            s,
            "\n[[bays]]\nid = \"{bay}\"\nkind = \"lift\"\n\n[[staff]]\nbadge = \"{badge}\"\n\
             role = \"technician\"\n\n[[scanners]]\nid = \"{scanner}\"\nsecret = \"{secret}\"\n"
        );
    }
    let _ = write!(
        s,
        "\n[[tokens]]\ntoken = \"{ADVISOR_TOKEN}\"\nrole = \"advisor\"\n"
    );
    s
}

/// The `n`-th scan of handheld `i`: a shift start, a start, then pauses and resumes for ever —
/// every one accepted without a warning.
pub fn scan(i: usize, n: u64, ts: &str) -> Vec<u8> {
    let (badge, job, bay) = (badge(i), job(i), bay(i));
    let body = match n {
        1 => serde_json::json!({"action": "shift_start"}),
        2 => serde_json::json!({"action": "start", "job": job, "op": "10", "bay": bay}),
        n if n % 2 == 1 => {
            let reason = if n % 4 == 1 { "parts" } else { "approval" };
            serde_json::json!({"action": "pause", "job": job, "op": "10", "reason": reason})
        }
        _ => serde_json::json!({"action": "resume", "job": job, "op": "10"}),
    };
    let mut body = body;
    body["v"] = 1.into();
    body["seq"] = n.into();
    body["ts"] = ts.into();
    body["badge"] = badge.into();
    body.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_site_is_a_valid_site() {
        let site = bayline_site::SiteConfig::parse("bench.toml", &toml(3)).unwrap();
        assert_eq!(site.scanners.len(), 3);
        assert_eq!(site.scanner(&scanner(2)).unwrap().secret, secret(2));
    }

    #[test]
    fn a_handheld_alternates_pauses_and_resumes_after_starting() {
        let actions: Vec<String> = (1..=6)
            .map(|n| {
                let v: serde_json::Value = serde_json::from_slice(&scan(0, n, "t")).unwrap();
                v["action"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            actions,
            ["shift_start", "start", "pause", "resume", "pause", "resume"].map(String::from)
        );
    }
}
