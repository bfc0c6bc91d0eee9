//! The risk badge HR see, from a stored rating.

use crate::follow_up::dto::RiskBadge;
use crate::i18n::Locale;
use turnout_domain::risk::RiskLevel;
use turnout_store::{percent, StoredAssessment};

/// The badge of a stored rating under HR's override, if any.
pub(crate) fn badge(a: &StoredAssessment, risk_override: Option<RiskLevel>, locale: Locale) -> RiskBadge {
    RiskBadge {
        level: risk_override.unwrap_or(a.level).as_str().to_string(),
        percent: percent(a.probability),
        model_level: risk_override.map(|_| a.level.as_str().to_string()),
        // A low rating needs no explanation; listing its small contributions is noise.
        reasons: if a.level == RiskLevel::Low {
            Vec::new()
        } else {
            a.reasons.iter().map(|r| if locale == Locale::En { &r.en } else { &r.zh }.clone()).collect()
        },
    }
}
