//! Every HTTP endpoint × every caller → the answer it must get. One row per endpoint, in the
//! form the OpenAPI document (`/api/openapi.json`) or the router names its path; a cell is a
//! status, and for a redirect also where it leads (`303 /sites/demo/signin`).
//!
//! Columns: no token, the advisor's, the integration's (the DMS), the manager's, and a manager
//! token of another site (`foreign`). A write is sent with a valid body, so a 2xx means
//! "allowed" and 401/403 "refused"; [`super::roles`] also checks that a refused write left no
//! trace and an allowed one did.
//!
//! Readings where the contract is silent (§5 says: writes and manager data need a token;
//! the lounge feed and board previews are public):
//! - **integration** is the DMS's machine account: it opens, updates and reads job cards,
//!   as the contract's table says, and nothing else — no bays, figures, review, corrections,
//!   live events or pages. An advisor has the same API rights (the table gives both the same
//!   column); the pages are a manager's (README: sign in with a manager token).
//! - the **correction audit trail** (`GET …/corrections`, not in the contract) is manager
//!   data, like the corrections themselves.
//! - **`/healthz`, `/metrics`** ("ops") answer without a token, as a load balancer and
//!   Prometheus call them; the secrets test checks `/metrics` carries nothing secret. The
//!   OpenAPI document, the index, the stylesheet and script and the sign-in form are public.
//! - **pages** without a token lead to the sign-in page (303), with a token of another role
//!   or site are refused (403); the **lounge page**, its fragment and its stream (which carries
//!   no data) are public like the lounge feed.
//! - **signing in** takes the token in the form, not from the header: a manager or advisor
//!   token of this site is signed in (303 to the page, with the cookie: the manager's Now, the
//!   advisor's cars); an empty one is 401, another role's or site's 403.
//! - **planning** (contract §7.3): the loading page and "my cars" are an advisor's and a
//!   manager's, the dispatch page a manager's (the foreman); assignments through the API are
//!   an advisor's and a manager's, like the loading, not the DMS's. **Signing out** is anyone's: it only clears the caller's cookie.

/// What a request carries besides the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sends {
    Nothing,
    /// A valid job card, under a job id no other request uses.
    JobCard,
    /// A valid correction (JSON): a shift start added at a time no other request uses.
    Correction,
    /// The same correction as the review page's form posts it.
    CorrectionForm,
    /// The sign-in form, with the caller's token in its `token` field (not in a header).
    SignInForm,
    /// A valid assignment of op 10 of the job, at an order no other request uses.
    Assignment,
}

impl Sends {
    /// A write whose effect [`super::roles`] checks.
    pub fn writes(self) -> bool {
        self != Sends::Nothing
    }
}

pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    pub sends: Sends,
    /// none, advisor, integration, manager, foreign (see [`super::system::Role::ALL`]).
    pub expect: [&'static str; 5],
}

/// An expected answer: the status, and where a redirect leads (a prefix of `Location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect<'a> {
    pub status: u16,
    pub location: Option<&'a str>,
}

