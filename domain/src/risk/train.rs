//! Refitting the model on recorded outcomes, and measuring how well it ranks candidates.
//!
//! L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
//! squares) with a step-halving line search: exact, deterministic, and a handful of iterations
//! for a model this small. Accuracy is measured out of sample, by stratified 5-fold
//! cross-validation, so HR sees what the model does on candidates it was not fitted on.

use super::feature::{FeatureId, FeatureVector, FEATURE_COUNT};
use super::model::{default_weight, sigmoid, RiskModel, RiskThresholds};
use thiserror::Error;

/// Folds in the cross-validation.
pub const CV_FOLDS: usize = 5;

/// Bins in the calibration table.
pub const CALIBRATION_BINS: usize = 10;

/// Parameters: the bias, then one weight per feature.
const P: usize = FEATURE_COUNT + 1;

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Strength of the L2 penalty on the weights (not the bias), as a prior precision: each
    /// weight's prior standard deviation is 1/√l2. Must be positive.
    pub l2: f64,
    /// Whether the penalty pulls weights towards the documented defaults (true) or towards 0.
    /// Towards the defaults, a feature that does not vary in the outcomes (a signal the campaign
    /// does not record yet) keeps its default weight instead of dropping to 0.
    pub shrink_to_defaults: bool,
    /// Newton iterations at most (each fit usually needs fewer than ten).
    pub max_iterations: u32,
    /// Stop when no parameter moves by more than this in an iteration.
    pub tolerance: f64,
    /// Outcomes needed before training at all.
    pub min_examples: usize,
    /// Outcomes of each kind (attended, no-show) needed; never fewer than [`CV_FOLDS`].
    pub min_per_outcome: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 4.0,
            shrink_to_defaults: true,
            max_iterations: 50,
            tolerance: 1e-8,
            min_examples: 200,
            min_per_outcome: 20,
        }
    }
}

/// Why no model was trained. Callers keep the model they have (usually the defaults).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrainError {
    /// Fewer outcomes than [`TrainOptions::min_examples`].
    #[error("not enough recorded outcomes to train: {have} of {need}")]
    NotEnoughOutcomes {
        /// Outcomes given.
        have: usize,
        /// Outcomes needed.
        need: usize,
    },
    /// Too few no-shows or too few attendances to learn what separates them.
    #[error("not enough of each outcome to train: {no_shows} no-shows and {attended} attended, {need} of each needed")]
    TooFewOfOneOutcome {
        /// No-shows given.
        no_shows: usize,
        /// Attendances given.
        attended: usize,
        /// Needed of each.
        need: usize,
    },
    /// The options make no sense.
    #[error("invalid training options: {0}")]
    InvalidOptions(&'static str),
    /// An example has a feature value that is not a finite number.
    #[error("example {index} has a feature value that is not a finite number")]
    NonFiniteExample {
        /// The example's position.
        index: usize,
    },
    /// The fit broke down numerically (weights beyond any real effect on perfectly separated data).
    #[error("the model fit did not converge to usable weights")]
    NumericalFailure,
}

/// A trained model with its out-of-sample accuracy.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedModel {
    /// Fitted on every example, version 0 (unnumbered: see [`RiskModel::with_version`]) and the
    /// default thresholds (see [`RiskModel::with_thresholds`]).
    pub model: RiskModel,
    /// How models fitted this way did on examples held out of their fit.
    pub metrics: ModelMetrics,
}

/// How well the model ranks and calibrates, measured by cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMetrics {
    /// Area under the ROC curve of the out-of-fold predictions ([`CV_FOLDS`] folds, stratified,
    /// assigned in example order): the chance a random no-show is ranked above a random attendee.
    /// 0.5 is guessing, 1 is perfect.
    pub auc_cv: f64,
    /// Out-of-fold predictions in [`CALIBRATION_BINS`] equal-count bins (deciles of predicted
    /// risk), lowest first; a calibrated model has `predicted_mean` ≈ `observed_rate` in each.
    pub calibration: Vec<CalibrationBin>,
    /// Share of the actual no-shows found in the top 25% of out-of-fold predicted risk: what HR
    /// would catch by following up a quarter of candidates (0.25 is guessing).
    pub top_quartile_capture: f64,
    /// Examples used.
    pub examples: usize,
    /// Of which no-shows.
    pub no_shows: usize,
}

