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
//!
//! A TypeError or AssertionError does not say that the memo was the problem, so the retry is
//! only a guess: it warns only once the retry has worked, and when the retry fails as well,
//! the first error propagates exactly as it was raised (same object, traceback and chaining),
//! as if no retry had happened. User code runs at most twice.

use crate::config::{self, OnIncompatible};
use crate::ffi::{self, exc_types, Owned, PyObject, R};
use crate::memo::Key;
use crate::state::Session;
use crate::types;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyString;

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
    // SAFETY: the engine only runs while attached to the interpreter (GIL held).
    let py = unsafe { Python::assume_attached() };
    let Some(rejection) = PyErr::take(py) else {
        return first;
    };
    let retried = snapshot(session).and_then(|memo| {
        let y = ffi::call1(copier, memo.dict.as_ptr())?;
        Ok((y, memo))
    });
    let (y, memo) = match retried {
        Ok(done) => done,
        Err(fail) => {
            // A KeyboardInterrupt or SystemExit during the retry is a request to stop, not an
            // answer to the guess: it wins. Any other failure means the guess was wrong.
            match PyErr::take(py) {
                Some(stop) if !stop.is_instance_of::<PyException>(py) => stop.restore(py),
                wrong_guess => {
                    // Released before the first error is set again: a finalizer it triggers
                    // must not run with an exception pending.
                    drop(wrong_guess);
                    rejection.restore(py);
                }
            }
            return Err(fail);
        }
    };
    merge_back(session, &memo)?;
    if mode == OnIncompatible::Warn {
        let error_text = error_text(py, &rejection);
        if !config::is_suppressed(&error_text) {
            warn(py, x, &rejection, &error_text)?;
        }
    }
    Ok(y)
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

/// The error as `suppress_warnings` entries are matched against: `"TypeName: message"`
/// (the class's `__name__`, as copium 0.1.0 wrote it).
fn error_text(py: Python<'_>, error: &PyErr) -> String {
    let name = error
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| String::from("?"));
    format!("{name}: {}", ffi::to_display(error.value(py).as_ptr()))
}

/// `module.QualName` of `x`'s class (just `QualName` for builtins).
fn class_name(py: Python<'_>, x: *mut PyObject) -> String {
    let tp = ffi::type_of(x);
    let qualname = types::qualname_of(tp);
    // SAFETY: `tp` is the live type of a live object.
    let module = unsafe { Bound::from_borrowed_ptr(py, tp.cast()) }
        .getattr("__module__")
        .map(|m| m.to_string());
    match module {
        Ok(module) if module != "builtins" => format!("{module}.{qualname}"),
        _ => qualname,
    }
}

/// The rejection with its traceback, as Python prints it; empty if that cannot be done.
fn formatted(py: Python<'_>, error: &PyErr) -> String {
    let lines = py.import("traceback").and_then(|tb| {
        tb.call_method1(
            "format_exception",
            (error.get_type(py), error.value(py), error.traceback(py)),
        )
    });
    lines
        .and_then(|lines| PyString::new(py, "").call_method1("join", (lines,)))
        .map(|text| text.to_string())
        .unwrap_or_default()
}

fn warn(py: Python<'_>, x: *mut PyObject, rejection: &PyErr, error_text: &str) -> R<()> {
    let class = class_name(py, x);
    let quoted = PyString::new(py, error_text)
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| format!("{error_text:?}"));
    let traceback = formatted(py, rejection);
    let message = format!(
        "\ncopium: {class}.__deepcopy__ rejected copium's memo with\n\n    {error_text}\n\n\
         so copium copied that object again with a plain dict memo. That worked, but every \
         copy of it now pays for the retry. A __deepcopy__ should use its memo only as a \
         mapping (https://docs.python.org/3/library/copy.html#object.__deepcopy__); until \
         this one does:\n\n\
         - pass a dict memo in that call: copium.deepcopy(x, {{}})\n\
         - use dict memos everywhere: copium.config.apply(memo=\"dict\") or \
         COPIUM_USE_DICT_MEMO=1\n\
         - raise the error instead: copium.config.apply(on_incompatible=\"raise\") or \
         COPIUM_NO_MEMO_FALLBACK=1\n\
         - keep the retry, hide this warning: copium.config.apply(suppress_warnings=[{quoted}]) \
         or COPIUM_NO_MEMO_FALLBACK_WARNING='{error_text}'\n\n\
         The rejection:\n\n{traceback}"
    );
    let message = std::ffi::CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: UserWarning is a builtin class, alive for the whole process.
    let category = unsafe { Bound::from_borrowed_ptr(py, exc_types::user_warning()) };
    PyErr::warn(py, &category, &message, 1).map_err(|e| {
        e.restore(py);
        ffi::Fail
    })
}
