//! Turnout's domain: the rules of invitations, slots and bookings, with no I/O and no framework.
//!
//! Everything here is pure and compiles for the server and for WebAssembly alike.

pub mod booking;
pub mod calendar;
pub mod call;
pub mod campaign;
pub mod contact;
pub mod device;
pub mod feedback;
pub mod guide;
pub mod invitation;
mod named;
pub mod reminder;
pub mod risk;
pub mod signal;
pub mod site_path;
pub mod text;
pub mod token;
pub mod when;
pub mod window;

pub use booking::{plan_confirmation, BookingRefusal, ConfirmationPlan, CurrentBooking, Slot};
pub use campaign::{Capacity, ReschedulePolicy, TimeZone, WindowDays};
pub use invitation::{DeclineNote, DeclineReason, InvitationState};
pub use reminder::{Channel, NoticeKind, ReminderPlan};
pub use signal::{SignalKind, SignalSource};
pub use site_path::SitePath;
pub use token::TokenHash;
pub use window::InvitationWindow;