/// One row of the calibration table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationBin {
    /// Mean predicted probability of not attending in the bin.
    pub predicted_mean: f64,
    /// Share of the bin that did not attend.
    pub observed_rate: f64,
    /// Examples in the bin.
    pub count: usize,
}

/// Fits a model on `examples` (feature values, and whether the candidate did not attend) and
/// measures it by cross-validation. Deterministic: the same examples give the same model.
pub fn train(examples: &[(FeatureVector, bool)], options: TrainOptions) -> Result<TrainedModel, TrainError> {
    check_options(&options)?;
    if let Some(index) = examples.iter().position(|(x, _)| x.values().iter().any(|v| !v.is_finite())) {
        return Err(TrainError::NonFiniteExample { index });
    }
    let n = examples.len();
    if n < options.min_examples {
        return Err(TrainError::NotEnoughOutcomes { have: n, need: options.min_examples });
    }
    let no_shows = examples.iter().filter(|(_, y)| *y).count();
    let attended = n - no_shows;
    let need = options.min_per_outcome.max(CV_FOLDS);
    if no_shows < need || attended < need {
        return Err(TrainError::TooFewOfOneOutcome { no_shows, attended, need });
    }

    let rows: Vec<[f64; P]> = examples.iter().map(|(x, _)| augmented(x)).collect();
    let labels: Vec<bool> = examples.iter().map(|(_, y)| *y).collect();
    let prior: [f64; FEATURE_COUNT] =
        if options.shrink_to_defaults { FeatureId::ALL.map(default_weight) } else { [0.0; FEATURE_COUNT] };
    let data = Data { rows: &rows, labels: &labels, prior: &prior, options: &options };

    // Stratified folds: the k-th no-show and the k-th attendee go to fold k mod 5, in example order.
    let mut seen = [0usize; 2];
    let folds: Vec<usize> = labels
        .iter()
        .map(|&y| {
            let class = usize::from(y);
            let fold = seen[class] % CV_FOLDS;
            seen[class] += 1;
            fold
        })
        .collect();
    let mut out_of_fold = vec![0.0; n];
    for k in 0..CV_FOLDS {
        let fit_on: Vec<usize> = (0..n).filter(|&i| folds[i] != k).collect();
        let theta = data.fit(&fit_on)?;
        for i in (0..n).filter(|&i| folds[i] == k) {
            out_of_fold[i] = sigmoid(dot(&theta, &rows[i]));
        }
    }

    let all: Vec<usize> = (0..n).collect();
    let theta = data.fit(&all)?;
    let mut weights = [0.0; FEATURE_COUNT];
    weights.copy_from_slice(&theta[1..]);
    let model = RiskModel::from_array(0, weights, theta[0], RiskThresholds::DEFAULT).map_err(|_| TrainError::NumericalFailure)?;

    let metrics = ModelMetrics {
        // Both outcomes are present, so the AUC is defined.
        auc_cv: auc(&out_of_fold, &labels).unwrap_or(0.5),
        calibration: calibration(&out_of_fold, &labels),
        top_quartile_capture: top_quartile_capture(&out_of_fold, &labels, no_shows),
        examples: n,
        no_shows,
    };
    Ok(TrainedModel { model, metrics })
}

fn check_options(o: &TrainOptions) -> Result<(), TrainError> {
    // Without a positive penalty, perfectly separated outcomes would send weights to infinity.
    if !(o.l2.is_finite() && o.l2 > 0.0) {
        return Err(TrainError::InvalidOptions("l2 must be a positive number"));
    }
    if !(o.tolerance.is_finite() && o.tolerance > 0.0) {
        return Err(TrainError::InvalidOptions("tolerance must be a positive number"));
    }
    if o.max_iterations == 0 {
        return Err(TrainError::InvalidOptions("max_iterations must be at least 1"));
    }
    Ok(())
}

fn augmented(x: &FeatureVector) -> [f64; P] {
    let mut row = [1.0; P];
    row[1..].copy_from_slice(x.values());
    row
}

