//! The links inside sent notices: `/t/o/{token}`, an open-tracking pixel, and `/t/c/{token}`,
//! a click that records itself and leads to the candidate's page.

use crate::answers::{device_class, enter_invitation, invalid_link_page, unavailable, ServerState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use turnout_app::server::locale_of;
use turnout_domain::token::looks_like_token;
use turnout_domain::{NoticeKind, TokenHash};

/// A transparent 1×1 GIF.
const PIXEL: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9,
    0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00,
    0x3b,
];

/// `/t/o/{token}`: records that a notice was opened; always answers with the pixel, so a
/// mail client learns nothing from it.
pub async fn open_pixel(State(state): State<ServerState>, Path(token): Path<String>) -> Response {
    let token = token.trim_end_matches(".gif");
    if looks_like_token(token) {
        let ctx = &state.app;
        if let Err(e) = ctx.store.record_notice_event(&TokenHash::of(token), false, ctx.clock.now()).await {
            tracing::error!(error = %e, "recording a notice open failed");
        }
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "image/gif"), (header::CACHE_CONTROL, "no-store, private")], PIXEL.to_vec())
        .into_response()
}

/// `/t/c/{token}`: records the click (and the invitation opened), trades the link for the
/// candidate's cookie and sends the browser on without the token in its address: to the
/// device check for the one-hour countdown, to the invitation otherwise.
pub async fn click(State(state): State<ServerState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let ctx = &state.app;
    let now = ctx.clock.now();
    let locale = locale_of(&headers);
    if !looks_like_token(&token) {
        return invalid_link_page(locale);
    }
    let hash = TokenHash::of(&token);
    let tracked = match ctx.store.record_notice_event(&hash, true, now).await {
        Ok(Some(t)) if t.window_ends_at > now || t.notice != NoticeKind::Invitation => t,
        Ok(_) => return invalid_link_page(locale),
        Err(e) => {
            tracing::error!(error = %e, "recording a notice click failed");
            return unavailable();
        }
    };
    let client = serde_json::json!({ "device": device_class(&headers), "via": "notice", "channel": tracked.channel.as_str() });
    let invitation = match ctx.store.record_link_opened(&hash, now, &client).await {
        Ok(inv) => inv,
        Err(e) => {
            tracing::error!(error = %e, "recording link open failed");
            return invalid_link_page(locale);
        }
    };
    if invitation.window.has_ended(now) && invitation.slot_id.is_none() {
        return invalid_link_page(locale);
    }
    let max_age = (invitation.window.ends_at - now).num_seconds().max(3600);
    let target = if tracked.notice == NoticeKind::Countdown { turnout_app::device::CHECK_PATH } else { "/invitation" };
    enter_invitation(&token, max_age, ctx.secure_cookies, target)
}
