//! `copium.extra`: batch helpers that amortize per-call work over n results.

use crate::deepcopy;
use crate::ffi::{self, Owned, R};
use crate::into_py;
use crate::types;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

fn check_count(n: isize) -> PyResult<usize> {
    usize::try_from(n).map_err(|_| PyValueError::new_err(format!("n must be >= 0, not {n}")))
}

/// Fills a new list with `n` results of `make`; the list is shown to Python only when full.
fn collect(n: usize, mut make: impl FnMut() -> R<Owned>) -> R<Owned> {
    let list = ffi::list_new_empty()?;
    for _ in 0..n {
        let item = make()?;
        ffi::list_append(list.as_ptr(), item.as_ptr())?;
    }
    Ok(list)
}

/// replicate(obj, n, /)
/// --
///
/// Return a list of ``n`` independent deep copies of ``obj``.
///
/// Equivalent to ``[copy.deepcopy(obj) for _ in range(n)]``, without the per-call overhead.
/// Atomic objects (whose deep copy is themselves) are repeated as they are.
#[pyfunction]
#[pyo3(signature = (obj, n, /))]
pub fn replicate(py: Python<'_>, obj: &Bound<'_, PyAny>, n: isize) -> PyResult<Py<PyAny>> {
    let n = check_count(n)?;
    let x = obj.as_ptr();
    if types::is_atomic(ffi::type_of(x)) {
        return into_py(py, collect(n, || Ok(ffi::new_ref(x))));
    }
    into_py(py, collect(n, || deepcopy::deepcopy_native(x)))
}

/// repeatcall(fn, n, /)
/// --
///
/// Return ``[fn() for _ in range(n)]``.
#[pyfunction]
#[pyo3(signature = (function, n, /))]
pub fn repeatcall(py: Python<'_>, function: &Bound<'_, PyAny>, n: isize) -> PyResult<Py<PyAny>> {
    if !function.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "'{}' object is not callable",
            function.get_type().name()?
        )));
    }
    let n = check_count(n)?;
    let f = function.as_ptr();
    into_py(py, collect(n, || ffi::call0(f)))
}
