//! `bayline simulate` against the real system: a whole working day played by the handhelds
//! (embedded broker, SQLite in a temp dir), then the server's figures checked against the
//! pure domain folding the simulator's own log.

use std::time::Duration;

use bayline_devtools::simulate::{self, Options};
use bayline_domain::kpi::{self, Period};
use bayline_domain::present;
use bayline_domain::Workshop;
use bayline_site::SiteConfig;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::helpers::*;

/// A day of scans round-trips in a second or two; this is the failure line.
const SIMULATION_DEADLINE: Duration = Duration::from_secs(180);

fn options(app: &TestApp, offline: &[&str]) -> Options {
    let site = SiteConfig::demo();
    let days = simulate::choose_days(&site, jiff::Timestamp::now(), 1, false);
    Options {
        site,
        broker: app.broker.clone(),
        http: format!("http://{}", app.http),
        // As fast as the replies come: the clock never holds a scan back.
        speed: 1e9,
        days,
        seed: 42,
        duplicates: 0.05,
        offline: offline.iter().map(|s| s.to_string()).collect(),
        resend_after: Duration::from_secs(2),
        progress: false,
    }
}

/// Every number equal within a small tolerance, every null null, field by field.
fn assert_same(path: &str, server: &Value, ours: &Value) {
    match (server, ours) {
        (Value::Object(s), Value::Object(o)) => {
            for (k, v) in o {
                let theirs = s.get(k).unwrap_or_else(|| panic!("{path}.{k} missing"));
                assert_same(&format!("{path}.{k}"), theirs, v);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                "{path}: server {a}, domain {b}"
            );
        }
        _ => assert_eq!(server, ours, "{path}"),
    }
}

#[tokio::test]
async fn a_simulated_day_is_answered_scan_by_scan_and_the_server_reports_the_figures_of_its_log() {
    let app = spawn_app().await;
    let run = simulate::run(options(&app, &["HH-02"]), CancellationToken::new());
    let outcome = tokio::time::timeout(SIMULATION_DEADLINE, run)
        .await
        .expect("the simulation did not end in time")
        .expect("the simulation failed");
    let plan = &outcome.plan;
    let s = &outcome.summary;

    // Every scan got its reply, and a workshop's day holds nothing the system rejects.
    // A Saturday (09:00-16:00) is the shortest day the demo site can play.
    assert!(plan.scans.len() > 100, "{} scans", plan.scans.len());
    assert!(outcome.deliveries.iter().all(Option::is_some));
    assert_eq!(s.sent, plan.scans.len());
    let rejected: Vec<_> = (outcome.deliveries.iter().flatten())
        .filter(|d| !d.reply.ok)
        .map(|d| (&plan.scans[d.index].event, &d.reply))
        .collect();
    assert!(rejected.is_empty(), "rejected: {rejected:#?}");

    // Repeats were answered with the very same reply and stored once.
    assert!(s.repeats > 0);
    assert_eq!(s.repeats_same, s.repeats);
    for d in outcome
        .deliveries
        .iter()
        .flatten()
        .filter(|d| d.repeat_reply.is_some())
    {
        let key = &plan.scans[d.index].event.key;
        assert_eq!(
            app.stored(key.scanner.as_str(), key.seq).await,
            1,
            "{key:?}"
        );
    }

    // HH-02 held its day and delivered it late: every one of those scans accepted, and
    // nothing else came late.
    let held = plan.of_scanner("HH-02").count();
    assert!(held > 10, "HH-02 made {held} scans");
    assert_eq!((s.late, s.late_accepted), (held, held));
    for d in outcome.deliveries.iter().flatten() {
        assert_eq!(
            d.late,
            plan.scans[d.index].event.key.scanner.as_str() == "HH-02"
        );
    }

    // The server's figures for the period are the domain's fold of the simulator's log.
    let site = SiteConfig::demo();
    let mut catalog = site.catalog();
    for card in &plan.jobs {
        catalog.jobs.insert(card.job.clone(), card.clone());
    }
    let mut workshop = Workshop::new(catalog, site.settings());
    for scan in &plan.scans {
        workshop.admit(scan.event.clone());
    }
    let server = outcome
        .kpis
        .clone()
        .expect("the demo site has a manager token");
    let ours = kpi::figures(
        &workshop,
        Period::new(plan.from, plan.to),
        jiff::Timestamp::now(),
    );
    // As the API prints them: in the site's offset, four decimals.
    let mut ours = serde_json::to_value(&ours).unwrap();
    present::in_site_terms(&mut ours, &site.time_zone);
    assert_same("kpis", &server, &ours);
    // And they describe a working day, not an empty one.
    for field in [
        "clocked_hours",
        "sold_hours",
        "available_hours",
        "bay_blocked_hours",
    ] {
        assert!(server[field].as_f64().unwrap() > 0.5, "{field}: {server}");
    }
    assert!(server["jobs_delivered"].as_u64().unwrap() as usize == plan.jobs.len());
    assert!(
        server["first_time_fix_rate"].as_f64().unwrap() < 1.0,
        "{server}"
    );
}

#[tokio::test]
async fn a_broker_that_is_not_there_is_named_in_one_line() {
    let app = spawn_app().await;
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut opts = options(&app, &[]);
    opts.broker.port = port;
    let e = simulate::run(opts, CancellationToken::new())
        .await
        .unwrap_err();
    let line = e.to_string();
    assert!(line.contains(&format!("mqtt://127.0.0.1:{port}")), "{line}");
    assert!(!line.contains('\n'), "{line}");
}

/// `bayline simulate --days 1 --seed SEED` against `app`, as fast as the replies come:
/// exit status, stdout and stderr.
async fn simulate_binary(app: &TestApp, seed: u64) -> (std::process::ExitStatus, String, String) {
    let out = tokio::process::Command::new(crate::binary::BIN)
        .args(["simulate", "--days", "1", "--speed", "1000000000"])
        .args(["--seed", &seed.to_string()])
        .args([
            "--broker",
            &format!("mqtt://{}:{}", app.broker.host, app.broker.port),
        ])
        .args(["--http", &format!("http://{}", app.http)])
        .output();
    let out = tokio::time::timeout(SIMULATION_DEADLINE, out)
        .await
        .expect("bayline simulate did not finish")
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (out.status, text(&out.stdout), text(&out.stderr))
}

#[tokio::test]
async fn a_second_plan_leaves_a_day_another_plan_lived_as_it_is_and_plays_an_earlier_one() {
    let app = spawn_app().await;
    // Seed 1 is the demo's plan: this is the day `up --demo` would have lived.
    let (status, out, err) = simulate_binary(&app, 1).await;
    assert!(status.success(), "{out}\n{err}");
    let lived = simulate::choose_days(&SiteConfig::demo(), jiff::Timestamp::now(), 1, false)[0];
    // Another seed is another story: its handhelds, job numbers and technicians would clash
    // with the first one's on that day (seq_conflict, bay_busy), so it plays the day before.
    let (status, out, err) = simulate_binary(&app, 7).await;
    assert!(status.success(), "{out}\n{err}");
    assert!(!out.contains("seq_conflict"), "{out}");
    assert!(
        err.contains(&format!("{lived}: already played by another plan")),
        "{err}"
    );
    // The same seed again is the same story: exact repeats, played on the same day.
    let (status, out, err) = simulate_binary(&app, 7).await;
    assert!(status.success(), "{out}\n{err}");
    assert!(err.contains(&format!("{lived}: already played")), "{err}");
}
