//! Background work the server runs beside the HTTP routes.

use std::time::{Duration, Instant};
use turnout_app::server::follow_up::refresh;
use turnout_app::server::Clock;
use turnout_store::{RiskScope, Store};

/// How often candidates with signals their stored assessment has not seen are reassessed.
pub const STALE_INTERVAL: Duration = Duration::from_secs(5);
/// How often every open candidate is reassessed (hours left in the window, lead time and other
/// time-driven features change with no new signal).
pub const FULL_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Keeps stored risk assessments current until the task is dropped. Errors are logged and the
/// work retried on the next tick; HR's pages also assess on read, so a failure here delays
/// nothing they see.
pub async fn run_risk_worker(store: Store, clock: Clock) {
    let mut last_full: Option<Instant> = None;
    loop {
        let full = last_full.is_none_or(|t| t.elapsed() >= FULL_INTERVAL);
        let scope = if full { RiskScope::Open } else { RiskScope::Stale };
        match refresh(&store, scope, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(assessed = n, full, "risk assessments refreshed"),
            Err(e) => tracing::warn!(error = %e, "risk refresh failed"),
        }
        if full {
            last_full = Some(Instant::now());
        }
        tokio::time::sleep(STALE_INTERVAL).await;
    }
}
