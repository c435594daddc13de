//! Board previews: every board of the site as its panel draws it (`GET /boards/…png`).

use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;

use super::html::{manager_page, Tab};
use super::session::{manager, Refusal};
use super::words::words;
use crate::http::Caller;
use crate::AppState;

/// Reloads every preview image, past the browser's cache.
const RELOAD: &str = "document.querySelectorAll('.previews img').forEach(function(i){i.src=i.src.split('?')[0]+'?t='+Date.now()})";

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Response, Refusal> {
    let live = manager(&state, &caller, &site, &format!("/sites/{site}/boards"))?;
    let c = &live.config;
    let w = words(c.language);
    let id = c.id.as_str();
    let mut boards = vec![
        ("lounge".to_string(), w.lounge.to_string()),
        ("workshop".to_string(), w.bays.to_string()),
    ];
    for b in &c.bays {
        boards.push((format!("bay/{}", b.id), format!("{} {}", b.id, b.name)));
    }
    let body = html! {
        h1 { (w.boards) }
        p { button type="button" title=(w.refresh) onclick=(RELOAD) { "↻" } }
        div.previews {
            @for (path, title) in &boards {
                @let src = format!("/boards/{id}/{path}.png");
                figure.card {
                    figcaption { (title) }
                    a href=(src) { img src=(src) alt=(title) loading="lazy"; }
                }
            }
        }
    };
    Ok(manager_page(c, Tab::Boards, w.boards, body))
}
