//! The page shell and the small helpers every page writes HTML with. Pages are plain strings:
//! a handful of templates does not earn a template engine in the build.

use std::fmt::Write;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use bayline_domain::Time;
use bayline_proto::Language;
use bayline_site::SiteConfig;

use super::words::words;

/// `s` escaped for HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Which manager page is open, for the navigation bar.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Now,
    Figures,
    Timeline,
    Review,
    Boards,
}

/// A manager page: navigation, the site's name, `body`. Elements of `body` with
/// `data-live="URL"` are kept fresh by `live.js` from the site's event stream.
pub fn manager_page(site: &SiteConfig, tab: Tab, title: &str, body: &str) -> Response {
    let w = words(site.language);
    let id = esc(site.id.as_str());
    let mut nav = String::new();
    for (t, name, path) in [
        (Tab::Now, w.now, "now"),
        (Tab::Figures, w.figures, "figures"),
        (Tab::Timeline, w.timeline, "timeline"),
        (Tab::Review, w.review, "review"),
        (Tab::Boards, w.boards, "boards"),
    ] {
        let current = if t == tab {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(nav, r#"<a href="/sites/{id}/{path}"{current}>{name}</a>"#);
    }
    let _ = write!(
        nav,
        r#"<a href="/sites/{id}/lounge" target="_blank">{lounge}</a>"#,
        lounge = w.lounge
    );
    let head = shell_head(site.language, &format!("{title} · {}", site.name), "");
    html(format!(
        r#"{head}<body class="manager" data-events="/api/v1/sites/{id}/events">
<header><strong class="site">{name}</strong><nav>{nav}</nav>
<form method="post" action="/sites/{id}/signout"><button class="link">{out}</button></form></header>
<main>{body}</main>
<script src="/assets/live.js" defer></script>
</body></html>"#,
        name = esc(&site.name),
        out = w.sign_out,
    ))
}

/// `<!doctype>` to `</head>`, with the shared stylesheet.
pub fn shell_head(lang: Language, title: &str, extra: &str) -> String {
    let lang = match lang {
        Language::Zh => "zh-CN",
        Language::En => "en",
    };
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/assets/bayline.css">{extra}</head>"#,
        title = esc(title)
    )
}

/// An HTML answer that no cache keeps: every page shows the present.
pub fn html(body: String) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// A fragment for `live.js` to swap in.
pub fn fragment(body: String) -> Response {
    html(body)
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
    fn markup_in_text_is_escaped() {
        assert_eq!(
            esc(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn undefined_ratios_show_a_dash_not_zero() {
        assert_eq!(pct(None), "–");
        assert_eq!(pct(Some(0.875)), "88%");
        assert_eq!(hours(Some(1.25)), "1.2 h");
        assert_eq!(hm(3 * 3600 + 5 * 60 + 59), "3:05");
    }
}
