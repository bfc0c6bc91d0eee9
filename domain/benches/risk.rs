//! Attendance-risk benchmark: a full recompute of 100,000 candidates, single-candidate latency,
//! and one training run on 20,000 outcomes. It measures and reports; it asserts nothing.
//!
//! Run with `cargo bench -p turnout-domain --bench risk`; the figures go to `bench-results/risk.md`
//! at the repository root.

use chrono::{DateTime, Duration, Utc};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration as Elapsed, Instant};
use turnout_domain::risk::{
    features, train, CandidateFacts, DeviceCheckFact, FeatureVector, GuideProgress, RiskAssessment, RiskLevel, RiskModel,
    TrainOptions, TrainedModel,
};
use turnout_domain::{DeclineReason, InvitationState};

const CANDIDATES: usize = 100_000;
const TRAINING_EXAMPLES: usize = 20_000;
const RECOMPUTE_RUNS: usize = 5;
const LATENCY_RUNS: usize = 3;
const TRAINING_RUNS: usize = 3;

/// xorshift64: deterministic synthetic data without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.unit() * f64::from(n)) as u32
    }

    fn hours(&mut self, max: f64) -> Duration {
        Duration::seconds((self.unit() * max * 3600.0) as i64)
    }
}

/// A campaign-like mix: a fifth unopened, some opened, most confirmed, a few rescheduled or
/// declined; some windows already closed; a third of people seen in earlier campaigns.
fn synthetic_facts(n: usize, rng: &mut XorShift, now: DateTime<Utc>) -> Vec<CandidateFacts> {
    (0..n)
        .map(|_| {
            let invited_at = now - rng.hours(80.0);
            let since_invite = (now - invited_at).num_seconds() as f64 / 3600.0;
            let opened_at = invited_at + rng.hours(since_invite);
            let confirmed_at = opened_at + rng.hours((now - opened_at).num_seconds() as f64 / 3600.0);
            let slot_starts_at = confirmed_at + Duration::hours(24) + rng.hours(24.0 * 9.0);
            let r = rng.unit();
            let state = match r {
                r if r < 0.20 => InvitationState::Invited,
                r if r < 0.35 => InvitationState::Opened,
                r if r < 0.85 => InvitationState::Confirmed,
                r if r < 0.92 => InvitationState::Rescheduled,
                _ => InvitationState::Declined,
            };
            let booked = state.has_booking();
            let reminders_sent = rng.below(5);
            let device_check = match rng.below(10) {
                0..=3 => DeviceCheckFact::NotRun,
                4..=7 => DeviceCheckFact::Passed,
                8 => DeviceCheckFact::Warned,
                _ => DeviceCheckFact::Failed { failed_items: 1 + rng.below(3) },
            };
            let guide = [GuideProgress::NotOpened, GuideProgress::Opened, GuideProgress::Finished, GuideProgress::Acknowledged]
                [rng.below(4) as usize];
            let returning = rng.unit() < 0.3;
            CandidateFacts {
                now,
                invited_at,
                first_opened_at: (state != InvitationState::Invited).then_some(opened_at),
                window_ends_at: invited_at + Duration::hours(72),
                state,
                confirmed_at: booked.then_some(confirmed_at),
                slot_starts_at: booked.then_some(slot_starts_at),
                reschedules: if state == InvitationState::Rescheduled { 1 + rng.below(3) } else { 0 },
                reminders_sent,
                reminders_read: rng.below(reminders_sent + 1),
                device_check,
                guide,
                decline_reason: (state == InvitationState::Declined)
                    .then(|| DeclineReason::ALL[rng.below(DeclineReason::ALL.len() as u32) as usize]),
                past_attended: if returning { rng.below(5) } else { 0 },
                past_no_shows: if returning { rng.below(3) } else { 0 },
            }
        })
        .collect()
}

/// Best, median and worst of some durations.
struct Spread {
    best: Elapsed,
    median: Elapsed,
    worst: Elapsed,
}

fn spread(mut runs: Vec<Elapsed>) -> Spread {
    runs.sort();
    Spread { best: runs[0], median: runs[runs.len() / 2], worst: runs[runs.len() - 1] }
}

/// 100000 as "100,000".
fn thousands(n: usize) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits.rchunks(3).rev().map(|g| g.iter().collect()).collect();
    groups.join(",")
}

fn ms(d: Elapsed) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn ns(d: Elapsed) -> String {
    let n = d.as_secs_f64() * 1e9;
    if n >= 10_000.0 {
        format!("{:.1} µs", n / 1e3)
    } else {
        format!("{n:.0} ns")
    }
}

fn recompute(model: &RiskModel, facts: &[CandidateFacts]) -> (Elapsed, Vec<RiskAssessment>) {
    let start = Instant::now();
    let out: Vec<RiskAssessment> = facts.iter().map(|f| model.assess(black_box(f))).collect();
    (start.elapsed(), black_box(out))
}

/// Mean and 99th percentile of one assessment at a time, each timed on its own.
fn latency(model: &RiskModel, facts: &[CandidateFacts]) -> (Elapsed, Elapsed) {
    let mut samples: Vec<Elapsed> = facts
        .iter()
        .map(|f| {
            let start = Instant::now();
            let a = model.assess(black_box(f));
            let took = start.elapsed();
            black_box(a);
            took
        })
        .collect();
    let mean = samples.iter().sum::<Elapsed>() / samples.len() as u32;
    samples.sort();
    (mean, samples[samples.len() * 99 / 100])
}

