//! Fresh secrets from the operating system's RNG.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use turnout_domain::TokenHash;

/// A new 256-bit token, URL-safe (43 characters), and the hash under which it is stored.
pub fn new_token() -> (String, TokenHash) {
    let mut bytes = [0u8; 32];
    // The OS RNG failing means the machine cannot make secrets at all; nothing sensible can go on.
    #[allow(clippy::expect_used)]
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator failed");
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = TokenHash::of(&token);
    (token, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert!(turnout_domain::token::looks_like_token(&a));
        assert_ne!(a, b);
        assert_eq!(ha, TokenHash::of(&a));
        assert_ne!(ha.as_str(), a);
    }
}
