//! The Turnout server: configuration, the HTTP router, and demo data.

pub mod answers;
pub mod config;
pub mod demo;
pub mod probe;
pub mod reminders;
pub mod routes;
pub mod security;
pub mod server_fns;
pub mod workers;

pub use config::Settings;
pub use routes::router;
