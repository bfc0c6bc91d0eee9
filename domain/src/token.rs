//! Link and session tokens are never stored: only their SHA-256 hash is.

use sha2::{Digest, Sha256};

/// The SHA-256 of a secret token, hex-encoded: what the database keeps and looks up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a token as received. A token of implausible shape still hashes (and then matches
    /// nothing), so lookups take the same path whatever the input.
    pub fn of(token: &str) -> Self {
        TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
    }

    /// Wraps a hash read back from storage.
    pub fn from_stored(hex: String) -> Self {
        TokenHash(hex)
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `token` has the shape Turnout issues: 43 URL-safe base64 characters (256 bits).
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(TokenHash::of("abc").as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn token_shape() {
        assert!(looks_like_token(&"a".repeat(43)));
        assert!(!looks_like_token(&"a".repeat(42)));
        assert!(!looks_like_token(&format!("{}/", "a".repeat(42))));
    }
}
