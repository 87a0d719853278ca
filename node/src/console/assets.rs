//! The console's stylesheet and script, compiled into the binary: the
//! extranet is cut off from the internet (Art.3), so no page may fetch a
//! font, style or script from anywhere else. System CJK fonts are used.

use axum::http::header;
use axum::response::IntoResponse;

/// The stylesheet (screen, and A4 for printing).
pub const CSS: &str = include_str!("assets/console.css");
/// The one small script: live countdowns and the cutover form's check.
pub const JS: &str = include_str!("assets/console.js");

/// `GET /assets/console.css`.
pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

/// `GET /assets/console.js`.
pub async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS)
}
