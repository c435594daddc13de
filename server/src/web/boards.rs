//! Board previews: every board of the site as its panel draws it (`GET /boards/…png`).

use std::fmt::Write;

use axum::extract::{Path, State};
use axum::response::Response;

use super::html::{esc, manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/boards"))?;
    let c = &live.config;
    let w = words(c.language);
    let id = esc(c.id.as_str());
    let mut boards = vec![
        ("lounge".to_string(), w.lounge.to_string()),
        ("workshop".to_string(), w.bays.to_string()),
    ];
    for b in &c.bays {
        boards.push((format!("bay/{}", b.id), format!("{} {}", b.id, b.name)));
    }
    let mut body = format!(
        r#"<h1>{}</h1><p><button type="button" onclick="document.querySelectorAll('.previews img').forEach(function(i){{i.src=i.src.split('?')[0]+'?t='+Date.now()}})">↻</button></p><div class="previews">"#,
        w.boards
    );
    for (path, title) in boards {
        let _ = write!(
            body,
            r#"<figure class="card"><figcaption>{title}</figcaption><a href="/boards/{id}/{path}.png"><img src="/boards/{id}/{path}.png" alt="{title}" loading="lazy"></a></figure>"#,
            path = esc(&path),
            title = esc(&title),
        );
    }
    body.push_str("</div>");
    Ok(manager_page(c, Tab::Boards, w.boards, &body))
}
