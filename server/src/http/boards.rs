//! Board previews (contract §5 `GET /boards/{site}/{board}.png`): the live model drawn by the
//! display firmware's own renderer, so a manager sees exactly what the panel shows. Public,
//! like the boards themselves: masked plates, badges, no names.
//!
//! `{board}` is `lounge`, `workshop` or `bay/{bay}`; `?profile=` picks another panel of the
//! same board (say `hub75-256x64` for a wider workshop wall); `?page=n` (from 1) another
//! page of a board with more cars or bays than one model holds.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bayline_display::{profile, render_png, Board, BoardKind, Profile};
use serde::Deserialize;

use super::auth::public_site;
use super::{Error, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/boards/{site}/{*board}", get(preview))
}

#[derive(Deserialize)]
struct Options {
    profile: Option<String>,
    page: Option<usize>,
}

async fn preview(
    State(state): State<AppState>,
    Path((site, board)): Path<(String, String)>,
    Query(options): Query<Options>,
) -> Result<impl IntoResponse> {
    let live = public_site(&state, &site)?;
    let name = board
        .strip_suffix(".png")
        .ok_or_else(|| Error::NotFound(format!("board previews end in .png, not {board:?}")))?;
    let boards = live.boards(jiff::Timestamp::now());
    let page = options.page.unwrap_or(1).max(1) - 1;
    let no_page = |pages: usize| {
        Error::NotFound(format!(
            "board {name:?} has {pages} page(s), not {}",
            page + 1
        ))
    };
    let model = match name.split_once('/') {
        None if name == "lounge" => {
            let pages = boards.lounge.len();
            Board::Lounge(boards.lounge.into_iter().nth(page).ok_or(no_page(pages))?)
        }
        None if name == "workshop" => {
            let pages = boards.workshop.len();
            Board::Workshop(
                boards
                    .workshop
                    .into_iter()
                    .nth(page)
                    .ok_or(no_page(pages))?,
            )
        }
        Some(("bay", bay)) => Board::Tag(
            (boards.tags.into_iter())
                .find(|t| t.bay.as_str() == bay)
                .ok_or_else(|| Error::NotFound(format!("site {site} has no bay {bay:?}")))?,
        ),
        _ => {
            return Err(Error::NotFound(format!(
                "no board {name:?}: boards are lounge, workshop and bay/{{bay}}"
            )))
        }
    };
    let profile = panel(model.kind(), options.profile.as_deref())?;
    let png = render_png(&model, profile).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    ))
}

/// The panel asked for, or the board's usual one.
fn panel(kind: BoardKind, asked: Option<&str>) -> Result<&'static Profile> {
    let Some(name) = asked else {
        return Ok(match kind {
            BoardKind::Lounge => &profile::LOUNGE_7IN5,
            BoardKind::Workshop => &profile::HUB75_128X64,
            BoardKind::Tag => &profile::TAG_2IN9,
        });
    };
    let fits: Vec<&str> = (profile::ALL.iter())
        .filter(|p| p.board == kind)
        .map(|p| p.name)
        .collect();
    Profile::by_name(name)
        .filter(|p| p.board == kind)
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "profile {name:?} does not show this board; try {}",
                fits.join(", ")
            ))
        })
}