fn dot(a: &[f64; P], b: &[f64; P]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// log(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

struct Data<'a> {
    rows: &'a [[f64; P]],
    labels: &'a [bool],
    prior: &'a [f64; FEATURE_COUNT],
    options: &'a TrainOptions,
}

impl Data<'_> {
    /// Penalised negative log-likelihood of `theta` on the examples `idx`.
    fn objective(&self, idx: &[usize], theta: &[f64; P]) -> f64 {
        let loss: f64 = idx
            .iter()
            .map(|&i| {
                let z = dot(theta, &self.rows[i]);
                softplus(z) - if self.labels[i] { z } else { 0.0 }
            })
            .sum();
        let penalty: f64 = theta[1..].iter().zip(self.prior).map(|(w, w0)| (w - w0) * (w - w0)).sum();
        loss + 0.5 * self.options.l2 * penalty
    }

    /// Newton's method on the examples `idx`, starting from the prior weights.
    fn fit(&self, idx: &[usize]) -> Result<[f64; P], TrainError> {
        let l2 = self.options.l2;
        let mut theta = [0.0; P];
        theta[1..].copy_from_slice(self.prior);
        // Start the bias where the prior weights reproduce the observed rate on average.
        let count = idx.len().max(1) as f64;
        let rate = (idx.iter().filter(|&&i| self.labels[i]).count() as f64 / count).clamp(1e-6, 1.0 - 1e-6);
        let mean_score = idx.iter().map(|&i| dot(&theta, &self.rows[i])).sum::<f64>() / count;
        theta[0] = (rate / (1.0 - rate)).ln() - mean_score;

        let mut current = self.objective(idx, &theta);
        for _ in 0..self.options.max_iterations {
            let mut grad = [0.0; P];
            let mut hess = [[0.0; P]; P];
            for &i in idx {
                let x = &self.rows[i];
                let p = sigmoid(dot(&theta, x));
                let r = p - if self.labels[i] { 1.0 } else { 0.0 };
                let s = p * (1.0 - p);
                for a in 0..P {
                    grad[a] += r * x[a];
                    let sxa = s * x[a];
                    for b in 0..=a {
                        hess[a][b] += sxa * x[b];
                    }
                }
            }
            for j in 1..P {
                grad[j] += l2 * (theta[j] - self.prior[j - 1]);
                hess[j][j] += l2;
            }
            // The bias is unpenalised; a whisker keeps the matrix definite when every p saturates.
            hess[0][0] += 1e-9;
            let step = solve_spd(hess, grad).ok_or(TrainError::NumericalFailure)?;

            // Halve the step until the objective does not rise (the objective is convex).
            let mut t = 1.0;
            let mut accepted = None;
            for _ in 0..40 {
                let mut candidate = theta;
                for (c, s) in candidate.iter_mut().zip(&step) {
                    *c -= t * s;
                }
                let value = self.objective(idx, &candidate);
                if value <= current {
                    accepted = Some((candidate, value));
                    break;
                }
                t *= 0.5;
            }
            let Some((next, value)) = accepted else { break };
            let moved = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
            theta = next;
            current = value;
            if moved < self.options.tolerance {
                break;
            }
        }
        if theta.iter().all(|v| v.is_finite()) {
            Ok(theta)
        } else {
            Err(TrainError::NumericalFailure)
        }
    }
}

/// Solves `a x = b` for a symmetric positive definite `a` given by its lower triangle (Cholesky).
/// `None` when `a` is not positive definite.
#[allow(clippy::needless_range_loop)] // Matrix code reads best with explicit indices.
fn solve_spd(mut a: [[f64; P]; P], b: [f64; P]) -> Option<[f64; P]> {
    for j in 0..P {
        let mut d = a[j][j];
        for k in 0..j {
            d -= a[j][k] * a[j][k];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j][j] = d;
        for i in j + 1..P {
            let mut s = a[i][j];
            for k in 0..j {
                s -= a[i][k] * a[j][k];
            }
            a[i][j] = s / d;
        }
    }
    let mut x = b;
    for i in 0..P {
        for k in 0..i {
            x[i] -= a[i][k] * x[k];
        }
        x[i] /= a[i][i];
    }
    for i in (0..P).rev() {
        for k in i + 1..P {
            x[i] -= a[k][i] * x[k];
        }
        x[i] /= a[i][i];
    }
    Some(x)
}

