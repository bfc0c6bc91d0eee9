//! The device check on the server: the page's context, and storing a submitted result after
//! judging it again with the domain's rules (the browser's own verdicts are never trusted).

use super::{app_context, invitation_token, request_parts};
use crate::device::{DeviceCheckPage, DeviceCheckSaved, DeviceStrings};
use crate::error::{AppError, InputProblem};
use turnout_domain::device::{classify_user_agent, DeviceReport};

/// The bank, position and help contact of this request's invitation.
pub async fn page() -> Result<DeviceCheckPage, AppError> {
    let ctx = app_context()?;
    let (_, campaign) = ctx.store.invitation_by_token(&invitation_token()?).await?.ok_or(AppError::InvalidLink)?;
    Ok(DeviceCheckPage {
        bank: campaign.bank,
        position: campaign.position,
        help_contact: campaign.help_contact,
        thresholds: DeviceStrings::of(super::request_locale()).thresholds(),
    })
}

/// Validates and judges a submitted report, then stores it with a coarse browser summary read
/// from this request's `User-Agent`. A report that does not validate stores nothing.
pub async fn submit(report: &str) -> Result<DeviceCheckSaved, AppError> {
    let token = invitation_token()?;
    let assessment =
        DeviceReport::parse(report).and_then(|r| r.assess()).map_err(|_| AppError::InvalidInput(InputProblem::DeviceReport))?;
    let ua = request_parts()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_default();
    let ctx = app_context()?;
    ctx.store.record_device_check(&token, &assessment, &classify_user_agent(&ua).to_string(), ctx.clock.now()).await?;
    Ok(DeviceCheckSaved::from(&assessment))
}
