//! The logistic risk model, its thresholds, and what an assessment tells HR.

use super::defaults;
use super::feature::{features, FeatureId, FeatureVector, FEATURE_COUNT};
use super::CandidateFacts;
use crate::invitation::{DeclineReason, InvitationState};
use thiserror::Error;

/// The version of [`RiskModel::default_weights`].
pub const DEFAULT_MODEL_VERSION: u32 = 1;

/// The largest weight or bias (in log-odds) a model may have; far beyond any real effect, and
/// low enough that a score can never overflow.
pub const MAX_ABS_WEIGHT: f64 = 1000.0;

/// How many reasons an assessment gives at most.
pub const MAX_REASONS: usize = 3;

/// The smallest push (in log-odds) that counts as a reason: about two percentage points at the
/// base rate. Smaller ones (opening the invitation after a few hours, a slot two days after
/// confirming) are not worth HR's attention.
pub const MIN_REASON_CONTRIBUTION: f64 = 0.2;

/// A model, thresholds or weights that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum ModelError {
    /// The thresholds are not 0 < medium < high < 1.
    #[error("risk thresholds must satisfy 0 < medium < high < 1 (got medium {medium}, high {high})")]
    BadThresholds {
        /// The medium threshold given.
        medium: f64,
        /// The high threshold given.
        high: f64,
    },
    /// Not one weight per feature.
    #[error("a risk model needs {need} weights, got {have}")]
    WrongWeightCount {
        /// Weights given.
        have: usize,
        /// Features in the model.
        need: usize,
    },
    /// A weight or the bias is not finite or exceeds [`MAX_ABS_WEIGHT`].
    #[error("risk model weight {index:?} is not a finite number within ±1000")]
    WeightOutOfRange {
        /// The weight's index, or `None` for the bias.
        index: Option<usize>,
    },
}

/// Where the levels start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskThresholds {
    medium: f64,
    high: f64,
}

impl RiskThresholds {
    /// The default thresholds (see [`defaults::MEDIUM_THRESHOLD`] and [`defaults::HIGH_THRESHOLD`]).
    pub const DEFAULT: RiskThresholds = RiskThresholds { medium: defaults::MEDIUM_THRESHOLD, high: defaults::HIGH_THRESHOLD };

    /// Thresholds with 0 < `medium` < `high` < 1.
    pub fn new(medium: f64, high: f64) -> Result<Self, ModelError> {
        // Written so that NaN fails every comparison and is refused.
        if 0.0 < medium && medium < high && high < 1.0 {
            Ok(RiskThresholds { medium, high })
        } else {
            Err(ModelError::BadThresholds { medium, high })
        }
    }

    /// Probability at or above which a candidate is medium risk.
    pub fn medium(&self) -> f64 {
        self.medium
    }

    /// Probability at or above which a candidate is high risk.
    pub fn high(&self) -> f64 {
        self.high
    }

    /// The level of a probability.
    pub fn level(&self, probability: f64) -> RiskLevel {
        if probability >= self.high {
            RiskLevel::High
        } else if probability >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

impl Default for RiskThresholds {
    fn default() -> Self {
        RiskThresholds::DEFAULT
    }
}

/// How worried HR should be, from the probability and the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskLevel {
    /// Below the medium threshold.
    Low,
    /// At or above the medium threshold, below the high one.
    Medium,
    /// At or above the high threshold.
    High,
}

impl RiskLevel {
    /// The name used in storage and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    /// Every level, lowest first.
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];
}

impl std::str::FromStr for RiskLevel {
    type Err = crate::invitation::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| crate::invitation::UnknownValue { what: "risk level", value: s.to_string() })
    }
}

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonId {
    /// A model feature pushed the risk up.
    Feature(FeatureId),
    /// The candidate declined (the outcome is settled, not estimated).
    Declined(Option<DeclineReason>),
    /// The window closed with no slot confirmed (the outcome is settled, not estimated).
    WindowClosed,
}

impl ReasonId {
    /// A stable name: the feature's name, `declined` or `window_closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonId::Feature(id) => id.as_str(),
            ReasonId::Declined(_) => "declined",
            ReasonId::WindowClosed => "window_closed",
        }
    }
}

