//! Background work the server runs beside the HTTP routes.

use std::time::Duration;
use turnout_app::server::follow_up::refresh;
use turnout_app::server::Clock;
use turnout_store::{RiskScope, Store};

/// How often stale risk assessments are redone: those that have not seen a candidate's newest
/// signal, and those older than [`turnout_store::MAX_ASSESSMENT_AGE`] (hours left in the window
/// and the lead time change with no new signal).
pub const RISK_INTERVAL: Duration = Duration::from_secs(5);

/// Keeps stored risk assessments current until the task is dropped. Errors are logged and the
/// work retried on the next tick; HR's pages also redo stale assessments when they are read,
/// so a failure here delays nothing HR see.
pub async fn run_risk_worker(store: Store, clock: Clock) {
    loop {
        match refresh(&store, RiskScope::Stale, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(assessed = n, "risk assessments refreshed"),
            Err(e) => tracing::warn!(error = %e, "risk refresh failed"),
        }
        tokio::time::sleep(RISK_INTERVAL).await;
    }
}
