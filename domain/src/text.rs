//! Text people type: what may be stored as it was sent, and what must be refused.
//!
//! Control characters are refused rather than dropped: a NUL cannot be stored by PostgreSQL,
//! and quietly removing characters would store something other than what was sent. Newlines
//! and tabs are kept where a field has several lines.

use thiserror::Error;

/// Whether a field holds one line or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name, a search, an id: no line breaks or tabs.
    One,
    /// A note, a description, a guide: line breaks and tabs allowed.
    Many,
}

/// Text that cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TextProblem {
    /// The bytes are not UTF-8 (for example GBK from an old keyboard or a copy-paste).
    #[error("the text is not valid UTF-8")]
    NotUtf8,
    /// A control character (NUL, escape, …), or a line break in a one-line field.
    #[error("the text contains a control character")]
    ControlCharacter,
}

/// Checks text as typed; `Ok` means it can be stored exactly as it is.
pub fn check(text: &str, lines: Lines) -> Result<(), TextProblem> {
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextProblem::ControlCharacter);
    }
    Ok(())
}

/// Decodes bytes as UTF-8 and checks them, never replacing what cannot be decoded.
pub fn decode(bytes: &[u8], lines: Lines) -> Result<&str, TextProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| TextProblem::NotUtf8)?;
    check(text, lines)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(check("a\0b", Lines::Many), Err(TextProblem::ControlCharacter));
        assert_eq!(check("\u{1b}[31m", Lines::Many), Err(TextProblem::ControlCharacter));
        assert_eq!(check("\u{85}", Lines::Many), Err(TextProblem::ControlCharacter), "C1 controls too");
        assert_eq!(check("one\ntwo", Lines::One), Err(TextProblem::ControlCharacter));
        assert_eq!(check("tab\there", Lines::One), Err(TextProblem::ControlCharacter));
    }

    #[test]
    fn ordinary_text_and_line_breaks_pass() {
        assert_eq!(check("面试时间冲突，想改到周五。", Lines::One), Ok(()));
        assert_eq!(check("第一行\r\n第二行\t缩进", Lines::Many), Ok(()));
        assert_eq!(check("emoji 👍 and ZWJ 👨‍👩‍👧", Lines::One), Ok(()));
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        // "面试" in GBK, an overlong "/" and a lone surrogate half.
        for bytes in [&[0xC3u8, 0xE6, 0xCA, 0xD4][..], &[0xC0, 0xAF], &[0xED, 0xA0, 0x80]] {
            assert_eq!(decode(bytes, Lines::Many), Err(TextProblem::NotUtf8), "{bytes:?}");
        }
        assert_eq!(decode("面试".as_bytes(), Lines::One), Ok("面试"));
    }

    proptest! {
        #[test]
        fn printable_text_always_passes(s in "\\PC{0,80}") {
            prop_assert_eq!(check(&s, Lines::One), Ok(()));
        }

        #[test]
        fn a_nul_anywhere_is_refused(a in "\\PC{0,20}", b in "\\PC{0,20}") {
            let text = format!("{a}\0{b}");
            prop_assert_eq!(check(&text, Lines::Many), Err(TextProblem::ControlCharacter));
        }
    }
}