/// One reason behind an assessment, in both languages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskReason {
    /// What the reason is about.
    pub id: ReasonId,
    /// Log-odds this reason adds (weight × value); 0 for settled outcomes, which no weight decides.
    pub contribution: f64,
    /// The reason in Chinese.
    pub zh: &'static str,
    /// The reason in English.
    pub en: &'static str,
}

impl RiskReason {
    fn feature(id: FeatureId, contribution: f64) -> Self {
        RiskReason { id: ReasonId::Feature(id), contribution, zh: id.reason_zh(), en: id.reason_en() }
    }

    fn declined(reason: Option<DeclineReason>) -> Self {
        let (zh, en) = match reason {
            None => ("已谢绝邀请", "Declined the invitation"),
            Some(DeclineReason::TimeConflict) => ("已谢绝：时间冲突", "Declined: time conflict"),
            Some(DeclineReason::TechnicalProblem) => ("已谢绝：技术问题", "Declined: technical problem"),
            Some(DeclineReason::AcceptedAnotherOffer) => ("已谢绝：已接受其他录用", "Declined: accepted another offer"),
            Some(DeclineReason::NoLongerInterested) => ("已谢绝：不再感兴趣", "Declined: no longer interested"),
            Some(DeclineReason::Other) => ("已谢绝：其他原因", "Declined: other reason"),
        };
        RiskReason { id: ReasonId::Declined(reason), contribution: 0.0, zh, en }
    }

    fn window_closed() -> Self {
        RiskReason {
            id: ReasonId::WindowClosed,
            contribution: 0.0,
            zh: "确认期限已过，未确认面试时间",
            en: "The window closed with no slot confirmed",
        }
    }
}

/// A candidate's risk of not attending, and why. Advisory only: see the [module](super) docs.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskAssessment {
    /// Probability of not attending, in [0, 1].
    pub probability: f64,
    /// The level for the model's thresholds.
    pub level: RiskLevel,
    /// Up to three reasons, strongest first; empty when nothing stands out.
    pub reasons: Vec<RiskReason>,
    /// The version of the model that made it.
    pub model_version: u32,
}

/// A logistic model of not attending: probability = σ(bias + Σ weightᵢ × featureᵢ).
///
/// It is advisory: it orders HR's follow-up and never rejects or deprioritises anyone by itself
/// (PIPL Art. 24); every assessment carries its reasons so HR can explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskModel {
    version: u32,
    weights: [f64; FEATURE_COUNT],
    bias: f64,
    thresholds: RiskThresholds,
}

/// The default weight of a feature; each is documented in [`defaults`](super::defaults).
pub fn default_weight(id: FeatureId) -> f64 {
    match id {
        FeatureId::NeverOpened => defaults::NEVER_OPENED,
        FeatureId::HoursToOpen => defaults::HOURS_TO_OPEN,
        FeatureId::UnconfirmedWindowElapsed => defaults::UNCONFIRMED_WINDOW_ELAPSED,
        FeatureId::RemindersUnread => defaults::REMINDERS_UNREAD,
        FeatureId::DeviceCheckNotRun => defaults::DEVICE_CHECK_NOT_RUN,
        FeatureId::DeviceCheckFailed => defaults::DEVICE_CHECK_FAILED,
        FeatureId::DeviceCheckWarned => defaults::DEVICE_CHECK_WARNED,
        FeatureId::GuideNotOpened => defaults::GUIDE_NOT_OPENED,
        FeatureId::GuideFinishedOrAcknowledged => defaults::GUIDE_FINISHED_OR_ACKNOWLEDGED,
        FeatureId::SlotConfirmed => defaults::SLOT_CONFIRMED,
        FeatureId::Reschedules => defaults::RESCHEDULES,
        FeatureId::LeadTimeDays => defaults::LEAD_TIME_DAYS,
        FeatureId::PastNoShowRate => defaults::PAST_NO_SHOW_RATE,
        FeatureId::HasPastAttendance => defaults::HAS_PAST_ATTENDANCE,
    }
}

