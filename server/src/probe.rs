//! The network check's probes: a round trip, a download and an upload of bounded sizes, for
//! candidates holding a valid invitation cookie only, and rate-limited per invitation so they
//! cannot be used to load the server.

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tower_http::limit::RequestBodyLimitLayer;
use turnout_app::device::{PROBE_DOWNLOAD_PATH, PROBE_PING_PATH, PROBE_UPLOAD_PATH};
use turnout_app::server::{cookie_in, AppContext, INVITATION_COOKIE};
use turnout_domain::device::{PROBE_FIRST_BYTES, PROBE_MAX_BYTES};
use turnout_domain::TokenHash;

/// Probe requests one invitation may make per [`RATE_WINDOW`]. A run of the check makes at most
/// 15 ([`PING_COUNT`](turnout_domain::device::PING_COUNT) pings and
/// [`PROBE_MAX_TRANSFERS`](turnout_domain::device::PROBE_MAX_TRANSFERS) transfers each way), so
/// a candidate can run it four times a minute; with each transfer at most [`PROBE_MAX_BYTES`],
/// one invitation moves at most 30 MiB a minute.
pub const PROBES_PER_WINDOW: u32 = 60;
/// The rate limit's window.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Invitations tracked before expired windows are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// Fixed-window request counts per invitation, in memory (each app instance limits on its own,
/// which bounds the load on each).
#[derive(Debug, Clone, Default)]
pub struct ProbeLimiter(Arc<Mutex<HashMap<String, (Instant, u32)>>>);

impl ProbeLimiter {
    /// Counts a request for `key`; refused with the seconds to wait when over the limit.
    pub fn admit(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (start, _)| now.duration_since(*start) < RATE_WINDOW);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= RATE_WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= PROBES_PER_WINDOW {
            let wait = RATE_WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[derive(Clone)]
struct ProbeState {
    app: AppContext,
    limiter: ProbeLimiter,
}

/// The probe routes, with their own body limit (uploads are larger than forms).
pub fn routes<S>(app: AppContext) -> Router<S> {
    Router::new()
        .route(PROBE_PING_PATH, get(ping))
        .route(PROBE_DOWNLOAD_PATH, get(download))
        .route(PROBE_UPLOAD_PATH, post(upload))
        .layer(RequestBodyLimitLayer::new(PROBE_MAX_BYTES))
        .with_state(ProbeState { app, limiter: ProbeLimiter::default() })
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// Admits a request from a candidate with a valid invitation who is within the rate limit.
async fn admit(state: &ProbeState, headers: &HeaderMap) -> Result<(), Response> {
    let Some(token) = cookie_in(headers, INVITATION_COOKIE) else {
        return Err(plain(StatusCode::FORBIDDEN, "invitation required"));
    };
    let hash = TokenHash::of(&token);
    match state.app.store.invitation_by_token(&hash).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(plain(StatusCode::FORBIDDEN, "invitation required")),
        Err(e) => {
            tracing::error!(error = %e, "probe lookup failed");
            return Err(plain(StatusCode::SERVICE_UNAVAILABLE, "database unreachable"));
        }
    }
    state.limiter.admit(hash.as_str(), Instant::now()).map_err(|wait| {
        let mut res = plain(StatusCode::TOO_MANY_REQUESTS, "too many probe requests");
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    })
}

/// `GET /probe/ping`: an empty, uncached answer.
async fn ping(State(state): State<ProbeState>, headers: HeaderMap) -> Response {
    if let Err(res) = admit(&state, &headers).await {
        return res;
    }
    (StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")]).into_response()
}

#[derive(Deserialize)]
struct DownloadSize {
    bytes: Option<usize>,
}

/// Pseudo-random bytes, generated once: incompressible, so no proxy or encoding can shrink
/// the download and flatter the measured speed.
fn noise() -> &'static Bytes {
    static NOISE: OnceLock<Bytes> = OnceLock::new();
    NOISE.get_or_init(|| {
        // xorshift64*: fast, and far beyond what any compressor finds a pattern in.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut out = Vec::with_capacity(PROBE_MAX_BYTES);
        while out.len() < PROBE_MAX_BYTES {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        out.truncate(PROBE_MAX_BYTES);
        Bytes::from(out)
    })
}

/// `GET /probe/download?bytes=n`: `n` random bytes (default [`PROBE_FIRST_BYTES`], at most
/// [`PROBE_MAX_BYTES`]).
async fn download(
    State(state): State<ProbeState>,
    headers: HeaderMap,
    size: Result<Query<DownloadSize>, QueryRejection>,
) -> Response {
    let Ok(Query(DownloadSize { bytes })) = size else {
        return plain(StatusCode::BAD_REQUEST, "bytes must be a number");
    };
    let bytes = bytes.unwrap_or(PROBE_FIRST_BYTES);
    if bytes == 0 || bytes > PROBE_MAX_BYTES {
        return plain(StatusCode::BAD_REQUEST, "bytes must be between 1 and the probe's limit");
    }
    if let Err(res) = admit(&state, &headers).await {
        return res;
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, "no-store")],
        noise().slice(0..bytes),
    )
        .into_response()
}

/// `POST /probe/upload`: reads and discards a body of at most [`PROBE_MAX_BYTES`] (413 beyond).
async fn upload(State(state): State<ProbeState>, headers: HeaderMap, mut body: Body) -> Response {
    if let Err(res) = admit(&state, &headers).await {
        return res;
    }
    let mut received = 0usize;
    while let Some(chunk) = next_chunk_len(&mut body).await {
        match chunk {
            Ok(n) => received += n,
            // The body limit ends an oversized stream with an error.
            Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "upload too large"),
        }
        if received > PROBE_MAX_BYTES {
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "upload too large");
        }
    }
    (StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")]).into_response()
}

/// The length of the body's next frame, read without buffering the rest.
async fn next_chunk_len(body: &mut Body) -> Option<Result<usize, axum::Error>> {
    use axum::body::HttpBody;
    std::future::poll_fn(|cx| {
        std::pin::Pin::new(&mut *body).poll_frame(cx).map(|f| f.map(|r| r.map(|frame| frame.data_ref().map_or(0, Bytes::len))))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_invitation_and_resets_after_the_window() {
        let limiter = ProbeLimiter::default();
        let t0 = Instant::now();
        for _ in 0..PROBES_PER_WINDOW {
            assert_eq!(limiter.admit("a", t0), Ok(()));
        }
        assert_eq!(limiter.admit("a", t0 + Duration::from_secs(15)), Err(45));
        assert_eq!(limiter.admit("b", t0), Ok(()), "another invitation has its own budget");
        assert_eq!(limiter.admit("a", t0 + RATE_WINDOW), Ok(()));
    }

    #[test]
    fn the_limit_allows_several_runs_of_the_check_a_minute() {
        use turnout_domain::device::{PING_COUNT, PROBE_MAX_TRANSFERS};
        let per_run = u32::try_from(PING_COUNT + 2 * PROBE_MAX_TRANSFERS).unwrap_or(u32::MAX);
        assert!(PROBES_PER_WINDOW >= 4 * per_run, "{PROBES_PER_WINDOW} requests a minute, {per_run} a run");
    }

    #[test]
    fn the_noise_does_not_compress() {
        let n = noise();
        assert_eq!(n.len(), PROBE_MAX_BYTES);
        let distinct = n.iter().take(4096).collect::<std::collections::HashSet<_>>().len();
        assert!(distinct > 250, "bytes spread over the whole range: {distinct}");
    }
}
