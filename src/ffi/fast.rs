//! Version-specific fast paths for a build against one interpreter's full API: struct access
//! through the inline macros, vectorcall, and optional-attribute lookup without exceptions.

use super::{owned, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

pub const VARIANT: &str = "fast-paths";

/// Items are always read in place here, through the interpreter's own macros.
pub fn items_in_place() -> bool {
    true
}

pub fn init_layout(_major: u8, _minor: u8, _allowed: bool) {}

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

/// `list[i] = item` (stolen) for an index in bounds; the old item is released afterwards.
#[inline(always)]
pub fn list_set(list: *mut PyObject, i: Py_ssize_t, item: Owned) -> R<()> {
    // SAFETY: `list` is a live list and `i` in bounds, so the slot holds a reference the list
    // owns, released only once the new item is in place.
    unsafe {
        let old = ffi::PyList_GET_ITEM(list, i);
        ffi::PyList_SET_ITEM(list, i, item.into_ptr());
        decref(old);
    }
    Ok(())
}

/// `list[:]`, and how many of its leading items satisfy `pred` (which must not run Python
/// code), counted in the same pass that fills the copy.
#[inline(always)]
pub fn list_copy_counting(
    list: *mut PyObject,
    mut pred: impl FnMut(*mut PyObject) -> bool,
) -> R<(Owned, usize)> {
    let n = list_len(list);
    if n > 0 {
        // SAFETY: creates a new list whose `n` empty slots are filled below before it is used.
        let y = owned(unsafe { ffi::PyList_New(n) })?;
        // A collection triggered by the allocation may have run code that resized `list`;
        // the slice below then reads the list as it is now.
        if list_len(list) == n {
            // SAFETY: both item arrays hold `n` slots, the source ones initialized, the new
            // list's empty and unshared; nothing here runs Python code, so neither changes.
            let prefix = unsafe {
                super::fill_counting(
                    (*list.cast::<ffi::PyListObject>()).ob_item,
                    (*y.as_ptr().cast::<ffi::PyListObject>()).ob_item,
                    n,
                    pred,
                )
            };
            return Ok((y, prefix));
        }
    }
    // The slice holds the original's items as they were when it was made, and reading them
    // runs no Python code.
    let y = super::list_slice(list, 0, list_len(list))?;
    let prefix = (0..list_len(y.as_ptr()))
        .take_while(|&i| pred(list_item(y.as_ptr(), i)))
        .count();
    Ok((y, prefix))
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

/// How many leading items of a tuple satisfy `pred` (which must not run Python code).
#[inline(always)]
pub fn tuple_prefix(tuple: *mut PyObject, mut pred: impl FnMut(*mut PyObject) -> bool) -> usize {
    // SAFETY: `tuple` is a live tuple.
    let n = unsafe { ffi::PyTuple_GET_SIZE(tuple) } as usize;
    if n == 0 {
        return 0;
    }
    // SAFETY: `ob_item` holds `n` initialized items, which never change once it is shared.
    let items = unsafe {
        std::slice::from_raw_parts(
            std::ptr::addr_of!((*tuple.cast::<ffi::PyTupleObject>()).ob_item)
                .cast::<*mut PyObject>(),
            n,
        )
    };
    items.iter().take_while(|&&item| pred(item)).count()
}

#[inline(always)]
pub fn tuple_fill(tuple: *mut PyObject, i: Py_ssize_t, item: Owned) {
    // SAFETY: `tuple` is fresh and unshared with an empty slot `i`; SET_ITEM steals `item`.
    unsafe { ffi::PyTuple_SET_ITEM(tuple, i, item.into_ptr()) };
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