/// σ(z), computed without overflow for large |z|.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl RiskModel {
    /// A model from stored or trained parameters: one weight per feature in [`FeatureId::ALL`]
    /// order, every weight and the bias finite and within ±[`MAX_ABS_WEIGHT`].
    pub fn new(version: u32, weights: Vec<f64>, bias: f64, thresholds: RiskThresholds) -> Result<Self, ModelError> {
        let weights: [f64; FEATURE_COUNT] =
            weights.try_into().map_err(|w: Vec<f64>| ModelError::WrongWeightCount { have: w.len(), need: FEATURE_COUNT })?;
        Self::from_array(version, weights, bias, thresholds)
    }

    pub(crate) fn from_array(
        version: u32,
        weights: [f64; FEATURE_COUNT],
        bias: f64,
        thresholds: RiskThresholds,
    ) -> Result<Self, ModelError> {
        let in_range = |w: f64| w.is_finite() && w.abs() <= MAX_ABS_WEIGHT;
        if let Some(index) = weights.iter().position(|w| !in_range(*w)) {
            return Err(ModelError::WeightOutOfRange { index: Some(index) });
        }
        if !in_range(bias) {
            return Err(ModelError::WeightOutOfRange { index: None });
        }
        Ok(RiskModel { version, weights, bias, thresholds })
    }

    /// The documented default model ([`DEFAULT_MODEL_VERSION`]): weights from
    /// [`defaults`](super::defaults), a bias that puts a just-invited candidate at the 12% base
    /// rate, and the default thresholds.
    pub fn default_weights() -> Self {
        RiskModel {
            version: DEFAULT_MODEL_VERSION,
            weights: FeatureId::ALL.map(default_weight),
            bias: defaults::bias(),
            thresholds: RiskThresholds::DEFAULT,
        }
    }

    /// The same model under another version number (trained models start at 0, unnumbered).
    pub fn with_version(mut self, version: u32) -> Self {
        self.version = version;
        self
    }

    /// The same model with other thresholds.
    pub fn with_thresholds(mut self, thresholds: RiskThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// The model's version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// One weight per feature, in [`FeatureId::ALL`] order.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// One feature's weight.
    pub fn weight(&self, id: FeatureId) -> f64 {
        self.weights[id.index()]
    }

    /// The log-odds of not attending when every feature is 0.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// The level thresholds.
    pub fn thresholds(&self) -> RiskThresholds {
        self.thresholds
    }

    /// The log-odds of not attending for these feature values.
    pub fn log_odds(&self, x: &FeatureVector) -> f64 {
        self.bias + self.weights.iter().zip(x.values()).map(|(w, v)| w * v).sum::<f64>()
    }

    /// The probability of not attending for these feature values.
    pub fn probability(&self, x: &FeatureVector) -> f64 {
        sigmoid(self.log_odds(x))
    }

    /// Assesses a candidate. A declined candidate, or one whose window closed unconfirmed, will
    /// not attend: probability 1 with that as the only reason. Anyone else is scored on
    /// [`features`].
    pub fn assess(&self, facts: &CandidateFacts) -> RiskAssessment {
        match facts.state.at(facts.window_ends_at, facts.now) {
            InvitationState::Declined => self.settled(RiskReason::declined(facts.decline_reason)),
            InvitationState::Expired => self.settled(RiskReason::window_closed()),
            _ => self.assess_features(&features(facts)),
        }
    }

    /// Assesses feature values already computed.
    pub fn assess_features(&self, x: &FeatureVector) -> RiskAssessment {
        let mut contributions: [(FeatureId, f64); FEATURE_COUNT] =
            FeatureId::ALL.map(|id| (id, self.weights[id.index()] * x.get(id)));
        // Strongest first; ties keep feature order so the output is stable.
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let reasons = contributions
            .iter()
            .take_while(|(_, c)| *c >= MIN_REASON_CONTRIBUTION)
            .take(MAX_REASONS)
            .map(|&(id, c)| RiskReason::feature(id, c))
            .collect();
        let probability = self.probability(x);
        RiskAssessment { probability, level: self.thresholds.level(probability), reasons, model_version: self.version }
    }

    fn settled(&self, reason: RiskReason) -> RiskAssessment {
        RiskAssessment { probability: 1.0, level: self.thresholds.level(1.0), reasons: vec![reason], model_version: self.version }
    }
}

