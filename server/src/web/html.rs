//! The page shell and the small helpers every page is written with. Pages are `maud`
//! templates: checked at compile time, and every value put into one is escaped unless it is
//! wrapped in `PreEscaped`, which only the shell's doctype is.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bayline_domain::Time;
use bayline_proto::Language;
use bayline_site::{SiteConfig, TokenRole};
use maud::{html, Markup, DOCTYPE};

use super::words::{words, Words};

/// Which manager page is open, for the navigation bar.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Now,
    Figures,
    Timeline,
    Review,
    Boards,
    Loading,
    Dispatch,
    Cars,
    Handhelds,
}

/// A whole document: `<head>` with the shared stylesheet, then `body`.
pub fn document(lang: Language, title: &str, body: Markup) -> Markup {
    let lang = match lang {
        Language::Zh => "zh-CN",
        Language::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/assets/bayline.css";
            }
            (body)
        }
    }
}

/// A manager page: navigation, the site's name, `main`. Elements of `main` with
/// `data-live="URL"` are kept fresh by `live.js` from the site's event stream.
pub fn manager_page(site: &SiteConfig, tab: Tab, title: &str, main: Markup) -> Response {
    staff_page(site, TokenRole::Manager, tab, title, main)
}

/// A page for a signed-in `role`, with the tabs that role may open.
pub fn staff_page(
    site: &SiteConfig,
    role: TokenRole,
    tab: Tab,
    title: &str,
    main: Markup,
) -> Response {
    let w = words(site.language);
    let id = site.id.as_str();
    let tabs: &[(Tab, &str, &str)] = match role {
        TokenRole::Manager => &[
            (Tab::Now, w.now, "now"),
            (Tab::Figures, w.figures, "figures"),
            (Tab::Timeline, w.timeline, "timeline"),
            (Tab::Review, w.review, "review"),
            (Tab::Boards, w.boards, "boards"),
            (Tab::Loading, w.loading, "loading"),
            (Tab::Dispatch, w.dispatch, "dispatch"),
            (Tab::Handhelds, w.handhelds, "handhelds"),
        ],
        _ => &[
            (Tab::Cars, w.cars, "cars"),
            (Tab::Loading, w.loading, "loading"),
        ],
    };
    // Advisors may not read the manager's event stream (contract §5); the lounge's public
    // one says only that something changed, which is all a page needs to refresh.
    let events = match role {
        TokenRole::Manager => format!("/api/v1/sites/{id}/events"),
        _ => format!("/sites/{id}/lounge/events"),
    };
    let body = html! {
        body.manager data-events=(events) {
            header {
                strong.site { (site.name) }
                nav {
                    @for (t, name, path) in tabs {
                        a href={ "/sites/" (id) "/" (path) } aria-current=[(*t == tab).then_some("page")] { (name) }
                    }
                    a href={ "/sites/" (id) "/lounge" } target="_blank" { (w.lounge) }
                }
                form method="post" action={ "/sites/" (id) "/signout" } {
                    button.link { (w.sign_out) }
                }
            }
            main { (main) }
            script src="/assets/live.js" defer {}
        }
    };
    page(document(
        site.language,
        &format!("{title} · {}", site.name),
        body,
    ))
}

/// An HTML answer that no cache keeps: every page shows the present.
pub fn page(markup: Markup) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// A fragment for `live.js` to swap in.
pub fn fragment(markup: Markup) -> Response {
    page(markup)
}

/// A page for what went wrong, in `lang`: what kind of failure as the title, `detail` below.
pub fn error_page(lang: Language, status: StatusCode, detail: &str) -> Response {
    (status, page(error_document(lang, status, detail))).into_response()
}

fn error_document(lang: Language, status: StatusCode, detail: &str) -> Markup {
    let w = words(lang);
    let title = failure(w, status);
    let body = html! {
        body.manager {
            main {
                h1 { (title) }
                p.error role="alert" { (detail) }
                p { a href="/" { "bayline" } }
            }
        }
    };
    document(lang, title, body)
}

fn failure(w: &Words, status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => w.not_found,
        StatusCode::UNAUTHORIZED => w.unauthorized,
        StatusCode::FORBIDDEN => w.forbidden,
        StatusCode::BAD_REQUEST => w.bad_request,
        _ => w.failed,
    }
}

/// Hours with one decimal, `–` for none.
pub fn hours(h: Option<f64>) -> String {
    h.map_or("–".into(), |h| format!("{h:.1} h"))
}

/// A ratio as a percentage, `–` when undefined (zero denominator, contract §6).
pub fn pct(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{:.0}%", r * 100.0))
}

/// Seconds as `h:mm`.
pub fn hm(seconds: i64) -> String {
    let m = seconds.max(0) / 60;
    format!("{}:{:02}", m / 60, m % 60)
}

/// The local wall-clock time `HH:MM` of `t` at the site, with the date when not today.
pub fn clock(site: &SiteConfig, t: Time, now: Time) -> String {
    let z = t.to_zoned(site.time_zone.clone());
    if z.date() == now.to_zoned(site.time_zone.clone()).date() {
        z.strftime("%H:%M").to_string()
    } else {
        z.strftime("%m-%d %H:%M").to_string()
    }
}

/// A local date with its weekday in the site's language: `12-07 周一`, `12-07 Mon`.
pub fn day_label(site: &SiteConfig, date: jiff::civil::Date) -> String {
    let n = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
    let day = match site.language {
        Language::Zh => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][n],
        Language::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][n],
    };
    format!("{} {day}", date.strftime("%m-%d"))
}

/// The staff member's name for a badge, or the badge itself.
pub fn badge_name(site: &SiteConfig, badge: &str) -> String {
    match site.staff.iter().find(|s| s.badge.as_str() == badge) {
        Some(s) if !s.name.is_empty() => format!("{} {}", badge, s.name),
        _ => badge.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_and_attributes_is_escaped() {
        let evil = r#"<script>"x" & 'y'</script>"#;
        let out = html! { p title=(evil) { (evil) } }.into_string();
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;&quot;x&quot; &amp;"), "{out}");
    }

    #[test]
    fn an_error_page_speaks_the_sites_language() {
        let zh = error_document(Language::Zh, StatusCode::NOT_FOUND, "B09").into_string();
        assert!(
            zh.contains(r#"lang="zh-CN""#) && zh.contains("<h1>找不到</h1>"),
            "{zh}"
        );
        let en = error_document(Language::En, StatusCode::FORBIDDEN, "B09").into_string();
        assert!(
            en.contains("<h1>Not allowed</h1>") && en.contains("B09"),
            "{en}"
        );
        let bad = error_page(Language::Zh, StatusCode::BAD_REQUEST, "x");
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn undefined_ratios_show_a_dash_not_zero() {
        assert_eq!(pct(None), "–");
        assert_eq!(pct(Some(0.875)), "88%");
        assert_eq!(hours(Some(1.25)), "1.2 h");
        assert_eq!(hm(3 * 3600 + 5 * 60 + 59), "3:05");
    }
}
