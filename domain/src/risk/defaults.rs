//! The default weights: what the model believes before it has seen any outcomes.
//!
//! Each weight is the change in log-odds of not attending between the feature's lowest and
//! highest value (every feature lies in [0, 1]); e^weight is the odds ratio. They are judgement
//! calls anchored on two kinds of source:
//!
//! - **A1** 利唐i人事 HR 社区, 《未参加银行AI面试…HR管理软件如何将未参加面试率从12%降至5%》,
//!   <https://www.ihr360.com/hrnews/202508417566.html>, and **A2** 《银行AI面试新思路：如何通过
//!   人力资源系统实现高效精准招聘？》, <https://www.ihr360.com/hrnews/202511579788.html>. These are
//!   a vendor's articles reporting single-bank figures without method; they give orders of
//!   magnitude, not estimates.
//! - **L** The appointment no-show literature (e.g. Dantas et al., "No-shows in appointment
//!   scheduling – a systematic literature review", Health Policy 122(4), 2018): earlier no-shows
//!   are the strongest and most consistent predictor, a longer lead time raises no-shows, and
//!   reminders and confirmation lower them.
//!
//! Recorded outcomes replace these through [`train`](super::train), which by default shrinks
//! towards them, so features a campaign does not yet record keep their default weight.

/// The no-show rate of a typical just-invited candidate: the 12% a large bank reported for its
/// online (AI) interviews before it added multi-channel reminders and a device check (A1).
pub const BASE_NO_SHOW_RATE: f64 = 0.12;

/// Invitation not opened: +0.6 (odds ×1.8). Notices that were never seen are the most common
/// cause of missed interviews, 30% of cases in a 2023 bank-recruiting survey (A1). Kept moderate
/// because every candidate starts unopened; how long it stays so is carried by
/// [`HOURS_TO_OPEN`] and [`UNCONFIRMED_WINDOW_ELAPSED`].
pub const NEVER_OPENED: f64 = 0.6;

/// Opening late, up to 72 hours: +0.6 at the cap. Replying to notices promptly is one of the
/// behaviours A1's risk rating reads; a slow open also hints at a notice lost to spam filters
/// or an unwatched channel (SMS blocked, mail in spam, WeChat unread; A1).
pub const HOURS_TO_OPEN: f64 = 0.6;

/// The window running out unconfirmed: +1.5 when it has closed (odds ×4.5). HR learnt too late,
/// the day before, that candidates had never confirmed (A1); of 12 candidates left "notified, not
/// confirmed", 2 (17%) still missed the interview after reminders and calls (A1). Strong, because
/// without a slot the candidate cannot attend.
pub const UNCONFIRMED_WINDOW_ELAPSED: f64 = 1.5;

/// Share of reminders unread: +1.2 when none were read (odds ×3.3). A bank that added a tracked
/// channel (WeCom) to SMS went from 15% to 8% no-shows (A1), and attendance from 75% to 88% (A2);
/// A1's systems flag candidates with unread notices as high risk. Reminders lower no-shows (L).
pub const REMINDERS_UNREAD: f64 = 1.2;

/// No device check run: +0.3. Login and device trouble caused 25% of one bank's no-shows, and a
/// check the day before cut that share to 8% (A1). Small, because not having run it yet is normal
/// while the slot is days away; failures weigh far more.
pub const DEVICE_CHECK_NOT_RUN: f64 = 0.3;

/// Device check failed: +2.2 at three or more failed items, +1.3 for one. With a 12% base rate, the
/// 25% share of device-caused no-shows (A1) is 3 points of all candidates; concentrated in the
/// minority whose check fails, that puts their no-show risk several times the base rate.
pub const DEVICE_CHECK_FAILED: f64 = 2.2;

/// Device check passed with warnings (a weak network, say): +0.5. Network trouble is among the
/// technical causes A1 lists; a warning is a lesser form of the failure above.
pub const DEVICE_CHECK_WARNED: f64 = 0.5;

/// Interview guide never opened: +0.2. Whether the candidate downloaded the guide is one of the
/// behaviours A1's risk rating reads; unfamiliarity with the online system is a cause it lists.
/// Small: many candidates attend without reading it.
pub const GUIDE_NOT_OPENED: f64 = 0.2;

/// Guide finished or acknowledged: −0.4. Sending the guide is A1's remedy for high-risk
/// candidates; reading it to the end shows the candidate is preparing.
pub const GUIDE_FINISHED_OR_ACKNOWLEDGED: f64 = -0.4;

/// A slot confirmed: −0.7 (odds ×0.5). Confirmation lowers no-shows (L). With it, a candidate who
/// confirmed promptly, before any device check or guide, sits near 4%, close to the 5% A1's
/// bank reached after its changes; one who also passed the check and read the guide, near 2%.
pub const SLOT_CONFIRMED: f64 = -0.7;

/// Reschedules, up to 3: +0.9 at the cap (+0.3 each). Time conflicts are a recurring cause that
/// A1's bank answered with flexible slots; each change shows a schedule that keeps moving.
pub const RESCHEDULES: f64 = 0.9;

/// Days from confirmation to slot, up to 14: +0.8 at the cap. A longer lead time raises no-shows
/// (L); A1's banks remind 3 days, 1 day and 1 hour before for the same reason.
pub const LEAD_TIME_DAYS: f64 = 0.8;

/// Earlier no-show rate above the base rate: +3.0 at the top (one missed interview out of one
/// gives +1.0, odds ×2.7). Earlier no-shows are the strongest predictor (L); A1's systems mark
/// such candidates high risk and suggest an extra phone call.
pub const PAST_NO_SHOW_RATE: f64 = 3.0;

/// Attended an earlier interview: −0.4. The mirror of the above (L): a record of turning up.
pub const HAS_PAST_ATTENDANCE: f64 = -0.4;

/// The log-odds that puts a just-invited candidate (unopened, no device check, guide unopened,
/// nothing else known) exactly at [`BASE_NO_SHOW_RATE`].
pub fn bias() -> f64 {
    let logit = (BASE_NO_SHOW_RATE / (1.0 - BASE_NO_SHOW_RATE)).ln();
    logit - (NEVER_OPENED + DEVICE_CHECK_NOT_RUN + GUIDE_NOT_OPENED)
}

/// Probability at or above which a candidate is medium risk: above the 12% base rate, so a
/// reminder or a look from HR is worth it.
pub const MEDIUM_THRESHOLD: f64 = 0.15;

/// Probability at or above which a candidate is high risk: about three times the base rate, where
/// A1's banks phone the candidate (their high-risk group attended at 40% before follow-up).
pub const HIGH_THRESHOLD: f64 = 0.35;
