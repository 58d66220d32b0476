//! copium's extension module `copium._copium`: a drop-in `copy.deepcopy` / `copy.copy`.
//!
//! Flow: `deepcopy` (here) → `deepcopy.rs` (driver, memo strategy) → `types.rs` (classify
//! once) → `dispatch.rs` → `containers.rs` / `reduce.rs`. The memo lives in `memo.rs` +
//! `keepalive.rs`, its lifecycle in `state.rs`, its Python face in `proxy.rs`. Only `ffi/`
//! knows whether this build uses the limited API or the fast paths, and only `semantics.rs`
//! knows how the running version's `copy` module differs from the others. Pins (`pin/`) are
//! compiled copy plans the driver uses while any exist.

mod config;
mod containers;
mod deepcopy;
mod dispatch;
mod entry;
mod extra;
mod fallback;
mod ffi;
mod half_made;
mod keepalive;
mod memo;
mod native_memo;
mod objects;
mod patch;
mod pin;
mod proxy;
mod recursion;
mod reduce;
mod self_copiers;
mod semantics;
mod shallow;
mod state;
mod types;
mod user_memo;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A C-style result as a pyo3 result: the new reference, or the pending exception.
fn into_py(py: Python<'_>, r: ffi::R<ffi::Owned>) -> PyResult<Py<PyAny>> {
    match r {
        // SAFETY: `o` is a new reference whose ownership passes to the returned handle.
        Ok(o) => Ok(unsafe { Bound::from_owned_ptr(py, o.into_ptr()).unbind() }),
        Err(_) => Err(PyErr::fetch(py)),
    }
}

/// replace(obj, /, **changes)
/// --
///
/// Return a new object replacing specified fields with new values, like ``copy.replace``.
#[pyfunction]
#[pyo3(signature = (obj, /, **changes))]
fn replace(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    changes: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let kwargs = changes.map_or(std::ptr::null_mut(), |d| d.as_ptr());
    into_py(py, shallow::replace(obj.as_ptr(), kwargs))
}

fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("version", env!("CARGO_PKG_VERSION"))?;
    info.set_item(
        "build_hash",
        option_env!("COPIUM_BUILD_HASH").unwrap_or("unknown"),
    )?;
    info.set_item("variant", ffi::VARIANT)?;
    info.set_item("limited_api", ffi::LIMITED_API)?;
    let python = match ffi::LIMITED_API {
        Some(_) => String::from("abi3"),
        None => {
            let v = py.version_info();
            format!("{}.{}", v.major, v.minor)
        }
    };
    info.set_item("python", python)?;
    if let Some(verdict) = ffi::verified::verdict() {
        let (major, minor) = verdict.newest_verified;
        info.set_item("newest_verified_python", format!("{major}.{minor}"))?;
        info.set_item("python_verified", verdict.verified)?;
    }
    let semantics = semantics::get();
    let from = PyDict::new(py);
    from.set_item("deepcopy", semantics.deep_atomic_from.describe())?;
    from.set_item("copy", semantics.shallow_atomic_from.describe())?;
    info.set_item("atomic_types_from", from)?;
    let mut internals = ffi::runtime::found();
    if ffi::items_in_place() {
        internals.push("in-place list and tuple items");
    }
    if ffi::dict_entries_in_place() {
        internals.push("in-place dict entries");
    }
    info.set_item("internals", PyTuple::new(py, internals)?)?;
    Ok(info)
}

#[pymodule(gil_used = true)]
fn _copium(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let v = py.version_info();
    ffi::init_runtime(v.major, v.minor);
    semantics::init(py)?;
    types::init(py)?;
    entry::register(m, ffi::FASTCALL_AVAILABLE || (v.major, v.minor) >= (3, 10))?;
    m.add_function(wrap_pyfunction!(replace, m)?)?;
    m.add_function(wrap_pyfunction!(extra::replicate, m)?)?;
    m.add_function(wrap_pyfunction!(extra::repeatcall, m)?)?;
    m.add_function(wrap_pyfunction!(config::configure, m)?)?;
    m.add_function(wrap_pyfunction!(patch::_patch_entry_available, m)?)?;
    m.add_function(wrap_pyfunction!(patch::_patch_entry_installed, m)?)?;
    m.add_function(wrap_pyfunction!(patch::_patch_entry_install, m)?)?;
    m.add_function(wrap_pyfunction!(patch::_patch_entry_uninstall, m)?)?;
    pin::register(m)?;
    m.add_class::<proxy::MemoProxy>()?;
    m.add_class::<proxy::KeepAliveView>()?;
    m.add("Error", py.import("copy")?.getattr("Error")?)?;
    m.add("BUILD", build_info(py)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let abc = py.import("collections.abc")?;
    abc.getattr("MutableMapping")?
        .call_method1("register", PyTuple::new(py, [m.getattr("memo")?])?)?;
    Ok(())
}
