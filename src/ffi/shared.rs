//! The calls that are the same in both builds (functions of the 3.9 limited API that the
//! version-specific build has no faster form of).

use super::{owned, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

pub fn init_runtime(major: u8, minor: u8) {
    super::runtime::init(major, minor);
}

#[inline(always)]
pub fn list_append(list: *mut PyObject, item: *mut PyObject) -> R<()> {
    // SAFETY: `list` is a live list, `item` a live object (not stolen).
    status(unsafe { ffi::PyList_Append(list, item) })
}

/// `list[i] = item` (stolen) for an index in bounds; the old item is released.
#[inline(always)]
pub fn list_set(list: *mut PyObject, i: Py_ssize_t, item: Owned) -> R<()> {
    // SAFETY: `list` is a live list and `i` in bounds; PyList_SetItem steals `item`.
    status(unsafe { ffi::PyList_SetItem(list, i, item.into_ptr()) })
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
    let mut k = ptr::null_mut();
    let mut v = ptr::null_mut();
    // SAFETY: `dict` is a live dict; PyDict_Next bounds-checks `pos` itself, so a dict
    // mutated between steps can never make it read out of bounds.
    (unsafe { ffi::PyDict_Next(dict, pos, &mut k, &mut v) } != 0).then_some((k, v))
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
