//! `copium.memo`: what a custom `__deepcopy__(self, memo)` receives when the caller passed no
//! memo. A mutable mapping over the native table, keyed by `id(obj)` like stdlib's dict memo;
//! `memo[id(memo)]` is the keepalive list. Writes are seen by the engine at once. The proxy
//! shares ownership of the state, so one kept after its call stays valid.
//!
//! Keys that are not object addresses (anything but a non-negative int) go to a plain dict
//! beside the table, so the proxy accepts whatever a dict would.

use crate::ffi::{self, Owned};
use crate::memo::Key;
use crate::state::{MemoState, SharedState};
use pyo3::exceptions::{PyIndexError, PyKeyError, PyMemoryError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{PyTraverseError, PyVisit};
use std::cell::{Cell, RefCell};

/// The engine's state, shared with Python objects.
struct Shared(SharedState);

// SAFETY: copium never declares itself free-threading safe, so every access to the state (and
// to the `Rc` counts) happens with the GIL held, which serializes threads.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn get(&self) -> &RefCell<MemoState> {
        &self.0
    }
}

/// The proxy's keepalive view while one exists, as a borrowed pointer (null when none does).
///
/// `memo[id(memo)]` must give the same object each time, as a dict memo gives the same list.
/// The view owns its proxy, so the proxy cannot own the view as well: that cycle would leave
/// every call whose hook touched `memo[id(memo)]` to the garbage collector (its copies kept
/// alive until a collection, its state never reused). Instead the proxy only points at its
/// view, and the view clears the pointer as it is dropped. So the same view comes back for as
/// long as anything holds it, which is whenever anyone could compare it with another.
struct ViewSlot(Cell<*mut pyo3_ffi::PyObject>);

// SAFETY: as for `Shared`: only ever read or written with the GIL held.
unsafe impl Send for ViewSlot {}
// SAFETY: as above.
unsafe impl Sync for ViewSlot {}

/// The memo a `__deepcopy__` receives from copium: a mutable mapping of id(original) to copy.
#[pyclass(module = "copium", name = "memo", frozen)]
pub struct MemoProxy {
    state: Shared,
    view: ViewSlot,
}

/// The keepalive list found at `memo[id(memo)]`. It reaches the state through its proxy, so
/// that only the proxy reports the state's references to the garbage collector.
#[pyclass(module = "copium", name = "keepalive", frozen)]
pub struct KeepAliveView {
    proxy: Py<MemoProxy>,
}

impl KeepAliveView {
    fn state(&self) -> &RefCell<MemoState> {
        self.proxy.get().state.get()
    }
}

impl Drop for KeepAliveView {
    fn drop(&mut self) {
        // A proxy has at most one view at a time (a new one is made only while the slot is
        // empty), so the slot points at this one. The proxy is alive: this view still owns it.
        self.proxy.get().view.0.set(std::ptr::null_mut());
    }
}

pub fn new_proxy(state: SharedState) -> ffi::R<Owned> {
    // SAFETY: the engine only runs while attached to the interpreter (GIL held).
    let py = unsafe { Python::assume_attached() };
    match Bound::new(
        py,
        MemoProxy {
            state: Shared(state),
            view: ViewSlot(Cell::new(std::ptr::null_mut())),
        },
    ) {
        Ok(b) => Ok(ffi::new_ref(b.as_ptr())),
        Err(e) => {
            e.restore(py);
            Err(ffi::Fail)
        }
    }
}

/// The native state behind `obj` when it is a `copium.memo`: a `__deepcopy__` handing its memo
/// back to `deepcopy(child, memo)` continues on the same table, natively.
pub fn state_of(obj: *mut pyo3_ffi::PyObject) -> Option<SharedState> {
    // SAFETY: the engine only runs while attached to the interpreter (GIL held), and `obj` is
    // a live object borrowed from the caller.
    let py = unsafe { Python::assume_attached() };
    let obj = unsafe { Bound::from_borrowed_ptr(py, obj) };
    let proxy = obj.cast_exact::<MemoProxy>().ok()?;
    Some(proxy.get().state.0.clone())
}

