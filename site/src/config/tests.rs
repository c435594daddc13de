use super::*;

const MINIMAL: &str = r#"
[site]
id = "s1"
name = "S"
time_zone = "Europe/Berlin"
language = "en"

[site.opening_hours]
mon = "08:00-17:00"
sun = ""

[[bays]]
id = "B01"
kind = "lift"

[[staff]]
badge = "T07"
role = "technician"

[[scanners]]
id = "HH-01"
secret = "s3cret"

[[tokens]]
token = "manager-token"
role = "manager"
"#;

fn error_of(text: &str) -> ConfigError {
    SiteConfig::parse("site.toml", text).expect_err("should be refused")
}

/// Replaces the first `from` in MINIMAL.
fn with(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from}");
    MINIMAL.replacen(from, to, 1)
}

#[test]
fn the_demo_site_parses() {
    let demo = SiteConfig::demo();
    assert_eq!(demo.id.as_str(), "demo");
    assert!(demo.bays.len() >= 6);
    assert!(demo.scanner("HH-01").is_some());
    assert!(demo
        .opening_hours
        .on(jiff::civil::Weekday::Sunday)
        .is_closed());
}

#[test]
fn a_minimal_site_parses_with_defaults() {
    let s = SiteConfig::parse("site.toml", MINIMAL).unwrap();
    assert_eq!(s.language, Language::En);
    assert_eq!(s.auto_clock_off_grace_min, 60);
    assert_eq!(s.lounge_stale_days, 7);
    assert_eq!(s.catalog().bays.get("B01"), Some(&BayKind::Lift));
    assert!(!s.opening_hours.on(jiff::civil::Weekday::Monday).is_closed());
    assert!(s
        .opening_hours
        .on(jiff::civil::Weekday::Tuesday)
        .is_closed());
    assert_eq!(s.at_risk_min, 30);
    assert!(s.roster().is_empty());
}

#[test]
fn a_syntax_error_names_file_and_line() {
    let e = error_of("[site]\nid = \"x\"\nname = \n");
    assert_eq!((e.file.as_str(), e.line), ("site.toml", 3), "{e}");
}

#[test]
fn semantic_errors_name_the_line_of_the_bad_value() {
    let cases = [
        (
            with(
                "time_zone = \"Europe/Berlin\"",
                "time_zone = \"Mars/Olympus\"",
            ),
            5,
            "IANA",
        ),
        (with("language = \"en\"", "language = \"fr\""), 6, "zh, en"),
        (
            with("mon = \"08:00-17:00\"", "mon = \"8 till 5\""),
            9,
            "08:30-17:30",
        ),
        (
            with("mon = \"08:00-17:00\"", "mon = \"17:00-08:00\""),
            9,
            "close before",
        ),
        (
            with("kind = \"lift\"", "kind = \"rocket\""),
            14,
            "lift, alignment",
        ),
        (with("id = \"B01\"", "id = \"B 01\""), 13, "character ' '"),
        (
            with("role = \"technician\"", "role = \"boss\""),
            18,
            "technician, qc",
        ),
        (with("secret = \"s3cret\"", "secret = \"\""), 22, "empty"),
        (
            with("role = \"manager\"", "role = \"owner\""),
            26,
            "manager, advisor",
        ),
        (
            with("token = \"manager-token\"", "token = \"short\""),
            25,
            "shorter than 8",
        ),
        (
            with("role = \"manager\"", "role = \"advisor\"\nbadge = \"A09\""),
            27,
            "badge A09, which is not in [[staff]]",
        ),
        (
            with("role = \"manager\"", "role = \"manager\"\nname = \"  \""),
            27,
            "token name is empty",
        ),
        (
            with(
                "role = \"manager\"",
                "role = \"manager\"\nname = \"Wang\\u0007\"",
            ),
            27,
            "control character",
        ),
        (
            with(
                "role = \"manager\"",
                &format!("role = \"manager\"\nname = \"{}\"", "王".repeat(61)),
            ),
            27,
            "longer than 60 characters",
        ),
        (
            with(
                "language = \"en\"",
                "language = \"en\"\nlounge_stale_days = 0",
            ),
            7,
            "lounge_stale_days is 0",
        ),
        (
            with(
                "language = \"en\"",
                "language = \"en\"\nlounge_stale_days = \"a week\"",
            ),
            7,
            "expected u32",
        ),
        (
            with("language = \"en\"", "language = \"en\"\ncomeback_days = 0"),
            7,
            "comeback_days is 0: use 1 to 3650",
        ),
        (
            with(
                "language = \"en\"",
                "language = \"en\"\ncomeback_days = 4000",
            ),
            7,
            "comeback_days is 4000",
        ),
    ];
    for (text, line, words) in cases {
        let e = error_of(&text);
        assert_eq!(e.line, line, "{e}");
        assert!(e.to_string().contains(words), "{e} should say {words}");
        assert!(
            e.to_string().starts_with(&format!("site.toml:{line}: ")),
            "{e}"
        );
    }
}

