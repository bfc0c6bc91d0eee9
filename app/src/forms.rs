//! Which page each form lives on, so a post the server could not read is answered with that
//! page and a message, not with somebody else's page.

use crate::candidate::INVITATION_PATH;
use crate::device::CHECK_PATH;
use crate::follow_up::feedback::FEEDBACK_PATH;
use crate::guide::GUIDE_PATH;

/// Where HR signs in.
pub const HR_LOGIN_PATH: &str = "/hr/login";
/// HR's home page.
pub const HR_HOME_PATH: &str = "/hr";

/// The server functions anyone may call; every other `hr_…` function needs an HR session.
const OPEN_HR_FUNCTIONS: [&str; 1] = ["hr_login"];

/// Whether the server function `endpoint` (the name after `/api/`) is HR's and needs a session.
pub fn needs_hr_session(endpoint: &str) -> bool {
    endpoint.starts_with("hr_") && !OPEN_HR_FUNCTIONS.contains(&endpoint)
}

/// The page a form posting to `endpoint` lives on. `field` reads a form value; ids are used
/// only when they are plain numbers, so the result is always a path on this site.
pub fn form_page(endpoint: &str, field: impl Fn(&str) -> Option<String>) -> String {
    let id = |name: &str| field(name).filter(|v| !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()));
    match endpoint {
        "confirm" | "decline" | "invitation" => INVITATION_PATH.into(),
        "guide" | "guide_progress" | "guide_ack" => GUIDE_PATH.into(),
        "feedback" | "feedback_survey" | "feedback_problem" => FEEDBACK_PATH.into(),
        "device_check" | "device_check_page" => CHECK_PATH.into(),
        "hr_login" => HR_LOGIN_PATH.into(),
        "hr_calls" => "/hr/calls".into(),
        "hr_risk_model" | "hr_train_model" | "hr_thresholds" => "/hr/risk".into(),
        "hr_record_call" if field("from").as_deref() == Some("calls") => "/hr/calls".into(),
        "hr_record_call" | "hr_override" | "hr_outcome" | "hr_candidate" => match id("candidate") {
            Some(c) => format!("/hr/candidates/{c}"),
            None => "/hr/calls".into(),
        },
        "hr_save_guide" | "hr_guide" => {
            id("campaign").map_or_else(|| HR_HOME_PATH.into(), |c| format!("/hr/campaigns/{c}/guide"))
        }
        "hr_save_plan" | "hr_resend" | "hr_notices" => {
            id("campaign").map_or_else(|| HR_HOME_PATH.into(), |c| format!("/hr/campaigns/{c}/notices"))
        }
        "hr_feedback" => id("campaign").map_or_else(|| HR_HOME_PATH.into(), |c| format!("/hr/campaigns/{c}/feedback")),
        "hr_status" => id("campaign").map_or_else(|| HR_HOME_PATH.into(), |c| format!("/hr/campaigns/{c}")),
        _ if endpoint.starts_with("hr_") => HR_HOME_PATH.into(),
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_map_to_their_pages() {
        let none = |_: &str| None;
        assert_eq!(form_page("confirm", none), "/invitation");
        assert_eq!(form_page("feedback_problem", none), "/invitation/feedback");
        let call = |k: &str| match k {
            "candidate" => Some("12".to_string()),
            "from" => Some("calls".to_string()),
            _ => None,
        };
        assert_eq!(form_page("hr_record_call", call), "/hr/calls");
        assert_eq!(form_page("hr_override", call), "/hr/candidates/12");
    }

    #[test]
    fn only_plain_ids_reach_the_path() {
        for bad in ["1\n", "1/../../x", "-1", "", "１２"] {
            let f = |k: &str| (k == "campaign").then(|| bad.to_string());
            assert_eq!(form_page("hr_save_guide", f), "/hr", "{bad:?}");
        }
    }

    #[test]
    fn hr_functions_need_a_session_except_sign_in() {
        assert!(needs_hr_session("hr_save_guide"));
        assert!(needs_hr_session("hr_calls"));
        assert!(!needs_hr_session("hr_login"));
        assert!(!needs_hr_session("confirm"));
    }
}
