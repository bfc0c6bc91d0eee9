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

/// A phone number in E.164 form (`+8613900131001`), for `tel:` links and anything else that
/// dials, or `None` when the number cannot be one.
///
/// A number written with its country code (`+1 212…`, `(+86)139…`, `0086 139…`) keeps it; a
/// number without one is read as Chinese, as [`normalize_phone`] does: a mobile (`139…`) gets
/// +86, a landline with its trunk 0 (`021-6888 8888`) loses the 0 and gets +86. A local number
/// with no area code cannot be dialled from elsewhere and gives `None`.
pub fn e164_phone(raw: &str) -> Option<String> {
    // "+86 (0)21 …": the bracketed trunk 0 is not dialled after a country code.
    let raw = raw.trim().replace("(0)", "");
    let written_international = raw.trim_start_matches(|c: char| c == '(' || c.is_whitespace()).starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let international = if written_international {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if digits.len() == 13 && digits.starts_with("861") {
        digits
    } else if digits.len() == 11 && digits.starts_with('1') {
        format!("86{digits}")
    } else if let Some(rest) = digits.strip_prefix('0').filter(|r| r.len() >= 9) {
        format!("86{rest}")
    } else {
        return None;
    };
    // E.164: a country code that does not start with 0, at most 15 digits in all; 8 at least
    // leaves room for a country code and a subscriber number.
    let valid = (8..=MAX_PHONE_DIGITS).contains(&international.len()) && !international.starts_with('0');
    valid.then(|| format!("+{international}"))
}

/// A `tel:` link to the number (RFC 3966, global form), or `None` when it has no E.164 form.
pub fn tel_uri(raw: &str) -> Option<String> {
    e164_phone(raw).map(|p| format!("tel:{p}"))
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

    #[test]
    fn tel_links_are_e164() {
        for form in ["(+86)13900131001", "13900131001", "+86 139-0013-1001", "0086 139 0013 1001", "86 139 0013 1001"] {
            assert_eq!(e164_phone(form).as_deref(), Some("+8613900131001"), "{form:?}");
        }
        assert_eq!(tel_uri("(+86)13900131001").as_deref(), Some("tel:+8613900131001"));
        assert_eq!(e164_phone("021-6888 8888").as_deref(), Some("+862168888888"));
        assert_eq!(e164_phone("+86 (0)21 6888 8888").as_deref(), Some("+862168888888"));
        assert_eq!(e164_phone("+1 (212) 555-0100").as_deref(), Some("+12125550100"));
        assert_eq!(e164_phone("001 212 555 0100").as_deref(), Some("+12125550100"));
    }

    #[test]
    fn numbers_that_cannot_be_dialled_have_no_tel_link() {
        for bad in ["", "no number", "6888 8888", "12345", "+0 123 4567 890", "+1234567890123456", "0123"] {
            assert_eq!(e164_phone(bad), None, "{bad:?}");
            assert_eq!(tel_uri(bad), None, "{bad:?}");
        }
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

        #[test]
        fn an_e164_number_is_a_plus_and_digits_and_its_own_form(raw in "[ +()0-9-]{0,24}") {
            if let Some(p) = e164_phone(&raw) {
                prop_assert!(p.starts_with('+') && p.len() >= 9 && p.len() <= 16);
                prop_assert!(p[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(e164_phone(&p), Some(p.clone()), "an E.164 number is its own E.164 form");
            }
        }

        #[test]
        fn every_written_form_of_a_chinese_mobile_dials_the_same(digits in "1[3-9][0-9]{9}", form in 0usize..5) {
            let written = match form {
                0 => digits.clone(),
                1 => format!("(+86){digits}"),
                2 => format!("+86 {} {} {}", &digits[..3], &digits[3..7], &digits[7..]),
                3 => format!("0086-{digits}"),
                _ => format!("86{digits}"),
            };
            prop_assert_eq!(e164_phone(&written), Some(format!("+86{digits}")));
            prop_assert_eq!(normalize_phone(&written), Some(digits));
        }
    }
}