#[test]
fn a_bay_listed_twice_is_reported_at_the_second() {
    let text = format!("{MINIMAL}\n[[bays]]\nid = \"B01\"\nkind = \"wash\"\n");
    let e = error_of(&text);
    assert!(e.message.contains("bay B01 is listed twice"), "{e}");
    let (second, _) = (text.lines().enumerate())
        .filter(|(_, l)| *l == "id = \"B01\"")
        .last()
        .unwrap();
    assert_eq!(e.line, second + 1, "{e}");
}

#[test]
fn a_misspelt_key_is_refused() {
    let e = error_of(&with("time_zone", "tme_zone"));
    assert!(e.message.contains("tme_zone"), "{e}");
    assert_eq!(e.line, 5, "{e}");
}

#[test]
fn a_missing_file_says_so() {
    let e = SiteConfig::load(Path::new("/nonexistent/site.toml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/site.toml: cannot read"),
        "{e}"
    );
}

#[test]
fn a_token_names_the_person_holding_it() {
    let s = SiteConfig::parse(
        "site.toml",
        &with(
            "role = \"manager\"",
            "role = \"manager\"\nname = \" 王经理 \"",
        ),
    )
    .unwrap();
    assert_eq!(s.tokens[0].name.as_deref(), Some("王经理"));
    let s = SiteConfig::parse("site.toml", MINIMAL).unwrap();
    assert_eq!(s.tokens[0].name, None);
}

#[test]
fn secrets_never_show_in_debug_output() {
    let s = SiteConfig::parse("site.toml", MINIMAL).unwrap();
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains("s3cret") && !dbg.contains("manager-token"),
        "{dbg}"
    );
}

#[test]
fn lounge_stale_days_reaches_the_settings() {
    let s = SiteConfig::parse(
        "site.toml",
        &with(
            "language = \"en\"",
            "language = \"en\"\nlounge_stale_days = 3",
        ),
    )
    .unwrap();
    assert_eq!(s.lounge_stale_days, 3);
    assert_eq!(
        s.settings().lounge_stale,
        jiff::SignedDuration::from_hours(72)
    );
}

#[test]
fn comeback_days_reaches_the_settings_and_defaults_to_30() {
    let s = SiteConfig::parse(
        "site.toml",
        &with("language = \"en\"", "language = \"en\"\ncomeback_days = 14"),
    )
    .unwrap();
    assert_eq!(
        s.settings().comeback_within,
        jiff::SignedDuration::from_hours(24 * 14)
    );
    let s = SiteConfig::parse("site.toml", &with("", "")).unwrap();
    assert_eq!(s.comeback_days, 30);
}

/// MINIMAL with the calendar of contract §7.2 added.
fn calendar_site() -> String {
    let text = with(
        "mon = \"08:00-17:00\"",
        "mon = \"08:30-12:00,13:30-17:30\"\ntue = \"08:30-17:30\"",
    );
    let text = text.replacen(
        "language = \"en\"",
        "language = \"en\"\nat_risk_min = 45\nholidays = [\"2027-02-17\", \"2027-02-18\"]",
        1,
    );
    let text = text.replacen(
        "[[bays]]",
        "[site.special_hours]\n\"2027-02-16\" = \"09:00-12:00\"\n\n[[bays]]",
        1,
    );
    let text = text.replacen(
        "role = \"technician\"",
        "role = \"technician\"\nteam = \"Team 1\"\nhours = { mon = \"13:30-20:00\", tue = \"\" }",
        1,
    );
    format!("{text}\n[[absences]]\nbadge = \"T07\"\nfrom = \"2027-03-01\"\nto = \"2027-03-05\"\n")
}

#[test]
fn the_calendar_of_a_site_reaches_its_settings() {
    use jiff::civil::{date, time, Weekday};
    let s = SiteConfig::parse("site.toml", &calendar_site()).unwrap();
    let settings = s.settings();
    let cal = &settings.schedule;
    assert_eq!(cal.hours.on(Weekday::Monday).spans().len(), 2);
    assert!(cal.hours_of(date(2027, 2, 17)).is_closed());
    assert_eq!(
        cal.hours_of(date(2027, 2, 16)),
        &bayline_domain::DayHours::span(time(9, 0, 0, 0), time(12, 0, 0, 0))
    );
    assert_eq!(settings.at_risk, jiff::SignedDuration::from_mins(45));
    let t07 = &settings.roster[&Id::new("T07").unwrap()];
    assert_eq!(t07.team.as_deref(), Some("Team 1"));
    assert!(t07.absent_on(date(2027, 3, 5)) && !t07.absent_on(date(2027, 3, 6)));
    let hours = t07.hours.as_ref().unwrap();
    assert!(hours.on(Weekday::Tuesday).is_closed() && hours.on(Weekday::Friday).is_closed());
}

