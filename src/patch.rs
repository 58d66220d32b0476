//! `copium.patch`'s native mechanism, where the interpreter allows it (3.12+, verified; see
//! `ffi::runtime`): the stdlib `copy.deepcopy` function object gets copium's entry point
//! (its vectorcall), so a call of it goes straight to the engine, without the trampoline's
//! Python frame. Its code, defaults and everything else stay the stdlib's; disabling puts
//! the function's own entry point back.
//!
//! On 3.11 the specializer inlines calls of a Python function by its code, whatever its entry
//! point, so this would be unsound there (and 3.9/3.10 have no way to set it): `patch.py`
//! swaps the code for a trampoline on those versions.

use crate::entry;
use crate::ffi::{self, vectorcallfunc, PyObject};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The function's own entry point, saved when it is first replaced (0 before).
static ORIGINAL: AtomicUsize = AtomicUsize::new(0);
/// How many parameters the stdlib function has: 3 up to 3.14 (`x, memo, _nil`), 2 from 3.15.
static PARAMETERS: AtomicUsize = AtomicUsize::new(0);

/// The stdlib function's own entry point, to let it raise a call's argument error.
pub fn original() -> Option<vectorcallfunc> {
    let p = ORIGINAL.load(Ordering::Acquire);
    // SAFETY: a non-zero value is a `vectorcallfunc` stored by `_patch_entry_install`.
    (p != 0).then(|| unsafe { std::mem::transmute::<usize, vectorcallfunc>(p) })
}

/// The stdlib function's parameter count (see `PARAMETERS`).
pub fn parameters() -> usize {
    PARAMETERS.load(Ordering::Relaxed)
}

fn ours() -> vectorcallfunc {
    entry::patched_deepcopy
}

fn check_function(f: &Bound<'_, PyAny>) -> PyResult<()> {
    if ffi::type_of(f.as_ptr()) == crate::types::statics().function_t {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "expected a Python function object",
        ))
    }
}

fn entry_of(f: *mut PyObject) -> Option<usize> {
    ffi::function_entry(f).map(|e| e.map_or(0, |e| e as usize))
}

/// Whether this interpreter lets copium replace a function's entry point.
#[pyfunction]
pub fn _patch_entry_available() -> bool {
    ffi::function_entries_available()
}

/// Whether `f`'s entry point is copium's.
#[pyfunction]
#[pyo3(signature = (f, /))]
pub fn _patch_entry_installed(f: &Bound<'_, PyAny>) -> PyResult<bool> {
    check_function(f)?;
    Ok(entry_of(f.as_ptr()) == Some(ours() as usize))
}

/// Gives `f` (the stdlib `copy.deepcopy`, with `parameters` positional-or-keyword parameters
/// `x, memo[, _nil]`) copium's entry point; False if it already had it.
#[pyfunction]
#[pyo3(signature = (f, parameters, /))]
pub fn _patch_entry_install(f: &Bound<'_, PyAny>, parameters: usize) -> PyResult<bool> {
    check_function(f)?;
    if !(2..=3).contains(&parameters) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "copy.deepcopy has 2 or 3 parameters",
        ));
    }
    let Some(current) = entry_of(f.as_ptr()) else {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "this interpreter offers no way to replace a function's entry point",
        ));
    };
    if current == ours() as usize {
        return Ok(false);
    }
    if current == 0 {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "copy.deepcopy has no entry point to replace",
        ));
    }
    ORIGINAL.store(current, Ordering::Release);
    PARAMETERS.store(parameters, Ordering::Relaxed);
    // SAFETY: `f` is a live object of exactly `types.FunctionType` (checked above).
    Ok(unsafe { ffi::set_function_entry(f.as_ptr(), ours()) })
}

/// Puts `f`'s own entry point back; False if it did not have copium's.
#[pyfunction]
#[pyo3(signature = (f, /))]
pub fn _patch_entry_uninstall(f: &Bound<'_, PyAny>) -> PyResult<bool> {
    check_function(f)?;
    if entry_of(f.as_ptr()) != Some(ours() as usize) {
        return Ok(false);
    }
    let Some(original) = original() else {
        return Ok(false);
    };
    // SAFETY: `f` is a live object of exactly `types.FunctionType` (checked above).
    Ok(unsafe { ffi::set_function_entry(f.as_ptr(), original) })
}
