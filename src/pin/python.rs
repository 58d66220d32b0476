//! What Python sees of pins: the `Pin` class and `pin`, `unpin`, `pinned`, `clear_pins`,
//! `pins`, which `copium.extra` exports.

use super::plan::Plan;
use super::registry::{self, Entry};
use super::{planner, replay};
use crate::into_py;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// A compiled copy plan of one object, made by ``copium.extra.pin(obj)``.
///
/// ``pin.copy()`` (or ``pin()``) returns a new deep copy: what ``copy.deepcopy(obj)``
/// returned when the pin was made. While ``obj`` is pinned, ``copium.deepcopy`` uses this
/// plan wherever it meets ``obj``.
#[pyclass(module = "copium.extra", name = "Pin", frozen, generic)]
pub struct Pin {
    /// `None` once the garbage collector has cleared the pin (it was in a reference cycle).
    plan: Mutex<Option<Arc<Plan>>>,
}

impl Pin {
    fn plan(&self) -> PyResult<Arc<Plan>> {
        let guard = self.plan.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .clone()
            .ok_or_else(|| PyRuntimeError::new_err("this pin was cleared by the garbage collector"))
    }

    fn copy_now(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let plan = self.plan()?;
        plan.hits.fetch_add(1, Ordering::Relaxed);
        into_py(py, replay::copy(&plan))
    }
}

#[pymethods]
impl Pin {
    /// copy($self, /)
    /// --
    ///
    /// A new deep copy of the pinned object, as it was when the pin was made.
    fn copy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.copy_now(py)
    }

    fn __call__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.copy_now(py)
    }

    /// How many copies were made from this pin.
    #[getter]
    fn hits(&self) -> PyResult<u64> {
        Ok(self.plan()?.hits.load(Ordering::Relaxed))
    }

    /// The pinned object.
    #[getter]
    fn obj(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let plan = self.plan()?;
        // SAFETY: the plan holds a strong reference to the object; we take another.
        Ok(unsafe { Bound::from_borrowed_ptr(py, plan.obj.as_ptr()) }.unbind())
    }

    /// How many objects of a copy the plan builds by itself.
    #[getter]
    fn planned(&self) -> PyResult<usize> {
        Ok(self.plan()?.planned)
    }

    /// How many objects of a copy are made by calling code at every copy (a custom
    /// ``__deepcopy__``, a reduce callable, a ``__setstate__``).
    #[getter]
    fn runs_code(&self) -> PyResult<usize> {
        Ok(self.plan()?.runs_code)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let plan = self.plan()?;
        // SAFETY: the plan holds a strong reference to the object.
        let obj = unsafe { Bound::from_borrowed_ptr(py, plan.obj.as_ptr()) };
        let class = obj.get_type().qualname()?;
        Ok(format!(
            "<copium.extra.Pin of a {class} object at {:#x}: {} planned, {} running code, {} hits>",
            plan.obj.as_ptr() as usize,
            plan.planned,
            plan.runs_code,
            plan.hits.load(Ordering::Relaxed),
        ))
    }

    /// The plan's references, for a cycle through the pinned object (its graph holding its
    /// own pin). Reported only while this pin is the plan's only owner: a registered pin
    /// is reachable from the registry anyway, and a replay running now keeps it alive too.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let Ok(guard) = self.plan.try_lock() else {
            return Ok(());
        };
        match guard.as_ref() {
            Some(plan) if Arc::strong_count(plan) == 1 => {
                plan.for_each_ref(&mut |o| visit.call(o.as_py()))
            }
            _ => Ok(()),
        }
    }

    fn __clear__(&self) {
        let taken = match self.plan.try_lock() {
            Ok(mut guard) => guard.take(),
            Err(_) => return,
        };
        drop(taken);
    }
}

/// pin(obj, /)
/// --
///
/// Compile a copy plan of ``obj`` and pin it: return a ``Pin`` whose copies are what
/// ``copy.deepcopy(obj)`` returns now, and make ``copium.deepcopy`` use the plan wherever it
/// meets ``obj`` until ``unpin(obj)``. Pinning ``obj`` again replaces its plan.
///
/// Making the plan copies ``obj`` once: what ``deepcopy(obj)`` would raise, ``pin(obj)``
/// raises, and nothing is pinned then.
#[pyfunction]
#[pyo3(signature = (obj, /))]
pub fn pin(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Py<Pin>> {
    let x = obj.as_ptr();
    let plan = planner::plan(x).map_err(|_| PyErr::fetch(py))?;
    // The copy deepcopy would make now: the code the plan runs at every copy runs here too,
    // and raises here if it raises.
    drop(replay::copy(&plan).map_err(|_| PyErr::fetch(py))?);
    let plan = Arc::new(plan);
    let pin = Py::new(
        py,
        Pin {
            plan: Mutex::new(Some(plan.clone())),
        },
    )?;
    let entry = Entry {
        pin: pin.clone_ref(py),
        plan,
    };
    let previous = registry::insert(x, entry).map_err(|_| PyErr::fetch(py))?;
    drop(previous);
    Ok(pin)
}

/// unpin(obj, /)
/// --
///
/// Stop using ``obj``'s pin and release ``obj``; True if it was pinned. A ``Pin`` object
/// kept elsewhere still makes copies.
#[pyfunction]
#[pyo3(signature = (obj, /))]
pub fn unpin(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let removed = registry::remove(obj.as_ptr() as usize).map_err(|_| PyErr::fetch(py))?;
    Ok(removed.is_some())
}

/// pinned(obj, /)
/// --
///
/// The ``Pin`` of ``obj``, or None when it is not pinned.
#[pyfunction]
#[pyo3(signature = (obj, /))]
pub fn pinned(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Py<Pin>> {
    registry::pin_of(py, obj.as_ptr() as usize)
}

/// clear_pins()
/// --
///
/// Unpin every pinned object; return how many there were.
#[pyfunction]
pub fn clear_pins() -> usize {
    let entries = registry::clear();
    let n = entries.len();
    drop(entries);
    n
}

/// pins()
/// --
///
/// A read-only, live view of the pins: ``{id(obj): Pin}``.
#[pyfunction]
pub fn pins(py: Python<'_>) -> Py<PyAny> {
    let proxy = registry::proxy();
    // SAFETY: `proxy` is a new reference whose ownership passes to the returned handle.
    unsafe { Bound::from_owned_ptr(py, proxy.into_ptr()) }.unbind()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pin>()?;
    m.add_function(wrap_pyfunction!(pin, m)?)?;
    m.add_function(wrap_pyfunction!(unpin, m)?)?;
    m.add_function(wrap_pyfunction!(pinned, m)?)?;
    m.add_function(wrap_pyfunction!(clear_pins, m)?)?;
    m.add_function(wrap_pyfunction!(pins, m)?)
}
