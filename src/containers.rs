//! Handlers for the builtin containers `deepcopy` knows natively, each matching what stdlib
//! does for that exact type, including when user code mutates the original mid-copy.

use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, exc_types, Owned, PyObject, Py_ssize_t, R};
use crate::types::{self, statics};

/// `_deepcopy_list`: the copy is memoized before its items are copied (cycles), items are
/// read by index while the index is below the list's current length (like a list iterator).
pub fn list<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let mut i: Py_ssize_t = 0;
    let y = if M::NATIVE {
        // Leading atomics are copied in one slice; an all-atomic list is just a slice copy.
        let n = ffi::list_len(x);
        while i < n && types::is_atomic(ffi::type_of(ffi::list_item(x, i))) {
            i += 1;
        }
        ffi::list_slice(x, 0, i)?
    } else {
        ffi::list_new_empty()?
    };
    e.memo.store(key, &y)?;
    while i < ffi::list_len(x) {
        let item = ffi::new_ref(ffi::list_item(x, i));
        let copied = e.deep(item.as_ptr())?;
        ffi::list_append(y.as_ptr(), copied.as_ptr())?;
        i += 1;
    }
    Ok(y)
}

/// Are every key and value of the dict atomic? (No Python code runs while checking.)
fn dict_is_atomic(x: *mut PyObject) -> bool {
    let mut pos = 0;
    while let Some((k, v)) = ffi::dict_next(x, &mut pos) {
        if !types::is_atomic(ffi::type_of(k)) || !types::is_atomic(ffi::type_of(v)) {
            return false;
        }
    }
    true
}

/// `_deepcopy_dict`: memoized first; keys then values copied in iteration order; a dict
/// that changes size (or keys) while its items are being copied raises RuntimeError, as
/// iterating `x.items()` does.
pub fn dict<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    if M::NATIVE && dict_is_atomic(x) {
        let y = ffi::dict_copy(x)?;
        e.memo.store(key, &y)?;
        return Ok(y);
    }
    let y = ffi::dict_new()?;
    e.memo.store(key, &y)?;
    let size = ffi::dict_len(x);
    let mut remaining = size;
    let mut pos = 0;
    loop {
        if ffi::dict_len(x) != size {
            return Err(ffi::raise(
                exc_types::runtime_error(),
                "dictionary changed size during iteration",
            ));
        }
        let Some((k, v)) = ffi::dict_next(x, &mut pos) else {
            break;
        };
        if remaining == 0 {
            return Err(ffi::raise(
                exc_types::runtime_error(),
                "dictionary keys changed during iteration",
            ));
        }
        remaining -= 1;
        let (k, v) = (ffi::new_ref(k), ffi::new_ref(v));
        let k2 = e.deep(k.as_ptr())?;
        let v2 = e.deep(v.as_ptr())?;
        ffi::dict_set(y.as_ptr(), k2.as_ptr(), v2.as_ptr())?;
    }
    Ok(y)
}

/// `_deepcopy_tuple`: the same tuple back when every item copies to itself; after the items,
/// the memo is checked again in case the tuple was reached (and copied) through its items.
pub fn tuple<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let n = ffi::tuple_len(x);
    let mut copy: Option<Owned> = None;
    let mut reentrant = !M::NATIVE;
    for i in 0..n {
        let item = ffi::tuple_item(x, i);
        if M::NATIVE && copy.is_none() && types::is_atomic(ffi::type_of(item)) {
            continue;
        }
        reentrant = true;
        let c = e.deep(item)?;
        if let Some(t) = &copy {
            ffi::tuple_fill(t.as_ptr(), i, c);
        } else if c.as_ptr() != item {
            let t = ffi::tuple_new(n)?;
            for j in 0..i {
                ffi::tuple_fill(t.as_ptr(), j, ffi::new_ref(ffi::tuple_item(x, j)));
            }
            ffi::tuple_fill(t.as_ptr(), i, c);
            copy = Some(t);
        }
    }
    if reentrant {
        if let Some(y) = e.memo.recheck(key)? {
            return Ok(y);
        }
    }
    Ok(copy.unwrap_or_else(|| ffi::new_ref(x)))
}

/// `_deepcopy_method`: `type(x)(x.__func__, deepcopy(x.__self__, memo))`.
pub fn method<M: Memo>(e: &mut Engine<M>, x: *mut PyObject) -> R<Owned> {
    let names = &statics().names;
    let func = ffi::getattr(x, names.func.as_ptr())?;
    let bound = ffi::getattr(x, names.self_.as_ptr())?;
    let bound = e.deep(bound.as_ptr())?;
    ffi::call2(ffi::type_of(x).cast(), func.as_ptr(), bound.as_ptr())
}

/// set/frozenset, as stdlib's reduce path does it: snapshot the items, copy each, build a
/// new set from the copies (always a new object, even for a frozenset of atomics).
pub fn set<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, frozen: bool) -> R<Owned> {
    let items = ffi::list_new_empty()?;
    let it = ffi::get_iter(x)?;
    let mut snapshot = Vec::new();
    while let Some(item) = ffi::iter_next(it.as_ptr())? {
        snapshot.push(item);
    }
    drop(it);
    for item in snapshot {
        let c = e.deep(item.as_ptr())?;
        ffi::list_append(items.as_ptr(), c.as_ptr())?;
    }
    if frozen {
        // Through the type, as stdlib's reduce path does: on 3.9 an empty result is the
        // shared empty frozenset, which copies as itself.
        ffi::call1(types::frozenset_type().cast(), items.as_ptr())
    } else {
        // SAFETY: `items` is a live list; PySet_New accepts any iterable.
        ffi::owned(unsafe { pyo3_ffi::PySet_New(items.as_ptr()) })
    }
}
