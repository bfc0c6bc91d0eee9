//! Latency samples and their percentiles, computed from the full list of samples.

use std::collections::BTreeMap;
use std::time::Duration;

/// The timings of one kind of request, with what went wrong.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    /// Every successful request's latency, in the order they finished.
    pub latencies: Vec<Duration>,
    /// Failed requests by reason (status or error), counted.
    pub failures: BTreeMap<String, u64>,
    /// Wall-clock time from the first request's start to the last one's end.
    pub wall: Duration,
}

impl Samples {
    /// Records one failure.
    pub fn fail(&mut self, reason: impl Into<String>) {
        *self.failures.entry(reason.into()).or_default() += 1;
    }

    /// Adds another set of samples (from another worker).
    pub fn merge(&mut self, other: Samples) {
        self.latencies.extend(other.latencies);
        for (k, v) in other.failures {
            *self.failures.entry(k).or_default() += v;
        }
    }

    /// Successful requests.
    pub fn ok(&self) -> usize {
        self.latencies.len()
    }

    /// Failed requests.
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// Successful requests per second of wall-clock time.
    pub fn per_second(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.ok() as f64 / secs
        } else {
            0.0
        }
    }

    /// The `q` quantile (0..=1) by nearest rank, or `None` with no samples.
    pub fn percentile(&self, q: f64) -> Option<Duration> {
        percentile(&self.latencies, q)
    }

    /// The slowest request.
    pub fn max(&self) -> Option<Duration> {
        self.latencies.iter().max().copied()
    }

    /// Failures as one line: "3 × 500 Internal Server Error; 1 × timeout".
    pub fn failure_summary(&self) -> String {
        self.failures.iter().map(|(k, v)| format!("{v} × {k}")).collect::<Vec<_>>().join("; ")
    }
}

/// The `q` quantile (0..=1) of `samples` by nearest rank: the smallest sample with at least
/// `q` of all samples at or below it.
pub fn percentile(samples: &[Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}
