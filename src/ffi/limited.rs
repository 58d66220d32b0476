//! The limited API of CPython 3.9: what the shipped abi3 wheel is built from. Item access
//! through function calls instead of macros; refcounting inline, as the 3.9 headers do it.

use super::{owned, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

pub const VARIANT: &str = "abi3";

pub use super::layout::{
    in_place as items_in_place, init as init_layout, list_copy_counting, list_item, list_set,
    tuple_fill, tuple_item, tuple_prefix,
};

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

#[inline(always)]
pub fn list_len(list: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `list` is a live list, a PyVarObject; `Py_SIZE` is an inline read of `ob_size`
    // in the 3.9 limited API.
    unsafe { ffi::Py_SIZE(list) }
}

#[inline(always)]
pub fn tuple_len(tuple: *mut PyObject) -> Py_ssize_t {
    // SAFETY: `tuple` is a live tuple, a PyVarObject (see `list_len`).
    unsafe { ffi::Py_SIZE(tuple) }
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