/// What reading the clock twice costs, included in every latency sample.
fn timer_overhead(n: usize) -> Elapsed {
    let total: Elapsed = (0..n)
        .map(|_| {
            let start = Instant::now();
            black_box(start.elapsed())
        })
        .sum();
    total / n as u32
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string())
}

fn main() -> std::io::Result<()> {
    let now = Utc::now();
    let mut rng = XorShift(0x7475_726e_6f75_7421);
    let facts = synthetic_facts(CANDIDATES, &mut rng, now);
    let model = RiskModel::default_weights();

    // Warm up caches and the allocator.
    let (_, warm) = recompute(&model, &facts);
    let count = |level: RiskLevel| warm.iter().filter(|a| a.level == level).count();
    let levels = [count(RiskLevel::High), count(RiskLevel::Medium), count(RiskLevel::Low)];
    let mean_probability = warm.iter().map(|a| a.probability).sum::<f64>() / warm.len() as f64;

    let recompute_runs: Vec<Elapsed> = (0..RECOMPUTE_RUNS).map(|_| recompute(&model, &facts).0).collect();
    let full = spread(recompute_runs);
    eprintln!("full recompute of {CANDIDATES}: median {}", ms(full.median));

    let latency_runs: Vec<(Elapsed, Elapsed)> = (0..LATENCY_RUNS).map(|_| latency(&model, &facts)).collect();
    let mean = spread(latency_runs.iter().map(|r| r.0).collect());
    let p99 = spread(latency_runs.iter().map(|r| r.1).collect());
    let overhead = timer_overhead(CANDIDATES);
    eprintln!("per candidate: mean {}, p99 {}", ns(mean.median), ns(p99.median));

    // Outcomes drawn from the default model, on the candidates who are still to attend or not.
    let examples: Vec<(FeatureVector, bool)> = facts
        .iter()
        .filter(|f| f.state != InvitationState::Declined)
        .take(TRAINING_EXAMPLES)
        .map(|f| {
            let x = features(f);
            (x, rng.unit() < model.probability(&x))
        })
        .collect();
    let mut trained: Option<TrainedModel> = None;
    let mut training_runs = Vec::with_capacity(TRAINING_RUNS);
    for _ in 0..TRAINING_RUNS {
        let start = Instant::now();
        let result = train(black_box(&examples), TrainOptions::default());
        training_runs.push(start.elapsed());
        trained = result.ok();
    }
    let training = spread(training_runs);
    eprintln!("training on {}: median {}", examples.len(), ms(training.median));

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let candidates = thousands(CANDIDATES);
    let trained_on = thousands(examples.len());
    let mut md = String::new();
    let _ = writeln!(md, "# Attendance-risk model benchmark\n");
    let _ = writeln!(md, "- Date: {}", now.format("%Y-%m-%d %H:%M UTC"));
    let _ = writeln!(
        md,
        "- Machine: {cores} cores ({}), {} {}",
        cpu_model().unwrap_or_else(|| "CPU model unknown".into()),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let _ = writeln!(md, "- Build: `cargo bench -p turnout-domain --bench risk` (release profile), one thread");
    let _ = writeln!(
        md,
        "- Data: {candidates} synthetic candidates (deterministic xorshift mix: 20% unopened, 15% opened, 50% confirmed, \
         7% rescheduled, 8% declined; some windows closed); default model v{}",
        model.version()
    );
    let _ = writeln!(
        md,
        "- Levels under the default model: {} high, {} medium, {} low; mean probability {:.3}\n",
        thousands(levels[0]),
        thousands(levels[1]),
        thousands(levels[2]),
        mean_probability
    );
    let _ = writeln!(md, "| Measure | Target | Runs | Best | Median | Worst |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    let _ = writeln!(
        md,
        "| Full recompute, {candidates} assessments (collected into a Vec) | ≤ 1 s | {RECOMPUTE_RUNS} | {} | {} | {} |",
        ms(full.best),
        ms(full.median),
        ms(full.worst)
    );
    let _ = writeln!(
        md,
        "| Per candidate, mean of {candidates} single assessments | ≤ 1 ms | {LATENCY_RUNS} | {} | {} | {} |",
        ns(mean.best),
        ns(mean.median),
        ns(mean.worst)
    );
    let _ = writeln!(
        md,
        "| Per candidate, p99 of {candidates} single assessments | ≤ 1 ms | {LATENCY_RUNS} | {} | {} | {} |",
        ns(p99.best),
        ns(p99.median),
        ns(p99.worst)
    );
    let _ = writeln!(
        md,
        "| Training, {trained_on} examples (5-fold CV + final fit) | — | {TRAINING_RUNS} | {} | {} | {} |",
        ms(training.best),
        ms(training.median),
        ms(training.worst)
    );
    let _ = writeln!(md, "\nSingle-assessment times include reading the clock twice (about {} here).", ns(overhead));
    match &trained {
        Some(t) => {
            let m = &t.metrics;
            let _ = writeln!(
                md,
                "Training outcomes were drawn from the default model; its refit scored cross-validated AUC {:.3}, \
                 top-quartile capture {:.3} ({} examples, {} no-shows).",
                m.auc_cv,
                m.top_quartile_capture,
                thousands(m.examples),
                thousands(m.no_shows)
            );
        }
        None => {
            let _ = writeln!(md, "Training did not produce a model on these examples.");
        }
    }

    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../bench-results"));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("risk.md");
    std::fs::write(&path, &md)?;
    eprintln!("wrote {}", path.display());
    print!("{md}");
    Ok(())
}
