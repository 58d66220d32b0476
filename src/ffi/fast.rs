//! Version-specific fast paths for a build against one interpreter's full API: struct access
//! through the inline macros, vectorcall, and optional-attribute lookup without exceptions.

use super::{owned, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

pub const VARIANT: &str = "fast-paths";

/// # Safety
/// `op` is a live object and the caller holds the GIL.
#[inline(always)]
pub unsafe fn incref(op: *mut PyObject) {
    ffi::Py_INCREF(op);
}

/// # Safety
/// `op` is a live object the caller owns a reference to, and the caller holds the GIL.
#[inline(always)]
pub unsafe fn decref(op: *mut PyObject) {
    ffi::Py_DECREF(op);
}
pub const LIMITED_API: Option<&str> = None;
/// Whether METH_FASTCALL may be used without checking the running version.
pub const FASTCALL_AVAILABLE: bool = true;

pub fn init_runtime(major: u8, minor: u8) {
    super::runtime::init(major, minor);
}

#[inline(always)]
pub fn list_len(list: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `list` is a live list.
    unsafe { ffi::PyList_GET_SIZE(list) }
}

#[inline(always)]
pub fn list_item(list: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `list` is a live list and the caller checked `i < list_len(list)`.
    unsafe { ffi::PyList_GET_ITEM(list, i) }
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
    // SAFETY: `list` is a live list; bounds are clamped by CPython.
    owned(unsafe { ffi::PyList_GetSlice(list, lo, hi) })
}

#[inline(always)]
pub fn tuple_len(tuple: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `tuple` is a live tuple.
    unsafe { ffi::PyTuple_GET_SIZE(tuple) }
}

#[inline(always)]
pub fn tuple_item(tuple: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `tuple` is a live tuple and `i` is in bounds.
    unsafe { ffi::PyTuple_GET_ITEM(tuple, i) }
}

#[inline(always)]
pub fn tuple_new(n: Py_ssize_t) -> R<Owned> {
    // SAFETY: creates a new tuple whose slots the caller fills before exposing it.
    owned(unsafe { ffi::PyTuple_New(n) })
}

#[inline(always)]
pub fn tuple_fill(tuple: *mut PyObject, i: Py_ssize_t, item: Owned) {
    // SAFETY: `tuple` is fresh and unshared with an empty slot `i`; SET_ITEM steals `item`.
    unsafe { ffi::PyTuple_SET_ITEM(tuple, i, item.into_ptr()) };
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

#[inline(always)]
pub fn dict_next(
    dict: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<(*mut PyObject, *mut PyObject)> {
    let mut k = ptr::null_mut();
    let mut v = ptr::null_mut();
    // SAFETY: `dict` is live; PyDict_Next bounds-checks `pos` itself.
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
pub fn call0(callable: *mut PyObject) -> R<Owned> {
    // SAFETY: `callable` is live; vectorcall with zero arguments reads no argument array.
    owned(unsafe { ffi::PyObject_Vectorcall(callable, ptr::null(), 0, ptr::null_mut()) })
}

#[inline]
pub fn call1(callable: *mut PyObject, a: *mut PyObject) -> R<Owned> {
    // SAFETY: `callable` and `a` are live for the duration of the call.
    owned(unsafe { ffi::PyObject_CallOneArg(callable, a) })
}

#[inline]
pub fn call2(callable: *mut PyObject, a: *mut PyObject, b: *mut PyObject) -> R<Owned> {
    let args = [a, b];
    // SAFETY: the argument array outlives the call and holds two live objects.
    owned(unsafe { ffi::PyObject_Vectorcall(callable, args.as_ptr(), 2, ptr::null_mut()) })
}

#[inline]
pub fn bytearray_copy(obj: *mut PyObject) -> R<Owned> {
    // SAFETY: `obj` is a live bytearray; its buffer is valid for its size and no Python code
    // runs between reading and copying it.
    unsafe {
        let size = ffi::PyByteArray_Size(obj);
        let data = ffi::PyByteArray_AS_STRING(obj);
        owned(ffi::PyByteArray_FromStringAndSize(data, size))
    }
}

#[inline]
pub fn recursion_limit() -> usize {
    // SAFETY: reads an interpreter setting.
    let n = unsafe { ffi::Py_GetRecursionLimit() };
    n.max(1) as usize
}
