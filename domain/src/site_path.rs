//! Where Turnout may send a browser back to: a path on this site, never another site.
//!
//! Browsers read `//host`, `/\host` and `/<tab>/host` (they drop tabs and line breaks) as
//! another site, so a "go back to" value is accepted only when it cannot be read that way.

use std::fmt;

/// A path on this site, safe to put in a `Location` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePath(String);

impl SitePath {
    /// The site's home page.
    pub fn home() -> SitePath {
        SitePath("/".into())
    }

    /// Accepts `raw` only when a browser would read it as a path on this site.
    ///
    /// Refused: anything not starting with one `/`; backslashes; control characters and
    /// whitespace other than a plain space; encoded slashes or backslashes in the path (they
    /// become real ones if anything decodes the value again).
    pub fn parse(raw: &str) -> Option<SitePath> {
        let rest = raw.strip_prefix('/')?;
        if rest.starts_with('/') || raw.contains('\\') {
            return None;
        }
        if raw.chars().any(|c| c.is_control() || (c.is_whitespace() && c != ' ')) {
            return None;
        }
        let path = raw.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
        if path.contains("%2f") || path.contains("%5c") {
            return None;
        }
        // Bytes a header cannot carry as they are (non-ASCII, spaces) are percent-encoded.
        let mut out = String::with_capacity(raw.len());
        for b in raw.bytes() {
            if b.is_ascii_graphic() {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        Some(SitePath(out))
    }

    /// Parses `raw`, or falls back to `fallback` (itself checked; home when it fails too).
    pub fn parse_or(raw: &str, fallback: &str) -> SitePath {
        SitePath::parse(raw).or_else(|| SitePath::parse(fallback)).unwrap_or_else(SitePath::home)
    }

    /// The path, ready for a `Location` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the path lies under `prefix` (a whole segment: `/hr` holds `/hr/calls`, not `/hrx`).
    pub fn is_under(&self, prefix: &str) -> bool {
        self.0 == prefix || self.0.strip_prefix(prefix).is_some_and(|rest| rest.starts_with(['/', '?', '#']))
    }
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_on_this_site_are_kept() {
        for ok in ["/", "/invitation", "/hr/campaigns/3?state=confirmed&q=li", "/hr/calls#row-4", "/a/%252F/b"] {
            assert_eq!(SitePath::parse(ok).map(|p| p.0), Some(ok.to_string()), "{ok}");
        }
    }

    #[test]
    fn the_usual_bypasses_are_refused() {
        for bad in [
            "",
            "evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/x\r\nLocation: //evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5C/evil.example",
            "/\u{0}",
            "/\u{2028}evil",
            " /invitation",
        ] {
            assert_eq!(SitePath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn non_ascii_is_encoded_for_the_header() {
        let p = SitePath::parse("/hr/campaigns/1?q=李 雷").expect("a local path");
        assert_eq!(p.as_str(), "/hr/campaigns/1?q=%E6%9D%8E%20%E9%9B%B7");
    }

    #[test]
    fn fallbacks_and_prefixes() {
        assert_eq!(SitePath::parse_or("//evil.example", "/hr").as_str(), "/hr");
        assert_eq!(SitePath::parse_or("//evil.example", "//also-bad").as_str(), "/");
        let calls = SitePath::parse("/hr/calls").expect("local");
        assert!(calls.is_under("/hr"));
        assert!(!SitePath::parse("/hrx").expect("local").is_under("/hr"));
    }

    proptest! {
        #[test]
        fn whatever_is_accepted_is_a_plain_local_path(s in "\\PC{0,40}|[/\\\\\t\r\n%a-z.:]{0,12}") {
            if let Some(p) = SitePath::parse(&s) {
                let v = p.as_str();
                prop_assert!(v.starts_with('/') && !v.starts_with("//"));
                prop_assert!(v.bytes().all(|b| b.is_ascii_graphic()), "{v:?}");
                prop_assert!(!v.contains('\\'));
            }
        }
    }
}