/// The table address a Python key names, if it is an address-like int.
fn address(key: &Bound<'_, PyAny>) -> Option<usize> {
    if key.is_exact_instance_of::<pyo3::types::PyInt>() {
        key.extract::<usize>().ok()
    } else {
        None
    }
}

fn borrowed(py: Python<'_>, p: *mut pyo3_ffi::PyObject) -> Py<PyAny> {
    // SAFETY: `p` is a live object the state holds; we take a new reference to it.
    unsafe { Bound::from_borrowed_ptr(py, p) }.unbind()
}

impl MemoProxy {
    fn is_self(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> bool {
        address(key) == Some(slf.as_ptr() as usize)
    }

    /// The keepalive view: the one that exists, or a new one.
    fn keepalive(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let slot = &slf.get().view.0;
        let existing = slot.get();
        if !existing.is_null() {
            // SAFETY: a set slot points at a live view (it clears the slot as it is dropped);
            // we take a new reference to it.
            return Ok(unsafe { Bound::from_borrowed_ptr(slf.py(), existing) }.unbind());
        }
        let view = Bound::new(
            slf.py(),
            KeepAliveView {
                proxy: slf.clone().unbind(),
            },
        )?;
        slot.set(view.as_ptr());
        Ok(view.into_any().unbind())
    }

    fn lookup(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        let this = slf.get();
        if Self::is_self(slf, key) {
            let has = !this.state.get().borrow().keepalive.is_empty();
            return if has {
                Self::keepalive(slf).map(Some)
            } else {
                Ok(None)
            };
        }
        if let Some(addr) = address(key) {
            let st = this.state.get().borrow();
            return Ok(st.table.get(Key::from_addr(addr)).map(|p| borrowed(py, p)));
        }
        let foreign = this.state.get().borrow().foreign.clone();
        match foreign {
            None => Ok(None),
            // SAFETY: `foreign` is a dict the state owns.
            Some(d) => unsafe { Bound::from_borrowed_ptr(py, d.as_ptr()) }
                .cast_into::<PyDict>()?
                .get_item(key)
                .map(|v| v.map(Bound::unbind)),
        }
    }

    fn foreign_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let existing = self.state.get().borrow().foreign.clone();
        let dict = match existing {
            Some(d) => d,
            None => {
                let d = ffi::new_ref(PyDict::new(py).as_ptr());
                self.state.get().borrow_mut().foreign = Some(d.clone());
                d
            }
        };
        // SAFETY: `dict` is a live dict; we hand our reference to the Bound.
        Ok(unsafe { Bound::from_owned_ptr(py, dict.into_ptr()) }.cast_into::<PyDict>()?)
    }

    fn keys_vec(slf: &Bound<'_, Self>) -> PyResult<Vec<Py<PyAny>>> {
        let py = slf.py();
        let this = slf.get();
        let (addrs, has_kept, foreign) = {
            let st = this.state.get().borrow();
            let addrs: Vec<usize> = st.table.iter().map(|(a, _)| a).collect();
            (addrs, !st.keepalive.is_empty(), st.foreign.clone())
        };
        let mut keys: Vec<Py<PyAny>> = Vec::with_capacity(addrs.len() + 1);
        for a in addrs {
            keys.push(a.into_pyobject(py)?.into_any().unbind());
        }
        if has_kept {
            keys.push(
                (slf.as_ptr() as usize)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
            );
        }
        if let Some(d) = foreign {
            // SAFETY: the state's foreign dict is live.
            let d = unsafe { Bound::from_borrowed_ptr(py, d.as_ptr()) }.cast_into::<PyDict>()?;
            keys.extend(d.keys().iter().map(Bound::unbind));
        }
        Ok(keys)
    }
}