#[test]
fn calendar_errors_name_the_line_of_the_bad_value() {
    let good = calendar_site();
    let cases = [
        (
            "\"08:30-12:00,13:30-17:30\"",
            "\"08:30-12:00,11:30-17:30\"",
            "mon = ",
            "overlaps",
        ),
        (
            "\"2027-02-18\"",
            "\"2027-02-30\"",
            "holidays",
            "is not a date",
        ),
        (
            "\"2027-02-17\", \"2027-02-18\"",
            "\"2027-02-17\", \"2027-02-17\"",
            "holidays",
            "listed twice",
        ),
        (
            "\"2027-02-16\" = \"09:00-12:00\"",
            "\"16.02.2027\" = \"09:00-12:00\"",
            "09:00-12:00",
            "is not a date",
        ),
        (
            "\"2027-02-16\" = \"09:00-12:00\"",
            "\"2027-02-16\" = \"9-12\"",
            "9-12",
            "should look like",
        ),
        (
            "\"2027-02-16\" = \"09:00-12:00\"",
            "\"2027-02-17\" = \"09:00-12:00\"",
            "2027-02-17\" =",
            "both a holiday",
        ),
        (
            "mon = \"13:30-20:00\"",
            "mon = \"13:30-08:00\"",
            "hours = {",
            "close before",
        ),
        (
            "mon = \"13:30-20:00\"",
            "monday = \"13:30-20:00\"",
            "hours = {",
            "not a weekday",
        ),
        (
            "badge = \"T07\"\nfrom",
            "badge = \"T99\"\nfrom",
            "badge = \"T99\"",
            "not in [[staff]]",
        ),
        (
            "from = \"2027-03-01\"",
            "from = \"2027-03-10\"",
            "to = \"2027-03-05\"",
            "before it begins",
        ),
        (
            "to = \"2027-03-05\"",
            "to = \"5 March\"",
            "to = \"5 March\"",
            "is not a date",
        ),
        (
            "to = \"2027-03-05\"",
            "to = \"2029-03-05\"",
            "to = \"2029",
            "longer than",
        ),
    ];
    for (from, to, line_with, words) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let line = text
            .lines()
            .position(|l| l.contains(line_with))
            .expect(line_with)
            + 1;
        let e = error_of(&text);
        assert_eq!((e.line, e.file.as_str()), (line, "site.toml"), "{e}");
        assert!(e.message.contains(words), "{e} should say {words}");
    }
}

const HOOK: &str = r#"
[[webhooks]]
url = "https://dms.example.invalid/bayline"
secret = "0123456789abcdef"
events = ["stage", "ready"]
"#;

#[test]
fn webhooks_and_the_public_url_are_read() {
    let text = with(
        "language = \"en\"",
        "language = \"en\"\npublic_url = \"https://shop.example.invalid/\"",
    ) + HOOK;
    let site = SiteConfig::parse("site.toml", &text).unwrap();
    assert_eq!(
        site.public_url.as_deref(),
        Some("https://shop.example.invalid")
    );
    assert_eq!(site.webhooks.len(), 1);
    let h = &site.webhooks[0];
    assert_eq!(h.url, "https://dms.example.invalid/bayline");
    assert_eq!(h.events, [HookEvent::Stage, HookEvent::Ready]);
    assert!(!format!("{h:?}").contains("0123456789abcdef"));
    assert!(SiteConfig::parse("site.toml", MINIMAL)
        .unwrap()
        .webhooks
        .is_empty());
}

#[test]
fn webhook_errors_name_the_line_of_the_bad_value() {
    let cases = [
        (
            "url = \"https://dms",
            "url = \"ftp://dms",
            "not an http:// or https:// URL",
        ),
        (
            "url = \"https://dms.example.invalid/bayline\"",
            "url = \"no url\"",
            "is not a URL",
        ),
        (
            "secret = \"0123456789abcdef\"",
            "secret = \"short\"",
            "shorter than 16",
        ),
        (
            "events = [\"stage\", \"ready\"]",
            "events = [\"stage\", \"paid\"]",
            "not one of: stage, at_risk, approval, ready",
        ),
        (
            "events = [\"stage\", \"ready\"]",
            "events = [\"stage\", \"stage\"]",
            "listed twice",
        ),
        (
            "events = [\"stage\", \"ready\"]",
            "events = []",
            "events is empty",
        ),
    ];
    for (from, to, words) in cases {
        let text = MINIMAL.to_string() + &HOOK.replacen(from, to, 1);
        let line = text
            .lines()
            .position(|l| {
                l.starts_with(to.split(" =").next().unwrap()) && l.contains(&to[to.len() - 4..])
            })
            .unwrap()
            + 1;
        let e = error_of(&text);
        assert_eq!((e.line, e.file.as_str()), (line, "site.toml"), "{e}");
        assert!(e.to_string().contains(words), "{e}");
    }
}