impl Default for RiskModel {
    fn default() -> Self {
        RiskModel::default_weights()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::feature::Direction;
    use crate::risk::test_support::{arb_facts, at, confirmed, just_invited};
    use crate::risk::{DeviceCheckFact, GuideProgress};
    use chrono::Duration;
    use proptest::prelude::*;

    const BASE_RATE: f64 = defaults::BASE_NO_SHOW_RATE;

    fn p(f: &CandidateFacts) -> f64 {
        RiskModel::default_weights().assess(f).probability
    }

    fn reason_ids(a: &RiskAssessment) -> Vec<&'static str> {
        a.reasons.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn default_weights_follow_the_declared_directions() {
        let m = RiskModel::default_weights();
        for id in FeatureId::ALL {
            let w = m.weight(id);
            match id.direction() {
                Direction::RaisesRisk => assert!(w > 0.0, "{id:?} should raise risk, weight {w}"),
                Direction::LowersRisk => assert!(w < 0.0, "{id:?} should lower risk, weight {w}"),
            }
        }
        assert_eq!(m.version(), DEFAULT_MODEL_VERSION);
        assert_eq!(m.weights().len(), FEATURE_COUNT);
    }

    #[test]
    fn a_just_invited_candidate_is_at_the_base_rate() {
        let a = RiskModel::default_weights().assess(&just_invited());
        assert!((a.probability - BASE_RATE).abs() < 1e-12, "{}", a.probability);
        assert_eq!(a.level, RiskLevel::Low);
    }

    #[test]
    fn the_default_model_tells_sensible_stories() {
        // Confirmed promptly, device passed, guide read: well below the base rate.
        let c = p(&confirmed());
        assert!(c < 0.05, "{c}");
        // Unopened two days into the window with two unread reminders: high.
        let mut cold = just_invited();
        cold.now = at(48);
        cold.reminders_sent = 2;
        let a = RiskModel::default_weights().assess(&cold);
        assert_eq!(a.level, RiskLevel::High, "{}", a.probability);
        assert_eq!(reason_ids(&a), vec!["reminders_unread_share", "unconfirmed_window_elapsed", "never_opened"]);
        // One day in, unopened, no reminders yet: medium.
        let mut day_one = just_invited();
        day_one.now = at(24);
        assert_eq!(RiskModel::default_weights().assess(&day_one).level, RiskLevel::Medium);
        // A confirmed candidate whose camera and microphone both failed: worth a call.
        let mut failed = confirmed();
        failed.device_check = DeviceCheckFact::Failed { failed_items: 2 };
        assert!(p(&failed) > 3.0 * c, "{} vs {}", p(&failed), c);
        // Two missed interviews out of two, just invited: high.
        let mut history = just_invited();
        history.past_no_shows = 2;
        assert_eq!(RiskModel::default_weights().assess(&history).level, RiskLevel::High);
    }

    #[test]
    fn declined_candidates_will_not_attend_and_say_why() {
        let mut f = confirmed();
        f.state = InvitationState::Declined;
        f.decline_reason = Some(DeclineReason::TimeConflict);
        let a = RiskModel::default_weights().assess(&f);
        assert_eq!(a.probability, 1.0);
        assert_eq!(a.level, RiskLevel::High);
        assert_eq!(a.reasons.len(), 1);
        assert_eq!(a.reasons[0].id, ReasonId::Declined(Some(DeclineReason::TimeConflict)));
        assert_eq!((a.reasons[0].zh, a.reasons[0].en), ("已谢绝：时间冲突", "Declined: time conflict"));
        for r in DeclineReason::ALL.map(Some).into_iter().chain([None]) {
            f.decline_reason = r;
            let reason = RiskModel::default_weights().assess(&f).reasons[0];
            assert!(reason.zh.starts_with("已谢绝") && reason.en.starts_with("Declined"), "{r:?}");
        }
    }

    #[test]
    fn a_closed_window_without_a_slot_is_settled() {
        let mut f = just_invited();
        f.first_opened_at = Some(at(1));
        f.state = InvitationState::Opened;
        f.now = f.window_ends_at;
        let a = RiskModel::default_weights().assess(&f);
        assert_eq!(a.probability, 1.0);
        assert_eq!(reason_ids(&a), vec!["window_closed"]);
        // One second earlier it is still a model estimate.
        f.now = f.window_ends_at - Duration::seconds(1);
        assert!(RiskModel::default_weights().assess(&f).probability < 1.0);
    }

    #[test]
    fn thresholds_are_validated() {
        assert!(RiskThresholds::new(0.2, 0.5).is_ok());
        for (m, h) in [(0.0, 0.5), (0.5, 0.5), (0.6, 0.5), (0.2, 1.0), (-0.1, 0.5), (f64::NAN, 0.5), (0.2, f64::NAN)] {
            assert!(matches!(RiskThresholds::new(m, h), Err(ModelError::BadThresholds { .. })), "{m} {h}");
        }
    }

    #[test]
    fn levels_start_at_their_thresholds() {
        let t = RiskThresholds::new(0.2, 0.5).expect("thresholds");
        assert_eq!(t.level(0.0), RiskLevel::Low);
        assert_eq!(t.level(0.199_999), RiskLevel::Low);
        assert_eq!(t.level(0.2), RiskLevel::Medium);
        assert_eq!(t.level(0.499_999), RiskLevel::Medium);
        assert_eq!(t.level(0.5), RiskLevel::High);
        assert_eq!(t.level(1.0), RiskLevel::High);
        // The model uses its own thresholds.
        let mut f = just_invited();
        f.now = at(24);
        let strict = RiskModel::default_weights().with_thresholds(RiskThresholds::new(0.5, 0.9).expect("thresholds"));
        assert_eq!(strict.assess(&f).level, RiskLevel::Low);
        assert_eq!(RiskModel::default_weights().assess(&f).level, RiskLevel::Medium);
    }

    #[test]
    fn models_are_validated() {
        let t = RiskThresholds::DEFAULT;
        assert_eq!(RiskModel::new(2, vec![0.0; 3], 0.0, t), Err(ModelError::WrongWeightCount { have: 3, need: FEATURE_COUNT }));
        let mut w = vec![0.0; FEATURE_COUNT];
        w[4] = f64::INFINITY;
        assert_eq!(RiskModel::new(2, w.clone(), 0.0, t), Err(ModelError::WeightOutOfRange { index: Some(4) }));
        w[4] = 1001.0;
        assert_eq!(RiskModel::new(2, w.clone(), 0.0, t), Err(ModelError::WeightOutOfRange { index: Some(4) }));
        w[4] = 1.0;
        assert_eq!(RiskModel::new(2, w.clone(), f64::NAN, t), Err(ModelError::WeightOutOfRange { index: None }));
        let m = RiskModel::new(2, w, -1.0, t).expect("model");
        assert_eq!((m.version(), m.weight(FeatureId::DeviceCheckNotRun), m.bias()), (2, 1.0, -1.0));
    }

    #[test]
    fn reasons_are_the_strongest_positive_contributions_in_order() {
        let mut f = just_invited();
        f.now = at(60);
        f.reminders_sent = 3;
        f.reminders_read = 1;
        f.device_check = DeviceCheckFact::Failed { failed_items: 3 };
        f.guide = GuideProgress::NotOpened;
        let m = RiskModel::default_weights();
        let a = m.assess(&f);
        // device failed 2.2, window elapsed 1.5 × 60/72 = 1.25, unread 1.2 × 2/3 = 0.8, never opened 0.6, ...
        assert_eq!(reason_ids(&a), vec!["device_check_failed", "unconfirmed_window_elapsed", "reminders_unread_share"]);
        assert!((a.reasons[0].contribution - 2.2).abs() < 1e-12);
        assert!((a.reasons[1].contribution - 1.25).abs() < 1e-12);
        assert!((a.reasons[2].contribution - 0.8).abs() < 1e-12);
        assert_eq!((a.reasons[0].zh, a.reasons[0].en), ("设备检测未通过", "Device check failed"));
    }

    #[test]
    fn small_and_negative_contributions_are_not_reasons() {
        // Confirmed promptly: every positive push is tiny, the negative ones are not reasons.
        let a = RiskModel::default_weights().assess(&confirmed());
        assert!(a.reasons.is_empty(), "{:?}", reason_ids(&a));
        // Opening after 30 hours passes the floor (0.6 × 30/72 = 0.25).
        let mut f = confirmed();
        f.first_opened_at = Some(at(30));
        f.confirmed_at = Some(at(31));
        f.slot_starts_at = Some(at(32));
        f.now = at(31);
        assert_eq!(reason_ids(&RiskModel::default_weights().assess(&f)), vec!["hours_to_open"]);
    }

    #[test]
    fn a_trained_model_can_make_a_lowering_feature_a_reason() {
        // If outcomes ever show that confirming raises risk, the reason says so rather than hiding it.
        let mut w = vec![0.0; FEATURE_COUNT];
        w[FeatureId::SlotConfirmed.index()] = 0.5;
        let m = RiskModel::new(7, w, -2.0, RiskThresholds::DEFAULT).expect("model");
        let a = m.assess(&confirmed());
        assert_eq!(reason_ids(&a), vec!["slot_confirmed"]);
        assert_eq!(a.model_version, 7);
    }

    fn arb_model() -> impl Strategy<Value = RiskModel> {
        (prop::collection::vec(-MAX_ABS_WEIGHT..=MAX_ABS_WEIGHT, FEATURE_COUNT), -MAX_ABS_WEIGHT..=MAX_ABS_WEIGHT)
            .prop_map(|(w, b)| RiskModel::new(3, w, b, RiskThresholds::DEFAULT).expect("in range"))
    }

    proptest! {
        #[test]
        fn probability_is_a_finite_probability_for_any_model(f in arb_facts(), m in arb_model()) {
            let a = m.assess(&f);
            prop_assert!(a.probability.is_finite() && (0.0..=1.0).contains(&a.probability));
            prop_assert_eq!(a.level, m.thresholds().level(a.probability));
            prop_assert!(a.reasons.len() <= MAX_REASONS);
            prop_assert!(a.reasons.windows(2).all(|w| w[0].contribution >= w[1].contribution));
            for r in &a.reasons {
                prop_assert!(!r.zh.is_empty() && !r.en.is_empty());
                if let ReasonId::Feature(_) = r.id {
                    prop_assert!(r.contribution >= MIN_REASON_CONTRIBUTION);
                }
            }
        }

        #[test]
        fn an_unread_reminder_never_lowers_risk(f in arb_facts()) {
            let m = RiskModel::default_weights();
            prop_assume!(m.weight(FeatureId::RemindersUnread) > 0.0);
            let mut more = f;
            more.reminders_sent += 1;
            prop_assert!(m.assess(&more).probability >= m.assess(&f).probability);
        }

        #[test]
        fn a_read_reminder_never_raises_risk(f in arb_facts()) {
            let m = RiskModel::default_weights();
            let mut more = f;
            more.reminders_sent += 1;
            more.reminders_read = f.reminders_read.min(f.reminders_sent) + 1;
            prop_assert!(m.assess(&more).probability <= m.assess(&f).probability);
        }

        #[test]
        fn history_moves_risk_the_right_way(f in arb_facts()) {
            let m = RiskModel::default_weights();
            let base = m.assess(&f).probability;
            let mut missed = f;
            missed.past_no_shows += 1;
            prop_assert!(m.assess(&missed).probability >= base);
            let mut attended = f;
            attended.past_attended += 1;
            prop_assert!(m.assess(&attended).probability <= base);
        }

        #[test]
        fn more_failed_device_items_never_lower_risk(f in arb_facts(), n in 0u32..10) {
            let m = RiskModel::default_weights();
            let mut fewer = f;
            fewer.device_check = DeviceCheckFact::Failed { failed_items: n };
            let mut more = f;
            more.device_check = DeviceCheckFact::Failed { failed_items: n + 1 };
            prop_assert!(m.assess(&more).probability >= m.assess(&fewer).probability);
            let mut passed = f;
            passed.device_check = DeviceCheckFact::Passed;
            prop_assert!(m.assess(&fewer).probability >= m.assess(&passed).probability);
        }

        #[test]
        fn time_running_out_unconfirmed_never_lowers_risk(hours in 0i64..71) {
            let m = RiskModel::default_weights();
            let mut f = just_invited();
            f.now = at(hours);
            let earlier = m.assess(&f).probability;
            f.now = at(hours + 1);
            prop_assert!(m.assess(&f).probability >= earlier);
        }
    }
}