impl<'a> Expect<'a> {
    pub fn parse(cell: &'a str) -> Expect<'a> {
        let (status, location) = match cell.split_once(' ') {
            Some((s, l)) => (s, Some(l)),
            None => (cell, None),
        };
        Expect {
            status: status
                .parse()
                .unwrap_or_else(|_| panic!("bad cell {cell:?}")),
            location,
        }
    }

    /// The caller was let through: a 2xx, or a redirect anywhere but the sign-in page.
    pub fn allowed(&self) -> bool {
        (200..300).contains(&self.status)
            || (self.status == 303 && !self.location.is_some_and(|l| l.ends_with("/signin")))
    }
}

const fn row(
    method: &'static str,
    path: &'static str,
    sends: Sends,
    expect: [&'static str; 5],
) -> Row {
    Row {
        method,
        path,
        sends,
        expect,
    }
}

use Sends::*;

const SIGN_IN: &str = "303 /sites/demo/signin";
const HOME: &str = "303 /sites/demo/now";

#[rustfmt::skip]
pub const TABLE: &[Row] = &[
    //   method  path                                      sends           none     advisor  integr.  manager  foreign
    // The JSON API (every operation of the OpenAPI document).
    row("PUT",  "/api/v1/sites/{site}/jobs/{job}",        JobCard,        ["401",  "201",   "201",   "201",   "403"]),
    row("GET",  "/api/v1/sites/{site}/jobs/{job}",        Nothing,        ["401",  "200",   "200",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/jobs",              Nothing,        ["401",  "200",   "200",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/jobs/{job}/history", Nothing,       ["401",  "200",   "200",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/bays",              Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/kpis",              Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/calls",             Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    // An empty history: nothing imported, once the role is let in.
    row("POST", "/api/v1/sites/{site}/scans/import",      Nothing,        ["401",  "403",   "200",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/loading",           Nothing,        ["401",  "200",   "403",   "200",   "403"]),
    // Without std_hours: a 400 once the role is let in.
    row("GET",  "/api/v1/sites/{site}/promise",           Nothing,        ["401",  "400",   "403",   "400",   "403"]),
    row("PUT",  "/api/v1/sites/{site}/jobs/{job}/ops/{op}/assignment", Assignment, ["401", "204", "403", "204", "403"]),
    row("DELETE", "/api/v1/sites/{site}/jobs/{job}/ops/{op}/assignment", Nothing, ["401", "204", "403", "204", "403"]),
    row("GET",  "/api/v1/sites/{site}/dispatch",          Nothing,        ["401",  "200",   "403",   "200",   "403"]),
    // The customer in the loop (contract §7.5): an advisor's and a manager's, not the DMS's.
    // Without a body: a 400 once the role is let in.
    row("POST", "/api/v1/sites/{site}/jobs/{job}/approvals", Nothing,     ["401",  "400",   "403",   "400",   "403"]),
    // Like the card's history, which lists the requests too, the DMS may read them.
    row("GET",  "/api/v1/sites/{site}/jobs/{job}/approvals", Nothing,     ["401",  "200",   "200",   "200",   "403"]),
    // Without a body: a 400 once the role is let in.
    row("POST", "/api/v1/sites/{site}/jobs/{job}/approvals/{approval}/answer", Nothing, ["401", "400", "403", "400", "403"]),
    row("POST", "/api/v1/sites/{site}/jobs/{job}/link",   Nothing,        ["401",  "201",   "403",   "201",   "403"]),
    row("DELETE", "/api/v1/sites/{site}/jobs/{job}/link", Nothing,        ["401",  "200",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/anomalies",         Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/rejected",          Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("POST", "/api/v1/sites/{site}/corrections",       Correction,     ["401",  "403",   "403",   "201",   "403"]),
    row("GET",  "/api/v1/sites/{site}/corrections",       Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/events",            Nothing,        ["401",  "403",   "403",   "200",   "403"]),
    row("GET",  "/api/v1/sites/{site}/lounge",            Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/boards/{site}/lounge.png",              Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/boards/{site}/workshop.png",            Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/boards/{site}/bay/{bay}.png",           Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/healthz",                               Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/metrics",                               Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/api/openapi.json",                      Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    // The pages (server/src/web/).
    row("GET",  "/",                                      Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/assets/bayline.css",                    Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/assets/live.js",                        Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/assets/dispatch.js",                    Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/sites/{site}",                          Nothing,        [HOME,   HOME,    HOME,    HOME,    HOME]),
    row("GET",  "/sites/{site}/signin",                   Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("POST", "/sites/{site}/signin",                   SignInForm,     ["401",  "303 /sites/demo/cars", "403", HOME, "403"]),
    row("POST", "/sites/{site}/signout",                  Nothing,        [SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN]),
    row("GET",  "/sites/{site}/now",                      Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/now/live",                 Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/figures",                  Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/timeline",                 Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/review",                   Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("POST", "/sites/{site}/review/corrections",       CorrectionForm, [SIGN_IN, "403",  "403",   "303 /sites/demo/review", "403"]),
    row("GET",  "/sites/{site}/boards",                   Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/cars",                     Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/cars/live",                Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/loading",                  Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/loading/live",             Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/dispatch",                 Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/dispatch/live",            Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    // The provisioning QR codes carry the scanners' secrets: a manager's page like the others.
    row("GET",  "/sites/{site}/handhelds",                Nothing,        [SIGN_IN, "403",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/cars/{job}/link",          Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    // Makes a link and shows its QR code.
    row("POST", "/sites/{site}/cars/{job}/link",          Nothing,        [SIGN_IN, "200",  "403",   "200",   "403"]),
    row("GET",  "/sites/{site}/lounge",                   Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/sites/{site}/lounge/live",              Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/sites/{site}/lounge/events",            Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    // The handheld app (server/src/web/handheld.rs): static files, and the site's badge ids
    // with their roles and its bay ids (no names), which a handheld needs before it has signed
    // in to the broker.
    row("GET",  "/h",                                     Nothing,        ["303 /h/", "303 /h/", "303 /h/", "303 /h/", "303 /h/"]),
    row("GET",  "/h/",                                    Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/app.js",                              Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/mqtt.js",                             Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/outbox.js",                           Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/sw.js",                               Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/app.css",                             Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/manifest.webmanifest",                Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/icon.svg",                            Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    row("GET",  "/h/sites/{site}/roster.json",            Nothing,        ["200",  "200",   "200",   "200",   "200"]),
    // The customer's status link: the token is the key, no caller's token counts; `{token}`
    // is not a link, so every caller gets the one page for a link that does not open.
    row("GET",  "/c/{token}",                             Nothing,        ["404",  "404",   "404",   "404",   "404"]),
    row("GET",  "/c/{token}/live",                        Nothing,        ["404",  "404",   "404",   "404",   "404"]),
    row("GET",  "/c/{token}/events",                      Nothing,        ["404",  "404",   "404",   "404",   "404"]),
    row("POST", "/c/{token}/answer",                      Nothing,        ["404",  "404",   "404",   "404",   "404"]),
    row("GET",  "/assets/customer.css",                   Nothing,        ["200",  "200",   "200",   "200",   "200"]),
];