/// The area under the ROC curve of `scores` for `labels` (true = positive, here a no-show): the
/// chance that a random positive scores above a random negative, ties counting half
/// (Mann–Whitney, with average ranks). `None` when the lengths differ or a class is missing.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    if scores.len() != labels.len() {
        return None;
    }
    let positives = labels.iter().filter(|y| **y).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]].total_cmp(&scores[order[start]]).is_eq() {
            end += 1;
        }
        // Ranks start+1 ..= end share their average.
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end].iter().filter(|&&i| labels[i]).count();
        rank_sum += average_rank * tied_positives as f64;
        start = end;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// Equal-count bins of predicted risk, lowest first (fewer than 10 only with fewer examples).
fn calibration(scores: &[f64], labels: &[bool]) -> Vec<CalibrationBin> {
    let n = scores.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    (0..CALIBRATION_BINS)
        .filter_map(|b| {
            let bin = &order[b * n / CALIBRATION_BINS..(b + 1) * n / CALIBRATION_BINS];
            if bin.is_empty() {
                return None;
            }
            let count = bin.len();
            let predicted_mean = bin.iter().map(|&i| scores[i]).sum::<f64>() / count as f64;
            let observed_rate = bin.iter().filter(|&&i| labels[i]).count() as f64 / count as f64;
            Some(CalibrationBin { predicted_mean, observed_rate, count })
        })
        .collect()
}