#[pymethods]
impl MemoProxy {
    /// The copies, kept objects and foreign entries the memo holds, so a cycle through the
    /// memo (a copy that keeps its memo) can be collected. While a copy is running the engine
    /// holds the proxy, which keeps all of it reachable.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // A state borrowed right now is being changed by the engine: report nothing (the
        // collector then only keeps more alive, never less).
        let Ok(st) = self.state.get().try_borrow() else {
            return Ok(());
        };
        for v in st.table.owned_values() {
            visit.call(v.as_py())?;
        }
        for o in st.keepalive.owned() {
            visit.call(o.as_py())?;
        }
        if let Some(f) = &st.foreign {
            visit.call(f.as_py())?;
        }
        Ok(())
    }

    fn __clear__(&self) {
        let garbage = match self.state.get().try_borrow_mut() {
            Ok(mut st) => st.clear(),
            Err(_) => return,
        };
        drop(garbage);
    }

    fn __len__(&self) -> usize {
        let st = self.state.get().borrow();
        let foreign = st.foreign.as_ref().map_or(0, |d| {
            // SAFETY: a live dict.
            unsafe { pyo3_ffi::PyDict_Size(d.as_ptr()) as usize }
        });
        st.table.len() + usize::from(!st.keepalive.is_empty()) + foreign
    }

    fn __contains__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(Self::lookup(slf, key)?.is_some())
    }

    fn __getitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Self::lookup(slf, key)?.ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))
    }

    fn __setitem__(
        slf: &Bound<'_, Self>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let this = slf.get();
        if Self::is_self(slf, key) {
            let items: Vec<Owned> = value
                .try_iter()?
                .map(|v| v.map(|v| ffi::new_ref(v.as_ptr())))
                .collect::<PyResult<_>>()?;
            let old = {
                let mut st = this.state.get().borrow_mut();
                let old = st.keepalive.take();
                let pushed: Result<(), _> =
                    items.into_iter().try_for_each(|o| st.keepalive.push(o));
                if pushed.is_err() {
                    drop(st);
                    drop(old);
                    return Err(PyMemoryError::new_err(()));
                }
                old
            };
            drop(old);
            return Ok(());
        }
        if let Some(addr) = address(key) {
            let v = ffi::new_ref(value.as_ptr());
            let old = this
                .state
                .get()
                .borrow_mut()
                .table
                .insert(Key::from_addr(addr), v);
            return old.map(drop).map_err(|_| PyMemoryError::new_err(()));
        }
        this.foreign_dict(slf.py())?.set_item(key, value)
    }

    fn __delitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let this = slf.get();
        if Self::is_self(slf, key) {
            let old = this.state.get().borrow_mut().keepalive.take();
            if old.is_empty() {
                return Err(PyKeyError::new_err(key.clone().unbind()));
            }
            drop(old);
            return Ok(());
        }
        if let Some(addr) = address(key) {
            let old = this
                .state
                .get()
                .borrow_mut()
                .table
                .remove(Key::from_addr(addr));
            return match old {
                Some(v) => {
                    drop(v);
                    Ok(())
                }
                None => Err(PyKeyError::new_err(key.clone().unbind())),
            };
        }
        let d = this.foreign_dict(slf.py())?;
        if d.contains(key)? {
            d.del_item(key)
        } else {
            Err(PyKeyError::new_err(key.clone().unbind()))
        }
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let keys = PyList::new(slf.py(), Self::keys_vec(slf)?)?;
        Ok(keys.try_iter()?.into_any().unbind())
    }

    fn keys(slf: &Bound<'_, Self>) -> PyResult<Vec<Py<PyAny>>> {
        Self::keys_vec(slf)
    }

    fn values(slf: &Bound<'_, Self>) -> PyResult<Vec<Py<PyAny>>> {
        Self::keys_vec(slf)?
            .into_iter()
            .map(|k| Self::__getitem__(slf, k.bind(slf.py())))
            .collect()
    }

    fn items(slf: &Bound<'_, Self>) -> PyResult<Vec<(Py<PyAny>, Py<PyAny>)>> {
        Self::keys_vec(slf)?
            .into_iter()
            .map(|k| {
                let v = Self::__getitem__(slf, k.bind(slf.py()))?;
                Ok((k, v))
            })
            .collect()
    }

    #[pyo3(signature = (key, default=None))]
    fn get(
        slf: &Bound<'_, Self>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        Ok(Self::lookup(slf, key)?.unwrap_or_else(|| default.unwrap_or_else(|| slf.py().None())))
    }

    #[pyo3(signature = (key, default=None))]
    fn setdefault(
        slf: &Bound<'_, Self>,
        key: &Bound<'_, PyAny>,
        default: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if let Some(v) = Self::lookup(slf, key)? {
            return Ok(v);
        }
        if Self::is_self(slf, key) {
            // The keepalive list always exists, even while empty; a default is not needed.
            return Self::keepalive(slf);
        }
        let value = default.unwrap_or_else(|| slf.py().None().into_bound(slf.py()));
        Self::__setitem__(slf, key, &value)?;
        Self::__getitem__(slf, key)
    }

    #[pyo3(signature = (key, *default))]
    fn pop(
        slf: &Bound<'_, Self>,
        key: &Bound<'_, PyAny>,
        default: &Bound<'_, PyTuple>,
    ) -> PyResult<Py<PyAny>> {
        match Self::lookup(slf, key)? {
            Some(v) => {
                Self::__delitem__(slf, key)?;
                Ok(v)
            }
            None if !default.is_empty() => Ok(default.get_item(0)?.unbind()),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    fn popitem(slf: &Bound<'_, Self>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let key = Self::keys_vec(slf)?
            .pop()
            .ok_or_else(|| PyKeyError::new_err("popitem(): memo is empty"))?;
        let value = Self::pop(slf, key.bind(slf.py()), &PyTuple::empty(slf.py()))?;
        Ok((key, value))
    }

    #[pyo3(signature = (other=None, **kwargs))]
    fn update(
        slf: &Bound<'_, Self>,
        other: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        if let Some(other) = other {
            let pairs = if other.hasattr("keys")? {
                let keys = other.call_method0("keys")?;
                let mut v = Vec::new();
                for k in keys.try_iter()? {
                    let k = k?;
                    let value = other.get_item(&k)?;
                    v.push((k, value));
                }
                v
            } else {
                let mut v = Vec::new();
                for item in other.try_iter()? {
                    let (k, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
                    v.push((k, value));
                }
                v
            };
            for (k, value) in pairs {
                Self::__setitem__(slf, &k, &value)?;
            }
        }
        if let Some(kwargs) = kwargs {
            for (k, value) in kwargs.iter() {
                Self::__setitem__(slf, &k, &value)?;
            }
        }
        Ok(())
    }

    fn clear(&self) {
        let garbage = self.state.get().borrow_mut().clear();
        drop(garbage);
    }

    fn copy(slf: &Bound<'_, Self>) -> PyResult<Py<PyDict>> {
        let d = PyDict::new(slf.py());
        for (k, v) in Self::items(slf)? {
            d.set_item(k, v)?;
        }
        Ok(d.unbind())
    }

    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mine = Self::copy(slf)?;
        let theirs = match other.cast::<MemoProxy>() {
            Ok(p) => Self::copy(p)?.into_bound(slf.py()).into_any(),
            Err(_) => other.clone(),
        };
        mine.bind(slf.py()).eq(theirs)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let n = slf.get().__len__();
        Ok(format!("<copium.memo object with {n} entries>"))
    }
}

#[pymethods]
impl KeepAliveView {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.proxy)
    }

    fn append(&self, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        let o = ffi::new_ref(obj.as_ptr());
        let pushed = self.state().borrow_mut().keepalive.push(o);
        pushed.map_err(|_| PyMemoryError::new_err(()))
    }

    fn extend(&self, objs: &Bound<'_, PyAny>) -> PyResult<()> {
        for o in objs.try_iter()? {
            self.append(&o?)?;
        }
        Ok(())
    }

    fn __len__(&self) -> usize {
        self.state().borrow().keepalive.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAny>> {
        let st = self.state().borrow();
        let len = st.keepalive.len() as isize;
        let i = if index < 0 { index + len } else { index };
        (0..len)
            .contains(&i)
            .then(|| st.keepalive.get(i as usize))
            .flatten()
            .map(|p| borrowed(py, p))
            .ok_or_else(|| PyIndexError::new_err("keepalive index out of range"))
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items: Vec<Py<PyAny>> = {
            let st = self.state().borrow();
            st.keepalive.iter().map(|p| borrowed(py, p)).collect()
        };
        Ok(PyList::new(py, items)?.try_iter()?.into_any().unbind())
    }

    fn __repr__(&self) -> String {
        format!("<copium.keepalive of {} objects>", self.__len__())
    }
}
