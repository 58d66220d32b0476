//! The limited API of CPython 3.9: what the shipped abi3 wheel is built from. Function calls
//! instead of macros, argument tuples instead of vectorcall.

use super::{owned, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

pub const VARIANT: &str = "abi3";

extern "C" {
    /// Part of the stable ABI: what the limited API's own `Py_DECREF` calls.
    fn _Py_Dealloc(op: *mut PyObject);
}

/// `Py_INCREF` as the 3.9 limited API defines it for GIL builds (the only ones that load
/// abi3 extensions): an inline increment. Immortal objects of 3.12+ are designed to tolerate
/// it (PEP 683); pyo3 would make this an out-of-line call into the interpreter.
///
/// # Safety
/// `op` is a live object and the caller holds the GIL.
#[inline(always)]
pub unsafe fn incref(op: *mut PyObject) {
    (*op).ob_refcnt += 1;
}

/// `Py_DECREF` as the 3.9 limited API defines it: decrement, and deallocate at zero.
///
/// # Safety
/// `op` is a live object the caller owns a reference to, and the caller holds the GIL.
#[inline(always)]
pub unsafe fn decref(op: *mut PyObject) {
    (*op).ob_refcnt -= 1;
    if (*op).ob_refcnt == 0 {
        _Py_Dealloc(op);
    }
}
pub const LIMITED_API: Option<&str> = Some("3.9");
/// Whether METH_FASTCALL may be used without checking the running version.
pub const FASTCALL_AVAILABLE: bool = false;

pub fn init_runtime(major: u8, minor: u8) {
    super::runtime::init(major, minor);
}

#[inline(always)]
pub fn list_len(list: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `list` is a live list.
    unsafe { ffi::PyList_Size(list) }
}

/// Borrowed item `i` of a list; the caller has checked `i < list_len(list)`.
#[inline(always)]
pub fn list_item(list: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `list` is a live list and `i` is in bounds.
    unsafe { ffi::PyList_GetItem(list, i) }
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
pub fn tuple_len(tuple: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `tuple` is a live tuple.
    unsafe { ffi::PyTuple_Size(tuple) }
}

#[inline(always)]
pub fn tuple_item(tuple: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `tuple` is a live tuple and `i` is in bounds.
    unsafe { ffi::PyTuple_GetItem(tuple, i) }
}

#[inline(always)]
pub fn tuple_new(n: Py_ssize_t) -> R<Owned> {
    // SAFETY: creates a new tuple whose slots the caller fills before exposing it.
    owned(unsafe { ffi::PyTuple_New(n) })
}

/// Stores `item` (stolen) at `i` of a tuple created by [`tuple_new`] and not yet shared.
#[inline(always)]
pub fn tuple_fill(tuple: *mut PyObject, i: Py_ssize_t, item: Owned) {
    // SAFETY: `tuple` is fresh and unshared, `i` in bounds; PyTuple_SetItem steals `item`.
    unsafe { ffi::PyTuple_SetItem(tuple, i, item.into_ptr()) };
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

// `PyObject_CallFunctionObjArgs` passes its arguments on the C stack through vectorcall
// (3.9+), so no argument tuple is allocated, and it is part of the 3.9 limited API.

#[inline]
pub fn call0(callable: *mut PyObject) -> R<Owned> {
    // SAFETY: `callable` is live; the argument list is NULL-terminated.
    owned(unsafe { ffi::PyObject_CallFunctionObjArgs(callable, ptr::null_mut::<PyObject>()) })
}

#[inline]
pub fn call1(callable: *mut PyObject, a: *mut PyObject) -> R<Owned> {
    // SAFETY: `callable` and `a` are live; the argument list is NULL-terminated.
    owned(unsafe { ffi::PyObject_CallFunctionObjArgs(callable, a, ptr::null_mut::<PyObject>()) })
}

#[inline]
pub fn call2(callable: *mut PyObject, a: *mut PyObject, b: *mut PyObject) -> R<Owned> {
    // SAFETY: all live; the argument list is NULL-terminated.
    owned(unsafe { ffi::PyObject_CallFunctionObjArgs(callable, a, b, ptr::null_mut::<PyObject>()) })
}

#[inline]
pub fn bytearray_copy(obj: *mut PyObject) -> R<Owned> {
    // SAFETY: `obj` is a live bytearray; its buffer is valid for `size` bytes and no Python
    // code runs between reading it and copying it.
    unsafe {
        let size = ffi::PyByteArray_Size(obj);
        let data = ffi::PyByteArray_AsString(obj);
        owned(ffi::PyByteArray_FromStringAndSize(data, size))
    }
}

#[inline]
pub fn recursion_limit() -> usize {
    // SAFETY: reads an interpreter setting.
    let n = unsafe { ffi::Py_GetRecursionLimit() };
    n.max(1) as usize
}