/// Share of the no-shows among the top quarter (rounded up) of scores; ties broken by example order.
fn top_quartile_capture(scores: &[f64], labels: &[bool], no_shows: usize) -> f64 {
    if no_shows == 0 {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let top = scores.len().div_ceil(4);
    let caught = order[..top].iter().filter(|&&i| labels[i]).count();
    caught as f64 / no_shows as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::test_support::XorShift;
    use crate::risk::{features, test_support::arb_facts, RiskModel};
    use proptest::prelude::*;

    #[test]
    fn auc_of_known_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.3, 0.4], &labels), Some(1.0), "perfect");
        assert_eq!(auc(&[0.4, 0.3, 0.2, 0.1], &labels), Some(0.0), "reversed");
        assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &labels), Some(0.5), "all tied");
        // Three of the four positive–negative pairs are in order.
        assert_eq!(auc(&[0.1, 0.4, 0.35, 0.8], &labels), Some(0.75));
        // A tie between a positive and a negative counts half: (1 + 0.5 + 1 + 1) / 4.
        assert_eq!(auc(&[0.5, 0.2, 0.5, 0.9], &[true, false, false, true]), Some(0.875));
    }

    #[test]
    fn auc_is_undefined_without_both_classes() {
        assert_eq!(auc(&[], &[]), None);
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(auc(&[0.1], &[true, false]), None, "lengths differ");
    }

    proptest! {
        #[test]
        fn auc_flips_with_the_scores_and_ignores_monotone_rescaling(
            pairs in prop::collection::vec((-50i32..50, any::<bool>()), 2..60)
        ) {
            let scores: Vec<f64> = pairs.iter().map(|(s, _)| f64::from(*s)).collect();
            let labels: Vec<bool> = pairs.iter().map(|(_, y)| *y).collect();
            prop_assume!(labels.iter().any(|y| *y) && labels.iter().any(|y| !*y));
            let a = auc(&scores, &labels).expect("both classes");
            prop_assert!((0.0..=1.0).contains(&a));
            let negated: Vec<f64> = scores.iter().map(|s| -s).collect();
            prop_assert!((auc(&negated, &labels).expect("both") - (1.0 - a)).abs() < 1e-12);
            let rescaled: Vec<f64> = scores.iter().map(|s| 3.0 * s + 7.0).collect();
            prop_assert!((auc(&rescaled, &labels).expect("both") - a).abs() < 1e-12);
        }
    }

    #[test]
    fn solve_spd_solves_a_known_system() {
        let mut a = [[0.0; P]; P];
        let mut b = [0.0; P];
        for i in 0..P {
            a[i][i] = 2.0 + i as f64;
            if i > 0 {
                a[i][i - 1] = 0.5;
                a[i - 1][i] = 0.5;
            }
            b[i] = 1.0;
        }
        let x = solve_spd(a, b).expect("positive definite");
        for i in 0..P {
            let row: f64 = (0..P).map(|j| a[i][j] * x[j]).sum();
            assert!((row - b[i]).abs() < 1e-12);
        }
        a[0][0] = -1.0;
        assert_eq!(solve_spd(a, b), None, "not positive definite");
    }

    /// The weights the synthetic outcomes are drawn from, chosen unlike the defaults.
    const TRUE_WEIGHTS: [f64; FEATURE_COUNT] = [0.8, -0.6, 1.5, 1.0, 0.4, 2.0, 0.5, -0.5, -0.8, -1.0, 0.9, 0.7, 2.5, -0.6];
    const TRUE_BIAS: f64 = -4.5;

    /// Features drawn independently (continuous ones uniform, the others 0/1 with chance 0.3) and
    /// outcomes drawn from the true model.
    fn synthetic(n: usize, seed: u64) -> (Vec<(FeatureVector, bool)>, Vec<f64>) {
        let mut rng = XorShift::new(seed);
        let truth = RiskModel::new(0, TRUE_WEIGHTS.to_vec(), TRUE_BIAS, RiskThresholds::DEFAULT).expect("model");
        let mut examples = Vec::with_capacity(n);
        let mut true_p = Vec::with_capacity(n);
        for _ in 0..n {
            let values =
                std::array::from_fn(|j| if j % 2 == 0 { rng.next_f64() } else { f64::from(u8::from(rng.next_f64() < 0.3)) });
            let x = FeatureVector::from_values(values);
            let p = truth.probability(&x);
            examples.push((x, rng.next_f64() < p));
            true_p.push(p);
        }
        (examples, true_p)
    }

    #[test]
    fn training_recovers_known_weights() {
        let (examples, true_p) = synthetic(10_000, 0x5eed_1234);
        let labels: Vec<bool> = examples.iter().map(|(_, y)| *y).collect();
        let true_auc = auc(&true_p, &labels).expect("both outcomes");
        let options = TrainOptions { l2: 1.0, shrink_to_defaults: false, ..TrainOptions::default() };
        let trained = train(&examples, options).expect("enough outcomes");
        let m = &trained.metrics;
        println!(
            "synthetic: {} examples, {} no-shows; cross-validated AUC {:.4} (true model {:.4}); top-quartile capture {:.3}",
            m.examples, m.no_shows, m.auc_cv, true_auc, m.top_quartile_capture
        );
        for (id, (w, t)) in FeatureId::ALL.iter().zip(trained.model.weights().iter().zip(TRUE_WEIGHTS)) {
            println!("  {:<32} true {t:+.2}  fitted {w:+.3}", id.as_str());
            assert_eq!(w.signum(), t.signum(), "{id:?}: sign of {w} vs {t}");
            assert!((w - t).abs() < 0.3, "{id:?}: fitted {w}, true {t}");
        }
        assert!((trained.model.bias() - TRUE_BIAS).abs() < 0.3, "bias {}", trained.model.bias());
        // The true model ranks these candidates above 0.75; a refit from 8,000 must come close.
        assert!(true_auc > 0.75, "true AUC {true_auc}");
        assert!(m.auc_cv > 0.75 && m.auc_cv > true_auc - 0.02, "cv AUC {} vs true {}", m.auc_cv, true_auc);
        assert!(m.top_quartile_capture > 0.4 && m.top_quartile_capture <= 1.0);
        // Calibrated: every decile's observed rate near its prediction.
        assert_eq!(m.calibration.len(), CALIBRATION_BINS);
        assert_eq!(m.calibration.iter().map(|b| b.count).sum::<usize>(), m.examples);
        for b in &m.calibration {
            assert!((b.predicted_mean - b.observed_rate).abs() < 0.06, "{b:?}");
        }
        assert!(m.calibration.windows(2).all(|w| w[0].predicted_mean <= w[1].predicted_mean));
        assert_eq!(trained.model.version(), 0);
    }

    #[test]
    fn training_is_deterministic() {
        let (examples, _) = synthetic(600, 7);
        let a = train(&examples, TrainOptions::default()).expect("trains");
        let b = train(&examples, TrainOptions::default()).expect("trains");
        assert_eq!(a, b);
    }

    #[test]
    fn too_few_outcomes_keep_the_defaults() {
        let (examples, _) = synthetic(600, 11);
        assert_eq!(train(&examples[..199], TrainOptions::default()), Err(TrainError::NotEnoughOutcomes { have: 199, need: 200 }));
        // 300 attendees and 19 no-shows.
        let mut skewed: Vec<_> = examples.iter().filter(|(_, y)| !*y).take(300).copied().collect();
        skewed.extend(examples.iter().filter(|(_, y)| *y).take(19).copied());
        assert_eq!(
            train(&skewed, TrainOptions::default()),
            Err(TrainError::TooFewOfOneOutcome { no_shows: 19, attended: 300, need: 20 })
        );
        // Even with no minimum, each fold needs one of each.
        let few = TrainOptions { min_examples: 0, min_per_outcome: 0, ..TrainOptions::default() };
        assert!(matches!(train(&skewed[..10], few), Err(TrainError::TooFewOfOneOutcome { need: CV_FOLDS, .. })));
    }

    #[test]
    fn bad_options_and_examples_are_refused() {
        let (mut examples, _) = synthetic(300, 3);
        for l2 in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let o = TrainOptions { l2, ..TrainOptions::default() };
            assert!(matches!(train(&examples, o), Err(TrainError::InvalidOptions(_))), "l2 {l2}");
        }
        let o = TrainOptions { max_iterations: 0, ..TrainOptions::default() };
        assert!(matches!(train(&examples, o), Err(TrainError::InvalidOptions(_))));
        let mut values = *examples[42].0.values();
        values[3] = f64::NAN;
        examples[42].0 = FeatureVector::from_values(values);
        assert_eq!(train(&examples, TrainOptions::default()), Err(TrainError::NonFiniteExample { index: 42 }));
    }

    #[test]
    fn features_the_outcomes_never_show_keep_their_default_weight() {
        // Real outcomes from facts: nobody has run a device check yet, so it is always "not run".
        let mut rng = XorShift::new(99);
        let defaults = RiskModel::default_weights();
        let examples: Vec<(FeatureVector, bool)> = (0..2_000)
            .map(|_| {
                let mut f = crate::risk::test_support::just_invited();
                f.now = f.invited_at + chrono::Duration::hours((rng.next_f64() * 71.0) as i64);
                f.reminders_sent = (rng.next_f64() * 4.0) as u32;
                f.reminders_read = (rng.next_f64() * 4.0) as u32;
                f.past_no_shows = (rng.next_f64() * 2.0) as u32;
                let x = features(&f);
                (x, rng.next_f64() < defaults.probability(&x))
            })
            .collect();
        let towards_defaults = train(&examples, TrainOptions::default()).expect("trains");
        let towards_zero =
            train(&examples, TrainOptions { shrink_to_defaults: false, ..TrainOptions::default() }).expect("trains");
        for id in [FeatureId::DeviceCheckFailed, FeatureId::GuideFinishedOrAcknowledged, FeatureId::LeadTimeDays] {
            assert!((towards_defaults.model.weight(id) - defaults.weight(id)).abs() < 1e-6, "{id:?}");
            assert!(towards_zero.model.weight(id).abs() < 1e-6, "{id:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn trained_models_always_give_probabilities(seed in 1u64..u64::MAX, f in arb_facts()) {
            let (examples, _) = synthetic(250, seed);
            prop_assume!(examples.iter().filter(|(_, y)| *y).count() >= 20);
            let trained = train(&examples, TrainOptions::default()).expect("trains");
            let p = trained.model.assess(&f).probability;
            prop_assert!(p.is_finite() && (0.0..=1.0).contains(&p));
            prop_assert!((0.0..=1.0).contains(&trained.metrics.auc_cv));
        }
    }
}
