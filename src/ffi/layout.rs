//! In-place item reads for the abi3 build. The limited API reaches a list's or tuple's items
//! only through one function call per item, which costs as much as the rest of a flat copy.
//! Every CPython that loads abi3 modules from 3.9 to 3.15 (GIL builds only) lays these objects
//! out the same way: a list's item array pointer follows the `PyVarObject` header, and a
//! tuple's items start at `tuple.__basicsize__` (3.14 put a cached hash before them). On
//! those versions, and only once a probe at import has read known items back through both
//! routes and found them equal, the items are read in place; anywhere else (a CPython newer
//! than the newest verified one, `COPIUM_LIMITED_API_ONLY=1`) the limited API's calls are
//! used.

use super::{decref, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `PyListObject.ob_item`: right after the variable-size header.
const LIST_ITEMS_FIELD: usize = std::mem::size_of::<ffi::PyVarObject>();

static LISTS_IN_PLACE: AtomicBool = AtomicBool::new(false);
/// Where a tuple's items start; 0 while they are read through the API.
static TUPLE_ITEMS_AT: AtomicUsize = AtomicUsize::new(0);

/// Decides, once at import, whether items are read in place (`allowed` is false on an
/// interpreter that is not verified, see `verified.rs`).
pub fn init(major: u8, minor: u8, allowed: bool) {
    if !allowed || (major, minor) < (3, 9) {
        return;
    }
    let Some(tuple_items_at) = tuple_basicsize() else {
        return;
    };
    if probe_list() && probe_tuple(tuple_items_at) {
        TUPLE_ITEMS_AT.store(tuple_items_at, Ordering::Relaxed);
        LISTS_IN_PLACE.store(true, Ordering::Relaxed);
    }
}

/// Whether items are read in place (reported by `python -m copium info`).
pub fn in_place() -> bool {
    LISTS_IN_PLACE.load(Ordering::Relaxed)
}

/// Borrowed item `i` of a list; the caller has checked `i < len(list)`.
#[inline(always)]
pub fn list_item(list: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    if LISTS_IN_PLACE.load(Ordering::Relaxed) {
        // SAFETY: the probe confirmed the layout on this interpreter; `list` is a live list
        // and `i` is in bounds, so the slot is initialized.
        unsafe { *list_items(list).add(i as usize) }
    } else {
        // SAFETY: `list` is a live list and `i` is in bounds.
        unsafe { ffi::PyList_GetItem(list, i) }
    }
}

/// `list[i] = item` (stolen) for an index in bounds; the old item is released afterwards,
/// as `PyList_SetItem` does.
#[inline(always)]
pub fn list_set(list: *mut PyObject, i: Py_ssize_t, item: Owned) -> R<()> {
    if LISTS_IN_PLACE.load(Ordering::Relaxed) {
        // SAFETY: the probe confirmed the layout; `i` is in bounds, so the slot holds a
        // reference the list owns, which is released only once the new item is in place.
        unsafe {
            let slot = list_items(list).cast_mut().add(i as usize);
            let old = std::ptr::replace(slot, item.into_ptr());
            decref(old);
        }
        Ok(())
    } else {
        // SAFETY: `list` is a live list and `i` in bounds; PyList_SetItem steals `item`.
        status(unsafe { ffi::PyList_SetItem(list, i, item.into_ptr()) })
    }
}

/// `list[:]`, and how many of its leading items satisfy `pred` (which must not run Python
/// code), counted in the same pass that fills the copy: each item is read once, so a flat
/// list costs little more than the slice itself (and a short one less than
/// `PyList_GetSlice` followed by a second read).
#[inline(always)]
pub fn list_copy_counting(
    list: *mut PyObject,
    mut pred: impl FnMut(*mut PyObject) -> bool,
) -> R<(Owned, usize)> {
    // SAFETY: `list` is a live list, so `Py_SIZE` is its length.
    let n = unsafe { ffi::Py_SIZE(list) };
    if LISTS_IN_PLACE.load(Ordering::Relaxed) && n > 0 {
        // SAFETY: creates a new list whose `n` empty slots are filled below before it is used.
        let y = super::owned(unsafe { ffi::PyList_New(n) })?;
        // A collection triggered by the allocation may have run code that resized `list`;
        // the slice below then reads the list as it is now.
        // SAFETY: `list` is still a live list.
        if unsafe { ffi::Py_SIZE(list) } == n {
            // SAFETY: the probe confirmed the layout; both arrays hold `n` slots, the source
            // ones initialized. Nothing here runs Python code, so neither list changes.
            let prefix =
                unsafe { super::fill_counting(list_items(list), list_items(y.as_ptr()), n, pred) };
            return Ok((y, prefix));
        }
    }
    let y = super::list_slice(list, 0, n)?;
    // The slice holds the original's items as they were when it was made (a collection
    // during its allocation may have run code), and reading them runs none.
    let m = super::list_len(y.as_ptr());
    let prefix = (0..m)
        .take_while(|&i| pred(list_item(y.as_ptr(), i)))
        .count();
    Ok((y, prefix))
}

/// The address of item `i` of a tuple whose items start `at` bytes into the object.
///
/// # Safety
/// `at` is the probed offset of the items and `i` is in bounds of the live tuple `tuple`.
#[inline(always)]
unsafe fn tuple_slot(tuple: *mut PyObject, at: usize, i: Py_ssize_t) -> *mut *mut PyObject {
    // SAFETY: the caller's contract keeps the address inside the tuple's item array.
    unsafe {
        tuple
            .cast::<u8>()
            .add(at)
            .cast::<*mut PyObject>()
            .add(i as usize)
    }
}

/// Borrowed item `i` of a tuple; the caller has checked `i < len(tuple)`.
#[inline(always)]
pub fn tuple_item(tuple: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    let at = TUPLE_ITEMS_AT.load(Ordering::Relaxed);
    if at != 0 {
        // SAFETY: as for lists; the items of a tuple live inside the object from `at` on.
        unsafe { *tuple_slot(tuple, at, i) }
    } else {
        // SAFETY: `tuple` is a live tuple and `i` is in bounds.
        unsafe { ffi::PyTuple_GetItem(tuple, i) }
    }
}

/// Stores `item` (stolen) at `i` of a tuple created by `tuple_new` and not yet shared (its
/// slot is still empty), as `PyTuple_SET_ITEM` does where the layout is known.
#[inline(always)]
pub fn tuple_fill(tuple: *mut PyObject, i: Py_ssize_t, item: Owned) {
    let at = TUPLE_ITEMS_AT.load(Ordering::Relaxed);
    if at != 0 {
        // SAFETY: the probe confirmed the layout; `i` is in bounds of a fresh tuple whose
        // slot holds no reference yet, so the stolen reference simply takes it.
        unsafe { *tuple_slot(tuple, at, i) = item.into_ptr() };
    } else {
        // SAFETY: `tuple` is fresh and unshared, `i` in bounds; PyTuple_SetItem steals `item`.
        unsafe { ffi::PyTuple_SetItem(tuple, i, item.into_ptr()) };
    }
}

/// How many leading items of a tuple satisfy `pred` (which must not run Python code).
#[inline(always)]
pub fn tuple_prefix(tuple: *mut PyObject, mut pred: impl FnMut(*mut PyObject) -> bool) -> usize {
    // SAFETY: `tuple` is a live tuple, so `Py_SIZE` is its length.
    let n = unsafe { ffi::Py_SIZE(tuple) } as usize;
    let at = TUPLE_ITEMS_AT.load(Ordering::Relaxed);
    if at != 0 && n > 0 {
        // SAFETY: as in `tuple_item`: the `n` items live inside the object from `at` on, and
        // a tuple's items never change once it is shared.
        let items = unsafe {
            std::slice::from_raw_parts(tuple.cast::<u8>().add(at).cast::<*mut PyObject>(), n)
        };
        items.iter().take_while(|&&item| pred(item)).count()
    } else {
        (0..n)
            .take_while(|&i| pred(tuple_item(tuple, i as Py_ssize_t)))
            .count()
    }
}

/// # Safety
/// `list` is a live list on an interpreter with the known layout.
#[inline(always)]
unsafe fn list_items(list: *mut PyObject) -> *const *mut PyObject {
    *list
        .cast::<u8>()
        .add(LIST_ITEMS_FIELD)
        .cast::<*const *mut PyObject>()
}

fn tuple_basicsize() -> Option<usize> {
    // SAFETY: reads a builtin attribute of the tuple type; any error is cleared.
    unsafe {
        let size = ffi::PyObject_GetAttrString(
            std::ptr::addr_of_mut!(ffi::PyTuple_Type).cast(),
            c"__basicsize__".as_ptr(),
        );
        if size.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let n = ffi::PyLong_AsSsize_t(size);
        decref(size);
        if n <= 0 {
            ffi::PyErr_Clear();
            return None;
        }
        Some(n as usize)
    }
}

/// Three distinct objects that outlive the probe.
fn probe_items() -> [*mut PyObject; 3] {
    // SAFETY: the singletons are process-lifetime statics.
    unsafe { [ffi::Py_None(), ffi::Py_True(), ffi::Py_False()] }
}

fn probe_list() -> bool {
    let items = probe_items();
    // SAFETY: a new list we own, filled through the API and read back both ways; on any
    // failure the error is cleared and the probe fails.
    unsafe {
        let list = ffi::PyList_New(0);
        if list.is_null() {
            ffi::PyErr_Clear();
            return false;
        }
        let mut ok = items.iter().all(|&o| ffi::PyList_Append(list, o) == 0)
            && ffi::PyList_Size(list) == items.len() as Py_ssize_t;
        if ok {
            let array = list_items(list);
            ok = !array.is_null()
                && (0..items.len())
                    .all(|i| *array.add(i) == ffi::PyList_GetItem(list, i as Py_ssize_t));
        }
        ffi::PyErr_Clear();
        decref(list);
        ok
    }
}

fn probe_tuple(items_at: usize) -> bool {
    let items = probe_items();
    // SAFETY: as for the list probe; the tuple has `items.len()` slots from `items_at` on
    // when the layout is the known one, and the read stays inside its allocation (which is
    // at least `items_at` plus one slot per item) in any case.
    unsafe {
        let tuple = ffi::PyTuple_Pack(3, items[0], items[1], items[2]);
        if tuple.is_null() {
            ffi::PyErr_Clear();
            return false;
        }
        let array = tuple.cast::<u8>().add(items_at).cast::<*mut PyObject>();
        let ok = ffi::PyTuple_Size(tuple) == items.len() as Py_ssize_t
            && (0..items.len())
                .all(|i| *array.add(i) == ffi::PyTuple_GetItem(tuple, i as Py_ssize_t));
        ffi::PyErr_Clear();
        decref(tuple);
        ok
    }
}
