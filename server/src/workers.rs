//! Background work the server runs beside the HTTP routes.

use std::time::Duration;
use turnout_app::server::follow_up::refresh;
use turnout_app::server::Clock;
use turnout_store::{RiskScope, Store};

/// How often the risk worker looks for ratings that are due: a new signal, or a moment a
/// candidate's time-driven facts change (`turnout_domain::call::next_review`). An idle check is
/// one read of an index.
pub const RISK_INTERVAL: Duration = Duration::from_secs(2);

/// Keeps stored ratings and the call list current until the task is dropped, rating only the
/// candidates that are due, a batch per transaction. Errors are logged and the work retried on
/// the next tick; HR's pages read what is stored and never rate a season themselves.
pub async fn run_risk_worker(store: Store, clock: Clock) {
    loop {
        match refresh(&store, RiskScope::Due, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rated = n, "due risk ratings redone"),
            Err(e) => tracing::warn!(error = %e, "risk refresh failed"),
        }
        tokio::time::sleep(RISK_INTERVAL).await;
    }
}
