//! Memo fallback: some `__deepcopy__` implementations (often in extension modules) insist on
//! a real dict memo and fail on the native proxy. Depending on `config.on_incompatible`, such
//! an object is copied again with a dict memo seeded from the native one (and the dict's new
//! entries merged back), with or without a warning, or the error propagates.
//!
//! Only an attempt that left the memo as it found it is retried. A `__deepcopy__` that
//! rejects the memo's type does so before using it; one that stored into the memo (the usual
//! `memo[id(self)] = clone` first) accepted it, so its TypeError is its own (an uncopyable
//! attribute, say), and the stdlib would raise it too: running it again would only repeat its
//! side effects, and could find the half-made copies it left in the memo.

use crate::config::{self, OnIncompatible};
use crate::ffi::{self, exc_types, Owned, PyObject, R};
use crate::memo::Key;
use crate::state::Session;
use crate::types;

pub fn call_with_proxy(session: &mut Session, copier: *mut PyObject, x: *mut PyObject) -> R<Owned> {
    let proxy = session.proxy()?;
    let before = session.mark();
    let first = ffi::call1(copier, proxy);
    if first.is_ok() {
        return first;
    }
    let mode = config::on_incompatible();
    let incompatible =
        ffi::err_matches(exc_types::type_error()) || ffi::err_matches(exc_types::assertion_error());
    if mode == OnIncompatible::Raise || !incompatible || session.changed_since(before) {
        return first;
    }
    let error = PendingError::take();
    let memo = snapshot(session)?;
    let y = ffi::call1(copier, memo.dict.as_ptr())?;
    merge_back(session, &memo)?;
    if mode == OnIncompatible::Warn {
        let text = error.text();
        if !config::is_suppressed(&text) {
            warn(x, &error.type_name(), &text)?;
        }
    }
    Ok(y)
}

/// The exception of the first attempt, kept for the warning.
struct PendingError {
    value: Option<Owned>,
}

impl PendingError {
    fn take() -> Self {
        // SAFETY: an exception is set (the call just failed); it is fetched and normalized,
        // and the indicator is left clear.
        unsafe {
            let (mut t, mut v, mut tb) = (
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            pyo3_ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
            pyo3_ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb);
            drop(Owned::from_new(t));
            drop(Owned::from_new(tb));
            PendingError {
                value: Owned::from_new(v),
            }
        }
    }

    fn text(&self) -> String {
        self.value
            .as_ref()
            .map(|v| ffi::to_display(v.as_ptr()))
            .unwrap_or_default()
    }

    fn type_name(&self) -> String {
        self.value
            .as_ref()
            .map(|v| types::qualname_of(ffi::type_of(v.as_ptr())))
            .unwrap_or_default()
    }
}

struct Snapshot {
    dict: Owned,
    dict_id: Owned,
    kept: usize,
}

/// A dict with the native memo's entries and its keepalive list at `id(dict)`.
fn snapshot(session: &mut Session) -> R<Snapshot> {
    let dict = ffi::dict_new()?;
    let dict_id = ffi::long_from_ptr(dict.as_ptr())?;
    let kept = ffi::list_new_empty()?;
    let (entries, alive): (Vec<(usize, Owned)>, Vec<Owned>) = {
        let st = session.state().borrow();
        (
            st.table.iter().map(|(a, v)| (a, ffi::new_ref(v))).collect(),
            st.keepalive.iter().map(ffi::new_ref).collect(),
        )
    };
    for (addr, value) in entries {
        let k = ffi::long_from_ptr(addr as *mut PyObject)?;
        ffi::dict_set(dict.as_ptr(), k.as_ptr(), value.as_ptr())?;
    }
    for obj in &alive {
        ffi::list_append(kept.as_ptr(), obj.as_ptr())?;
    }
    ffi::dict_set(dict.as_ptr(), dict_id.as_ptr(), kept.as_ptr())?;
    Ok(Snapshot {
        dict,
        dict_id,
        kept: alive.len(),
    })
}

/// Entries the retried `__deepcopy__` added to the dict become native entries again.
fn merge_back(session: &mut Session, memo: &Snapshot) -> R<()> {
    let mut pos = 0;
    let mut entries = Vec::new();
    while let Some((k, v)) = ffi::dict_next(memo.dict.as_ptr(), &mut pos) {
        if k == memo.dict_id.as_ptr() {
            continue;
        }
        // SAFETY: `k` is a live key; a non-int key is reported as -1 with an error we clear.
        let addr = unsafe { pyo3_ffi::PyLong_AsSize_t(k) };
        if addr == usize::MAX {
            ffi::err_clear();
            continue;
        }
        entries.push((addr, ffi::new_ref(v)));
    }
    for (addr, value) in entries {
        session.store(Key::from_addr(addr), &value)?;
    }
    let kept = ffi::getitem(memo.dict.as_ptr(), memo.dict_id.as_ptr());
    if let Ok(list) = kept {
        if types::is_exact_list(list.as_ptr()) {
            for i in memo.kept..ffi::list_len(list.as_ptr()) as usize {
                let obj = ffi::new_ref(ffi::list_item(list.as_ptr(), i as isize));
                let kept = session.state().borrow_mut().keepalive.push(obj);
                if kept.is_err() {
                    // SAFETY: sets MemoryError on the current thread, which holds the GIL.
                    unsafe { pyo3_ffi::PyErr_NoMemory() };
                    return Err(ffi::Fail);
                }
            }
        }
    } else {
        ffi::err_clear();
    }
    Ok(())
}

fn warn(x: *mut PyObject, error_type: &str, error_text: &str) -> R<()> {
    let class = types::qualname_of(ffi::type_of(x));
    let message = format!(
        "copium: {class}.__deepcopy__ raised {error_type}: {error_text} when given copium's \
         native memo, so it was copied again with a plain dict memo. To avoid the retry, pass a \
         dict as memo (copium.deepcopy(x, {{}})) or use dict memos everywhere \
         (copium.config.apply(memo=\"dict\") or COPIUM_USE_DICT_MEMO=1). To silence this \
         message: copium.config.apply(suppress_warnings=[...]) with this error text, or \
         COPIUM_NO_MEMO_FALLBACK_WARNING='<error text>'. To make it raise instead: \
         copium.config.apply(on_incompatible=\"raise\") or COPIUM_NO_MEMO_FALLBACK=1."
    );
    let message = std::ffi::CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: UserWarning is a builtin class and the message is NUL-terminated.
    ffi::status(unsafe { pyo3_ffi::PyErr_WarnEx(exc_types::user_warning(), message.as_ptr(), 1) })
}
