//! Engine settings changed through `copium.config` (which validates, reads the environment
//! and keeps the Python-facing state); read on the hot path as relaxed atomics.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Mutex;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OnIncompatible {
    Warn = 0,
    Raise = 1,
    Silent = 2,
}

static DICT_MEMO: AtomicBool = AtomicBool::new(false);
static ON_INCOMPATIBLE: AtomicU8 = AtomicU8::new(OnIncompatible::Warn as u8);
static SUPPRESSED: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[inline(always)]
pub fn dict_memo() -> bool {
    DICT_MEMO.load(Ordering::Relaxed)
}

pub fn on_incompatible() -> OnIncompatible {
    match ON_INCOMPATIBLE.load(Ordering::Relaxed) {
        1 => OnIncompatible::Raise,
        2 => OnIncompatible::Silent,
        _ => OnIncompatible::Warn,
    }
}

/// Is a fallback warning for this error (`"TypeName: message"`) silenced? An entry matches
/// when the text contains it, so copium 0.1.0's entries (a message, or its ending) and the
/// text the warning itself suggests all work; an empty entry matches every error.
pub fn is_suppressed(error_text: &str) -> bool {
    let list = SUPPRESSED.lock().unwrap_or_else(|p| p.into_inner());
    list.iter().any(|s| error_text.contains(s.as_str()))
}

/// Sets every engine setting at once (used by `copium.config`).
#[pyfunction]
pub fn configure(
    memo: &str,
    on_incompatible: &str,
    suppress_warnings: Vec<String>,
) -> PyResult<()> {
    let dict = match memo {
        "native" => false,
        "dict" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "memo must be 'native' or 'dict', not {other:?}"
            )))
        }
    };
    let mode = match on_incompatible {
        "warn" => OnIncompatible::Warn,
        "raise" => OnIncompatible::Raise,
        "silent" => OnIncompatible::Silent,
        other => {
            return Err(PyValueError::new_err(format!(
                "on_incompatible must be 'warn', 'raise' or 'silent', not {other:?}"
            )))
        }
    };
    *SUPPRESSED.lock().unwrap_or_else(|p| p.into_inner()) = suppress_warnings;
    ON_INCOMPATIBLE.store(mode as u8, Ordering::Relaxed);
    DICT_MEMO.store(dict, Ordering::Relaxed);
    Ok(())
}
