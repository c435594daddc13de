//! The history bench's table: one row per history length measured, or JSON.

use std::fmt;

/// One history length, measured.
#[derive(Debug, serde::Serialize)]
pub struct HistoryRow {
    pub days: i64,
    pub years: f64,
    pub sites: usize,
    pub events: usize,
    pub jobs: usize,
    pub backend: &'static str,
    /// Writing the history into the store (not bayline's cost; for orientation).
    pub fill_s: f64,
    /// The first start on a database without frozen days: rebuilt a week at a time.
    pub rebuild_s: f64,
    /// Process start → ready line, on the rebuilt database.
    pub startup_s: f64,
    pub rss_mib: f64,
    /// After the month's figures (whole, by badge, bay and day).
    pub rss_mib_after_figures: f64,
    /// After the year's too.
    pub rss_mib_after_year: f64,
    pub kpi_month_ms: f64,
    pub kpi_year_ms: f64,
    pub kpi_month_by_badge_ms: f64,
    pub kpi_month_by_bay_ms: f64,
    pub kpi_month_by_day_ms: f64,
    /// A correction of a scan eleven days back (in a frozen day), answered: the slower of
    /// moving it a second and moving it back. `None` on a history shorter than that.
    pub correction_s: Option<f64>,
    /// Scan → reply p99 of the load on the second site; `None` when skipped.
    pub reply_p99_ms: Option<f64>,
    pub reply_rate: Option<f64>,
    /// With `--check`: the figures asked equal a full fold of the history.
    pub equal_to_full_fold: Option<bool>,
}

/// The table of every length measured.
#[derive(Debug, serde::Serialize)]
#[serde(transparent)]
pub struct HistoryReport(pub Vec<HistoryRow>);

impl fmt::Display for HistoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| days | events | backend | fill s | rebuild s | startup s | RSS MiB | after month | after year | month ms | year ms | month by badge ms | by bay ms | by day ms | correction s | reply p99 ms | = full fold |"
        )?;
        writeln!(
            f,
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        )?;
        for r in &self.0 {
            let p99 = r.reply_p99_ms.map_or("-".into(), |p| {
                format!("{p:.1} at {:.0}/s", r.reply_rate.unwrap_or(0.0))
            });
            writeln!(
                f,
                "| {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
                r.days,
                r.events,
                r.backend,
                r.fill_s,
                r.rebuild_s,
                r.startup_s,
                r.rss_mib,
                r.rss_mib_after_figures,
                r.rss_mib_after_year,
                r.kpi_month_ms,
                r.kpi_year_ms,
                r.kpi_month_by_badge_ms,
                r.kpi_month_by_bay_ms,
                r.kpi_month_by_day_ms,
                r.correction_s.map_or("-".into(), |s| format!("{s:.2}")),
                p99,
                r.equal_to_full_fold
                    .map_or("-", |same| if same { "yes" } else { "NO" })
            )?;
        }
        Ok(())
    }
}
