//! Contact details reduced to one form, so the same person is recognised across campaigns.
//!
//! Campaigns are imported from different systems: one writes `+86 138-0013-8000`, another
//! `13800138000`; one `Wang.XM@Bank.cn `, another `wang.xm@bank.cn`. Earlier attendance is
//! matched on these normalised forms only, never on names.

/// An e-mail address trimmed and lower-cased, or `None` when it is not an address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace);
    valid.then_some(email)
}

/// The shortest phone number that may be a real one (a landline without area code).
pub const MIN_PHONE_DIGITS: usize = 7;
/// The longest phone number E.164 allows.
pub const MAX_PHONE_DIGITS: usize = 15;

/// A phone number as digits only, with China's country code (+86 / 0086) removed from mobile
/// numbers, or `None` when too few or too many digits remain.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("0086") {
        rest
    } else if digits.len() == 13 && digits.starts_with("86") {
        &digits[2..]
    } else {
        &digits
    };
    (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&national.len()).then(|| national.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_differing_in_case_and_spaces_match() {
        assert_eq!(normalize_email(" Wang.XM@Bank.CN "), Some("wang.xm@bank.cn".into()));
        assert_eq!(normalize_email("wang.xm@bank.cn"), normalize_email("WANG.XM@BANK.CN"));
    }

    #[test]
    fn non_addresses_are_refused() {
        for bad in ["", "wang", "@bank.cn", "wang@", "wang@bank", "wang@.cn", "wang@bank.", "wa ng@bank.cn", "a@b@c.cn"] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn chinese_mobiles_in_every_common_form_match() {
        let want = Some("13800138000".to_string());
        for form in ["13800138000", "+86 138-0013-8000", "0086 13800138000", "86 138 0013 8000", "(+86)138 0013 8000"] {
            assert_eq!(normalize_phone(form), want, "{form:?}");
        }
    }

    #[test]
    fn other_numbers_keep_their_digits() {
        assert_eq!(normalize_phone("+1 (212) 555-0100"), Some("12125550100".into()));
        assert_eq!(normalize_phone("021-6888 8888"), Some("02168888888".into()));
    }

    #[test]
    fn too_short_or_long_is_not_a_phone() {
        assert_eq!(normalize_phone("12345"), None);
        assert_eq!(normalize_phone("1234567890123456"), None);
        assert_eq!(normalize_phone("no number"), None);
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(raw in "[ +()0-9a-zA-Z@.-]{0,24}") {
            if let Some(p) = normalize_phone(&raw) {
                prop_assert_eq!(normalize_phone(&p), Some(p.clone()));
                prop_assert!(p.chars().all(|c| c.is_ascii_digit()));
            }
            if let Some(e) = normalize_email(&raw) {
                prop_assert_eq!(normalize_email(&e), Some(e.clone()));
            }
        }

        #[test]
        fn separators_never_matter(digits in "1[3-9][0-9]{9}", sep in "[ -]") {
            let spaced = format!("+86{sep}{}{sep}{}{sep}{}", &digits[..3], &digits[3..7], &digits[7..]);
            prop_assert_eq!(normalize_phone(&spaced), Some(digits));
        }
    }
}
