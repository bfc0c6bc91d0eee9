//! HR passwords (Argon2id) and sessions.

use super::{app_context, cookie, cookie_header, HR_COOKIE};
use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use turnout_domain::TokenHash;
use turnout_store::HrUser;

/// How long an HR session lasts.
pub const SESSION_HOURS: i64 = 12;

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    getrandom::getrandom(&mut salt_bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Checks a password off the request threads: Argon2 takes tens of milliseconds of CPU by
/// design, so a burst of sign-ins must wait its turn for a few blocking threads rather than
/// stall every other request. The bound keeps that burst from taking every core.
pub async fn verify_password_off_thread(password: &str, phc: &str) -> bool {
    static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2));
    let Ok(_permit) = HASHING.get_or_init(|| tokio::sync::Semaphore::new(permits)).acquire().await else { return false };
    let (password, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false)
}

/// A PHC string to verify against when the e-mail is unknown, so both paths cost the same.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-matches").unwrap_or_default())
}

/// Checks an e-mail and password; opens a session and returns its cookie value.
pub async fn sign_in(email: &str, password: &str) -> Result<(HrUser, String), AppError> {
    let ctx = app_context()?;
    let record = ctx.store.hr_user_by_email(email).await?;
    let Some(record) = record else {
        let _ = verify_password_off_thread(password, decoy_hash()).await;
        return Err(AppError::BadCredentials);
    };
    if !verify_password_off_thread(password, &record.password_hash).await {
        return Err(AppError::BadCredentials);
    }
    let (token, hash) = turnout_store::secret::new_token();
    ctx.store.create_hr_session(record.user.id, &hash, ctx.clock.now(), chrono::Duration::hours(SESSION_HOURS)).await?;
    let header = cookie_header(HR_COOKIE, &token, "Strict", Some(SESSION_HOURS * 3600), ctx.secure_cookies);
    Ok((record.user, header))
}

/// The signed-in HR user of this request.
pub async fn current_hr() -> Result<HrUser, AppError> {
    let ctx = app_context()?;
    let token = cookie(HR_COOKIE).ok_or(AppError::Unauthorized)?;
    ctx.store.hr_session_user(&TokenHash::of(&token), ctx.clock.now()).await?.ok_or(AppError::Unauthorized)
}

/// Ends this request's session; returns the cookie that clears it.
pub async fn sign_out() -> Result<String, AppError> {
    let ctx = app_context()?;
    if let Some(token) = cookie(HR_COOKIE) {
        ctx.store.delete_hr_session(&TokenHash::of(&token)).await?;
    }
    Ok(cookie_header(HR_COOKIE, "", "Strict", Some(0), ctx.secure_cookies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a phc string"));
    }
}
