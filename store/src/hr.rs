//! HR accounts and their sign-in sessions.

use crate::{from_ts, ts, Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::str::FromStr;
use turnout_domain::TokenHash;

/// What an HR account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrRole {
    /// Everything, every branch.
    Admin,
    /// Head-office HR: every branch.
    HeadOffice,
    /// Branch HR: their own branch only.
    Branch,
    /// Can look, cannot change.
    ReadOnly,
}

impl HrRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HrRole::Admin => "admin",
            HrRole::HeadOffice => "head_office",
            HrRole::Branch => "branch",
            HrRole::ReadOnly => "read_only",
        }
    }
}

impl FromStr for HrRole {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        [HrRole::Admin, HrRole::HeadOffice, HrRole::Branch, HrRole::ReadOnly]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("role {s}")))
    }
}

/// A signed-in HR user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HrUser {
    /// Id.
    pub id: i64,
    /// Sign-in e-mail.
    pub email: String,
    /// Name shown in the header.
    pub display_name: String,
    /// Role.
    pub role: HrRole,
    /// For branch HR, their branch.
    pub branch: Option<String>,
}

impl HrUser {
    /// The branch this user is limited to, if any.
    pub fn branch_scope(&self) -> Option<&str> {
        match self.role {
            HrRole::Branch => Some(self.branch.as_deref().unwrap_or("")),
            _ => None,
        }
    }
}

/// An HR account with its password hash, for sign-in.
#[derive(Debug, Clone)]
pub struct HrUserRecord {
    /// The user.
    pub user: HrUser,
    /// Argon2id PHC string.
    pub password_hash: String,
}

fn user_from_row(row: &AnyRow) -> Result<HrUser> {
    let role: String = row.try_get("role")?;
    Ok(HrUser {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: role.parse()?,
        branch: row.try_get("branch")?,
    })
}

impl Store {
    /// Creates an HR account, or resets the password, name, role and branch of an existing one.
    pub async fn upsert_hr_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        role: HrRole,
        branch: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let upsert = sqlx::query(
            "INSERT INTO hr_users (email, display_name, password_hash, role, branch, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (email) DO UPDATE SET display_name = excluded.display_name, password_hash = excluded.password_hash, \
             role = excluded.role, branch = excluded.branch RETURNING id",
        )
        .bind(email.trim().to_lowercase())
        .bind(display_name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(branch)
        .bind(ts(now));
        let row = self.write_returning(upsert).await?;
        Ok(row.try_get("id")?)
    }

    /// The account signing in as `email` (case-insensitive).
    pub async fn hr_user_by_email(&self, email: &str) -> Result<Option<HrUserRecord>> {
        let row = sqlx::query("SELECT id, email, display_name, role, branch, password_hash FROM hr_users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(HrUserRecord { user: user_from_row(&row)?, password_hash: row.try_get("password_hash")? })).transpose()
    }

    /// Opens a session for `user_id`, valid for `ttl`.
    pub async fn create_hr_session(&self, user_id: i64, token: &TokenHash, now: DateTime<Utc>, ttl: Duration) -> Result<()> {
        self.write(
            sqlx::query("INSERT INTO hr_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token.as_str())
                .bind(user_id)
                .bind(ts(now))
                .bind(ts(now + ttl)),
        )
        .await?;
        Ok(())
    }

    /// The user behind a live session.
    pub async fn hr_session_user(&self, token: &TokenHash, now: DateTime<Utc>) -> Result<Option<HrUser>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.role, u.branch, s.expires_at FROM hr_sessions s \
             JOIN hr_users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) if from_ts(row.try_get("expires_at")?)? > now => Ok(Some(user_from_row(&row)?)),
            _ => Ok(None),
        }
    }

    /// Ends a session (signing out).
    pub async fn delete_hr_session(&self, token: &TokenHash) -> Result<()> {
        self.write(sqlx::query("DELETE FROM hr_sessions WHERE token_hash = $1").bind(token.as_str())).await?;
        Ok(())
    }
}
