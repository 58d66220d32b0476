//! Which interpreters the shortcuts beyond the limited API are verified on: the in-place
//! list and tuple reads (`layout.rs`) and the interpreter functions found by name
//! (`runtime.rs`). For each verified version, the layouts and signatures they rely on were
//! checked against that version's headers, and the test suite passes with them on. On an
//! interpreter newer than the newest verified one, or with `COPIUM_LIMITED_API_ONLY=1`, every
//! shortcut stays off and the engine makes limited-API calls only: a CPython released after
//! this wheel imports it and copies correctly, only more slowly, until a copium release has
//! verified it.

use std::sync::OnceLock;

/// The newest CPython whose layouts and function signatures have been checked.
pub const NEWEST_VERIFIED: (u8, u8) = (3, 15);

/// For the test suite only: `COPIUM_TESTING_NEWEST_VERIFIED=3.X` lowers the newest verified
/// version, so the suite can run the engine exactly as it runs on an interpreter newer than
/// any this release verified.
const NEWEST_VERIFIED_OVERRIDE: &str = "COPIUM_TESTING_NEWEST_VERIFIED";

pub struct Verdict {
    /// `NEWEST_VERIFIED`, or the test override.
    pub newest_verified: (u8, u8),
    /// The running interpreter is no newer than `newest_verified`.
    pub verified: bool,
    /// `COPIUM_LIMITED_API_ONLY` is on.
    pub limited_only: bool,
}

impl Verdict {
    /// May the shortcuts beyond the limited API be used?
    pub fn shortcuts_allowed(&self) -> bool {
        self.verified && !self.limited_only
    }
}

static VERDICT: OnceLock<Verdict> = OnceLock::new();

/// Decides, once at import, whether the running interpreter is verified.
pub fn init(major: u8, minor: u8) -> &'static Verdict {
    VERDICT.get_or_init(|| {
        let newest_verified = std::env::var(NEWEST_VERIFIED_OVERRIDE)
            .ok()
            .and_then(|v| parse_version(&v))
            .map_or(NEWEST_VERIFIED, |v| v.min(NEWEST_VERIFIED));
        Verdict {
            newest_verified,
            verified: (major, minor) <= newest_verified,
            limited_only: flag("COPIUM_LIMITED_API_ONLY"),
        }
    })
}

pub fn verdict() -> Option<&'static Verdict> {
    VERDICT.get()
}

/// "3.12" -> (3, 12).
fn parse_version(text: &str) -> Option<(u8, u8)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// A copium on/off variable: on for 1, true, yes or on (any case, surrounding spaces ignored).
fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}
