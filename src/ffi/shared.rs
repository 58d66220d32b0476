//! The calls that are the same in both builds (functions of the 3.9 limited API that the
//! version-specific build has no faster form of).

use super::{owned, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

/// What copium may use beyond the limited API on the running interpreter: every shortcut,
/// unless the interpreter is newer than the newest verified one or `COPIUM_LIMITED_API_ONLY`
/// is on (see `verified.rs`).
pub fn init_runtime(major: u8, minor: u8) {
    let allowed = super::verified::init(major, minor).shortcuts_allowed();
    super::runtime::init(major, minor, allowed);
    super::init_layout(major, minor, allowed);
}

#[inline(always)]
pub fn list_append(list: *mut PyObject, item: *mut PyObject) -> R<()> {
    // SAFETY: `list` is a live list, `item` a live object (not stolen).
    status(unsafe { ffi::PyList_Append(list, item) })
}

/// `del list[n:]`.
#[inline]
pub fn list_truncate(list: *mut PyObject, n: Py_ssize_t) -> R<()> {
    // SAFETY: `list` is a live list; a NULL value deletes the slice.
    status(unsafe { ffi::PyList_SetSlice(list, n, ffi::PyList_Size(list), ptr::null_mut()) })
}

#[inline(always)]
pub fn list_new_empty() -> R<Owned> {
    // SAFETY: creates a new empty list.
    owned(unsafe { ffi::PyList_New(0) })
}

#[inline(always)]
pub fn list_slice(list: *mut PyObject, lo: Py_ssize_t, hi: Py_ssize_t) -> R<Owned> {
    // SAFETY: `list` is a live list; out-of-range bounds are clamped by CPython.
    owned(unsafe { ffi::PyList_GetSlice(list, lo, hi) })
}

#[inline(always)]
pub fn tuple_new(n: Py_ssize_t) -> R<Owned> {
    // SAFETY: creates a new tuple whose slots the caller fills before exposing it.
    owned(unsafe { ffi::PyTuple_New(n) })
}

#[inline(always)]
pub fn dict_new() -> R<Owned> {
    // SAFETY: creates a new empty dict.
    owned(unsafe { ffi::PyDict_New() })
}

#[inline(always)]
pub fn dict_len(dict: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `dict` is a live dict.
    unsafe { ffi::PyDict_Size(dict) }
}

/// One step of dict iteration with borrowed key and value; `None` at the end.
#[inline(always)]
pub fn dict_next(
    dict: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<(*mut PyObject, *mut PyObject)> {
    DictNext::resolve().step(dict, pos)
}

/// Dict iteration through the function `PyDict_Next` forwards to where the interpreter
/// exports it (one call less per item), resolved once for a whole loop.
#[derive(Clone, Copy)]
pub struct DictNext(super::runtime::DictNextFn);

impl DictNext {
    #[inline(always)]
    pub fn resolve() -> Self {
        DictNext(super::runtime::dict_next().unwrap_or(limited_dict_next))
    }

    /// One step with borrowed key and value; `None` at the end.
    #[inline(always)]
    pub fn step(
        self,
        dict: *mut PyObject,
        pos: &mut Py_ssize_t,
    ) -> Option<(*mut PyObject, *mut PyObject)> {
        let mut k = ptr::null_mut();
        let mut v = ptr::null_mut();
        // SAFETY: `dict` is a live dict; both functions bounds-check `pos` themselves, so a
        // dict mutated between steps can never make them read out of bounds.
        (unsafe { (self.0)(dict, pos, &mut k, &mut v, ptr::null_mut()) } != 0).then_some((k, v))
    }
}

/// `PyDict_Next` in the shape of `_PyDict_Next`.
unsafe extern "C" fn limited_dict_next(
    dict: *mut PyObject,
    pos: *mut Py_ssize_t,
    key: *mut *mut PyObject,
    value: *mut *mut PyObject,
    _hash: *mut Py_ssize_t,
) -> std::os::raw::c_int {
    // SAFETY: the caller's pointers, as `PyDict_Next` takes them.
    unsafe { ffi::PyDict_Next(dict, pos, key, value) }
}

#[inline(always)]
pub fn dict_set(dict: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> R<()> {
    // SAFETY: live dict, key and value (none stolen).
    status(unsafe { ffi::PyDict_SetItem(dict, key, value) })
}

#[inline(always)]
pub fn dict_copy(dict: *mut PyObject) -> R<Owned> {
    // SAFETY: `dict` is a live dict.
    owned(unsafe { ffi::PyDict_Copy(dict) })
}

#[inline]
pub fn recursion_limit() -> usize {
    // SAFETY: reads an interpreter setting.
    let n = unsafe { ffi::Py_GetRecursionLimit() };
    n.max(1) as usize
}
