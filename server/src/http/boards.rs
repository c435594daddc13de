//! Board previews (contract §5 `GET /boards/{site}/{board}.png`): the live model drawn by the
//! display firmware's own renderer, so a manager sees exactly what the panel shows. Public,
//! like the boards themselves: masked plates, badges, no names.
//!
//! `{board}` is `lounge`, `workshop` or `bay/{bay}`; `?profile=` picks another panel of the
//! same board (say `hub75-256x64` for a wider workshop wall); `?page=n` (from 1) another
//! page of a board with more cars or bays than one model holds.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bayline_display::{profile, render_png, Board, BoardKind, Profile};
use bayline_domain::boards::Boards;
use serde::Deserialize;

use super::auth::public_site;
use super::{Error, Result};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/boards/{site}/{*board}", get(preview))
}

#[derive(Deserialize)]
pub(super) struct Options {
    profile: Option<String>,
    page: Option<usize>,
}

/// `{board}.png`: one of the three boards below, by name.
async fn preview(
    State(state): State<AppState>,
    Path((site, board)): Path<(String, String)>,
    Query(options): Query<Options>,
) -> Result<Response> {
    let name = board
        .strip_suffix(".png")
        .ok_or_else(|| Error::NotFound(format!("board previews end in .png, not {board:?}")))?;
    match name.split_once('/') {
        None if name == "lounge" => lounge(&state, &site, &options),
        None if name == "workshop" => workshop(&state, &site, &options),
        Some(("bay", bay)) => tag(&state, &site, bay, &options),
        _ => Err(Error::NotFound(format!(
            "no board {name:?}: boards are lounge, workshop and bay/{{bay}}"
        ))),
    }
}

/// The lounge board as its panel draws it.
#[utoipa::path(get, path = "/boards/{site}/lounge.png", tag = "public",
    params(("site" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board"), ("page" = Option<usize>, Query, description = "another page, from 1")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::error::ErrorBody)))]
pub(super) fn lounge(state: &AppState, site: &str, options: &Options) -> Result<Response> {
    let pages = boards(state, site)?.lounge;
    let model = page_of(pages, "lounge", options)?;
    draw(Board::Lounge(model), options)
}

/// Every bay at a glance, as the workshop wall draws it.
#[utoipa::path(get, path = "/boards/{site}/workshop.png", tag = "public",
    params(("site" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board"), ("page" = Option<usize>, Query, description = "another page, from 1")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::error::ErrorBody)))]
pub(super) fn workshop(state: &AppState, site: &str, options: &Options) -> Result<Response> {
    let pages = boards(state, site)?.workshop;
    let model = page_of(pages, "workshop", options)?;
    draw(Board::Workshop(model), options)
}

/// One bay's tag.
#[utoipa::path(get, path = "/boards/{site}/bay/{bay}.png", tag = "public",
    params(("site" = String, Path), ("bay" = String, Path), ("profile" = Option<String>, Query, description = "another panel of the same board")),
    responses((status = 200, description = "PNG", content_type = "image/png"), (status = 404, body = super::error::ErrorBody)))]
pub(super) fn tag(state: &AppState, site: &str, bay: &str, options: &Options) -> Result<Response> {
    let model = (boards(state, site)?.tags.into_iter())
        .find(|t| t.bay.as_str() == bay)
        .ok_or_else(|| Error::NotFound(format!("site {site} has no bay {bay:?}")))?;
    draw(Board::Tag(model), options)
}

/// The site's boards now (a public site: no token).
fn boards(state: &AppState, site: &str) -> Result<Boards> {
    Ok(public_site(state, site)?.boards(jiff::Timestamp::now()))
}

/// The `?page=` (from 1) of a board's pages.
fn page_of<T>(pages: Vec<T>, name: &str, options: &Options) -> Result<T> {
    let count = pages.len();
    let page = options.page.unwrap_or(1).max(1);
    (pages.into_iter().nth(page - 1))
        .ok_or_else(|| Error::NotFound(format!("board {name:?} has {count} page(s), not {page}")))
}

/// The model as a PNG of its panel.
fn draw(model: Board, options: &Options) -> Result<Response> {
    let profile = panel(model.kind(), options.profile.as_deref())?;
    let png = render_png(&model, profile).map_err(|e| Error::Internal(e.to_string()))?;
    let headers = [
        (header::CONTENT_TYPE, "image/png"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    Ok((headers, png).into_response())
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
