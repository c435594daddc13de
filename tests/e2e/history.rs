//! Years of history, in small: `bayline bench history` on two short histories of the 40-bay
//! sample site, each written into a database, started on (a rebuild of its frozen days, then a
//! start from the checkpoint) and asked for its figures. Asserted is what must hold on any
//! machine: the figures of the last month, the last year and the month by badge equal a full
//! fold of the history, and scans of a second site are answered meanwhile. The times and
//! memory are printed, not judged; the real table is `bayline bench history`
//! on a release build (`--days 28,364,1092`).

use std::process::Command;

use serde_json::Value;

use crate::services::database;

fn bench_history(db: Option<&str>) -> Vec<Value> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bayline"));
    command.args([
        "bench",
        "history",
        "--days",
        "9,23",
        "--seconds",
        "2",
        "--rate",
        "100",
        "--check",
        "--json",
    ]);
    if let Some(db) = db {
        command.args(["--db", db]);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{stdout}");
    serde_json::from_str::<Vec<Value>>(&stdout).unwrap()
}

fn assert_rows(rows: &[Value]) {
    assert_eq!(rows.len(), 2, "{rows:?}");
    let events = |r: &Value| r["events"].as_u64().unwrap();
    assert!(events(&rows[1]) > 2 * events(&rows[0]), "{rows:?}");
    for row in rows {
        assert_eq!(row["equal_to_full_fold"], true, "{row}");
        assert!(row["reply_rate"].as_f64().unwrap() > 0.0, "{row}");
        for figure in ["startup_s", "rss_mib", "kpi_month_ms", "kpi_year_ms"] {
            assert!(row[figure].as_f64().unwrap() > 0.0, "{figure}: {row}");
        }
    }
}

#[tokio::test]
async fn a_rebuilt_history_on_sqlite_answers_the_figures_of_the_full_fold() {
    let rows = tokio::task::spawn_blocking(|| bench_history(None))
        .await
        .unwrap();
    assert_rows(&rows);
}

#[tokio::test]
async fn a_rebuilt_history_on_postgres_answers_the_figures_of_the_full_fold() {
    let Some(db) = database() else { return };
    let server = db.url.clone();
    let rows = tokio::task::spawn_blocking(move || bench_history(Some(&server)))
        .await
        .unwrap();
    assert_rows(&rows);
}
