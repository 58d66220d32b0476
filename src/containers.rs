//! Handlers for the builtin containers `deepcopy` knows natively, each matching what stdlib
//! does for that exact type, including when user code mutates the original mid-copy.

use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, exc_types, Owned, PyObject, Py_ssize_t, R};
use crate::half_made::{self, OpenCopy};
use crate::types::{self, statics};

/// `_deepcopy_list`: the copy is memoized before its items are copied (cycles), items are
/// read by index while the index is below the list's current length (like a list iterator).
#[inline(always)]
pub fn list<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    if M::NATIVE {
        return list_native(e, x, key);
    }
    let y = ffi::list_new_empty()?;
    e.memo.store(key, &y)?;
    append_items(e, x, y.as_ptr(), 0)?;
    Ok(y)
}

/// Stdlib's loop from item `i` on: `y.append(deepcopy(x[i]))` while `i < len(x)`.
fn append_items<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    y: *mut PyObject,
    mut i: Py_ssize_t,
) -> R<()> {
    while i < ffi::list_len(x) {
        let item = ffi::new_ref(ffi::list_item(x, i));
        let copied = e.deep(item.as_ptr())?;
        ffi::list_append(y, copied.as_ptr())?;
        i += 1;
    }
    Ok(())
}

/// The same result, built as one exact-size slice of the original whose non-atomic items
/// are then replaced by their copies. Every index is still read at its turn (user code
/// run by an earlier item's copy may have changed the original), and the copy grows or is
/// cut to the length the original ends with, as stdlib's appending loop would produce.
/// Python code that can see the memo must find stdlib's half-made copy: then the slice is
/// cut back to what is already done and the rest appended item by item (`half_made`).
#[inline(always)]
fn list_native<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let mut run = types::AtomicRun::new();
    let (y, prefix) = ffi::list_copy_counting(x, |item| run.holds(item))?;
    let i = prefix as Py_ssize_t;
    if i == ffi::list_len(y.as_ptr()) {
        if !e.at_unobserved_root() {
            e.memo.store(key, &y)?;
        }
        return Ok(y);
    }
    e.memo.store(key, &y)?;
    if e.memo.observable() {
        seen_list(e, x, y.as_ptr(), i)?;
        return Ok(y);
    }
    // Inlined as `fill_list` is: the closure is part of the engine's recursion.
    e.filling(
        y.as_ptr(),
        false,
        #[inline(always)]
        |e, open| fill_list(e, x, y.as_ptr(), i, open),
    )?;
    Ok(y)
}

/// A slice made while Python code can see the memo: cut to its atomic prefix `i`, the rest
/// appended item by item.
#[cold]
#[inline(never)]
fn seen_list<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    y: *mut PyObject,
    i: Py_ssize_t,
) -> R<()> {
    drop(half_made::cut_list(y, i)?);
    append_items(e, x, y, i)
}

/// The copy was settled while item `i` was copied: that copy appended, then the rest.
#[cold]
#[inline(never)]
fn settled_list<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    y: *mut PyObject,
    i: Py_ssize_t,
    copied: Owned,
) -> R<()> {
    ffi::list_append(y, copied.as_ptr())?;
    append_items(e, x, y, i + 1)
}

/// The slice's items from `i` on replaced by their copies, while the copy stays unsettled.
#[inline(always)]
fn fill_list<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    y: *mut PyObject,
    mut i: Py_ssize_t,
    open: &OpenCopy,
) -> R<()> {
    // Until an item's copy runs Python code, nothing can change `x`: the first non-atomic
    // item needs no check against the slice.
    let mut may_have_changed = false;
    while i < ffi::list_len(x) {
        let item = ffi::list_item(x, i);
        let kind = types::classify(ffi::type_of(item));
        let value = if kind == types::Kind::Atomic || e.is_own_copy(item, kind) {
            if !may_have_changed {
                i += 1;
                continue;
            }
            ffi::new_ref(item)
        } else {
            let item = ffi::new_ref(item);
            may_have_changed = true;
            open.copying(i);
            let copied = e.deep_kind(item.as_ptr(), kind)?;
            if open.settled() {
                return settled_list(e, x, y, i, copied);
            }
            copied
        };
        if i < ffi::list_len(y) {
            if ffi::list_item(y, i) != value.as_ptr() {
                ffi::list_set(y, i, value)?;
            }
        } else {
            ffi::list_append(y, value.as_ptr())?;
        }
        i += 1;
    }
    if i < ffi::list_len(y) {
        ffi::list_truncate(y, i)?;
    }
    Ok(())
}

/// `_deepcopy_dict`: memoized first; items copied in iteration order, each value before its
/// key (stdlib's `y[deepcopy(key)] = deepcopy(value)` evaluates the right side first); a dict
/// that changes size (or keys) while its items are being copied raises RuntimeError, as
/// iterating `x.items()` does.
pub fn dict<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    if M::NATIVE {
        return dict_native(e, x, key);
    }
    copy_into_new_dict(e, x, key)
}

/// Item by item into a new dict, as stdlib does.
fn copy_into_new_dict<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let y = ffi::dict_with_capacity(ffi::dict_len(x))?;
    e.memo.store(key, &y)?;
    copy_items(e, &mut DictItems::new(x), y.as_ptr())?;
    Ok(y)
}

/// Iteration over a dict's items with the checks of a dict items iterator.
struct DictItems {
    dict: *mut PyObject,
    stepper: ffi::DictNext,
    pos: Py_ssize_t,
    size: Py_ssize_t,
    remaining: Py_ssize_t,
}

impl DictItems {
    fn new(dict: *mut PyObject) -> Self {
        let size = ffi::dict_len(dict);
        DictItems {
            dict,
            stepper: ffi::DictNext::resolve(),
            pos: 0,
            size,
            remaining: size,
        }
    }

    /// The iteration from the `done`-th item on, whose key is `key` (no Python code has run
    /// since those were seen). A clone's entries usually sit where the original's do, so the
    /// clone's position `pos` is tried first; keys are unique, so finding `key` there means
    /// it is that item.
    fn resume(dict: *mut PyObject, pos: Py_ssize_t, done: Py_ssize_t, key: *mut PyObject) -> Self {
        let mut it = DictItems::new(dict);
        let mut probe = pos;
        if matches!(it.stepper.step(dict, &mut probe), Some((k, _)) if k == key) {
            it.pos = pos;
        } else {
            for _ in 0..done {
                it.stepper.step(dict, &mut it.pos);
            }
        }
        it.remaining -= done;
        it
    }

    /// The next (key, value), borrowed; `None` at the end.
    fn next(&mut self) -> R<Option<(*mut PyObject, *mut PyObject)>> {
        if ffi::dict_len(self.dict) != self.size {
            return Err(ffi::raise(
                exc_types::runtime_error(),
                "dictionary changed size during iteration",
            ));
        }
        let Some(item) = self.stepper.step(self.dict, &mut self.pos) else {
            return Ok(None);
        };
        if self.remaining == 0 {
            return Err(ffi::raise(
                exc_types::runtime_error(),
                "dictionary keys changed during iteration",
            ));
        }
        self.remaining -= 1;
        Ok(Some(item))
    }
}

/// `y[deepcopy(k)] = deepcopy(v)` for the rest of the items (value first, as Python
/// evaluates an assignment's right side before its target).
fn copy_items<M: Memo>(e: &mut Engine<M>, it: &mut DictItems, y: *mut PyObject) -> R<()> {
    while let Some((k, v)) = it.next()? {
        copy_item(e, k, v, y)?;
    }
    Ok(())
}

fn copy_item<M: Memo>(
    e: &mut Engine<M>,
    k: *mut PyObject,
    v: *mut PyObject,
    y: *mut PyObject,
) -> R<()> {
    let (k, v) = (ffi::new_ref(k), ffi::new_ref(v));
    let v2 = e.deep(v.as_ptr())?;
    let k2 = e.deep(k.as_ptr())?;
    ffi::dict_set(y, k2.as_ptr(), v2.as_ptr())
}

/// The copy starts as a clone of the original, a near-memcpy that already holds every atomic
/// key and value (unless a key to copy comes first: then item by item into a new dict, as
/// stdlib does); the clone's atomic prefix is walked alone (no Python code runs there, so its
/// items are the original's), then the original and the clone side by side, replacing the
/// non-atomic values by their copies. Each value is still read from the original at its turn,
/// so a value replaced meanwhile by user code is the one copied, as in stdlib. If the walks
/// diverge (a non-atomic key, or keys replaced while the size stayed the same), the clone's
/// unprocessed keys are dropped and the rest is copied item by item, giving stdlib's
/// insertion order; the same happens once Python code can see the memo (`half_made`).
fn dict_native<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let y = ffi::dict_copy(x)?;
    let Some((ypos, done, first_key)) = first_to_copy(y.as_ptr()) else {
        if !e.at_unobserved_root() {
            e.memo.store(key, &y)?;
        }
        return Ok(y);
    };
    if !types::is_atomic(ffi::type_of(first_key)) || e.memo.observable() {
        // Keys to copy come before any value to copy (the clone would have to be emptied
        // from there on), or Python code can see the memo (the clone, cut and filled again,
        // would grow a new table): stdlib's way, item by item into a new dict of the right
        // size. (Dropping the clone releases only references `x` holds too.)
        drop(y);
        return copy_into_new_dict(e, x, key);
    }
    e.memo.store(key, &y)?;
    let mut it = DictItems::resume(x, ypos, done, first_key);
    e.filling(
        y.as_ptr(),
        true,
        #[inline(always)]
        |e, open| fill_dict(e, &mut it, y.as_ptr(), ypos, open),
    )?;
    Ok(y)
}

/// The copy was settled while the value of `k` was copied: `y[deepcopy(k)] = copied`, then
/// the rest item by item.
#[cold]
#[inline(never)]
fn settled_dict<M: Memo>(
    e: &mut Engine<M>,
    it: &mut DictItems,
    y: *mut PyObject,
    k: Owned,
    copied: Owned,
) -> R<()> {
    let k = e.deep(k.as_ptr())?;
    ffi::dict_set(y, k.as_ptr(), copied.as_ptr())?;
    copy_items(e, it, y)
}

/// The clone's values from `ypos` on replaced by their copies, while the copy stays
/// unsettled.
#[inline(always)]
fn fill_dict<M: Memo>(
    e: &mut Engine<M>,
    it: &mut DictItems,
    y: *mut PyObject,
    mut ypos: Py_ssize_t,
    open: &OpenCopy,
) -> R<()> {
    while let Some((kx, vx)) = it.next()? {
        let clone_entry = it.stepper.step(y, &mut ypos);
        match clone_entry {
            Some((ky, vy)) if ky == kx && types::is_atomic(ffi::type_of(kx)) => {
                let kind = types::classify(ffi::type_of(vx));
                if kind == types::Kind::Atomic || e.is_own_copy(vx, kind) {
                    if vy != vx {
                        ffi::dict_set(y, kx, vx)?;
                    }
                } else {
                    let (k, v) = (ffi::new_ref(kx), ffi::new_ref(vx));
                    open.copying(ypos);
                    let copied = e.deep_kind(v.as_ptr(), kind)?;
                    if open.settled() {
                        return settled_dict(e, it, y, k, copied);
                    }
                    ffi::dict_replace(y, ypos, k.as_ptr(), copied)?;
                }
            }
            diverged => {
                open.leave();
                // The clone's entries from the one it was at (just stepped past) on.
                let from = if diverged.is_some() { ypos - 1 } else { ypos };
                drop(half_made::cut_dict(y, from)?);
                copy_item(e, kx, vx, y)?;
                return copy_items(e, it, y);
            }
        }
    }
    Ok(())
}

/// The first item of a fresh clone whose key or value is not atomic: its position, how many
/// items come before it, and its key; `None` when there is none. (No Python code runs.)
#[inline(always)]
fn first_to_copy(y: *mut PyObject) -> Option<(Py_ssize_t, Py_ssize_t, *mut PyObject)> {
    let (mut keys_run, mut values_run) = (types::AtomicRun::new(), types::AtomicRun::new());
    ffi::dict_prefix(y, |k| keys_run.holds(k), |v| values_run.holds(v)).err()
}

/// `_deepcopy_tuple`: the same tuple back when every item copies to itself; after the items,
/// the memo is checked again in case the tuple was reached (and copied) through its items.
///
/// The copies are collected first and the new tuple is built only once they all exist: user
/// code runs while items are copied, and must never meet a tuple with empty slots (through
/// `gc.get_objects()`, for instance).
pub fn tuple<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let n = ffi::tuple_len(x);
    // Copies of items 0..copies.len(), kept once some item copied to a different object.
    let mut copies = ffi::Items::new();
    let mut differs = false;
    let mut reentrant = !M::NATIVE;
    // The native memo never holds atomics, so a leading run of them needs no engine call.
    let start = if M::NATIVE {
        let mut run = types::AtomicRun::new();
        ffi::tuple_prefix(x, |item| run.holds(item)) as Py_ssize_t
    } else {
        0
    };
    for i in start..n {
        let item = ffi::tuple_item(x, i);
        let kind = types::classify(ffi::type_of(item));
        if M::NATIVE && !differs && (kind == types::Kind::Atomic || e.is_own_copy(item, kind)) {
            continue;
        }
        reentrant = true;
        let c = e.deep_kind(item, kind)?;
        if !differs && c.as_ptr() != item {
            differs = true;
            if copies.try_reserve_exact(n as usize).is_err() {
                // SAFETY: sets MemoryError on the current thread, which holds the GIL.
                unsafe { pyo3_ffi::PyErr_NoMemory() };
                return Err(ffi::Fail);
            }
            copies.extend((0..i).map(|j| ffi::new_ref(ffi::tuple_item(x, j))));
        }
        if differs {
            copies.push(c);
        }
    }
    if reentrant {
        if let Some(y) = e.memo.recheck(key)? {
            return Ok(y);
        }
    }
    if differs {
        ffi::tuple_from(copies.into_iter())
    } else {
        Ok(ffi::new_ref(x))
    }
}

/// `_deepcopy_frozendict` (3.15+): the items copied into a new dict (each value before its
/// key, as for a dict), the memo checked again in case the frozendict was reached through its
/// items, then a new frozendict of the copies: always a new object, even when every item is
/// atomic. A frozendict never changes, so its items can be walked while user code runs.
pub fn frozendict<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<Owned> {
    let y = ffi::dict_with_capacity(ffi::dict_len(x))?;
    let step = ffi::DictNext::resolve();
    let mut pos: Py_ssize_t = 0;
    let mut reentrant = !M::NATIVE;
    while let Some((k, v)) = step.step(x, &mut pos) {
        if M::NATIVE && types::is_atomic(ffi::type_of(k)) && types::is_atomic(ffi::type_of(v)) {
            ffi::dict_set(y.as_ptr(), k, v)?;
            continue;
        }
        reentrant = true;
        copy_item(e, k, v, y.as_ptr())?;
    }
    if reentrant {
        if let Some(copied) = e.memo.recheck(key)? {
            return Ok(copied);
        }
    }
    ffi::call1(types::frozendict_type().cast(), y.as_ptr())
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
/// new set from the copies in that order (always a new object, even for a frozenset of
/// atomics). The snapshot is taken before any copy runs Python code that could change `x`.
pub fn set<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, frozen: bool) -> R<Owned> {
    let mut items = ffi::SetItems::new(x)?;
    let mut snapshot = Vec::new();
    if snapshot.try_reserve_exact(ffi::set_len(x)).is_err() {
        return Err(no_memory());
    }
    while let Some(item) = items.next(x)? {
        if snapshot.try_reserve(1).is_err() {
            return Err(no_memory());
        }
        snapshot.push(item);
    }
    drop(items);
    if frozen && snapshot.is_empty() {
        // Through the type, as stdlib's reduce path does: on 3.9 an empty result is the
        // shared empty frozenset, which copies as itself.
        let empty = ffi::tuple_new(0)?;
        return ffi::call1(types::frozenset_type().cast(), empty.as_ptr());
    }
    // Every item is copied before any copy is inserted, as stdlib copies the snapshot list
    // before building the set from it (so a copy's error comes before any hashing error).
    // An atomic item copies as itself. (No `AtomicRun` here: copies may run Python code
    // between items.)
    for item in snapshot.iter_mut() {
        let kind = types::classify(ffi::type_of(item.as_ptr()));
        if kind != types::Kind::Atomic && !e.is_own_copy(item.as_ptr(), kind) {
            *item = e.deep_kind(item.as_ptr(), kind)?;
        }
    }
    let y = ffi::set_new_empty(frozen)?;
    for item in &snapshot {
        ffi::set_add(y.as_ptr(), item.as_ptr())?;
    }
    Ok(y)
}

/// MemoryError, for a buffer that could not grow.
fn no_memory() -> ffi::Fail {
    // SAFETY: sets MemoryError on the current thread, which holds the GIL.
    unsafe { pyo3_ffi::PyErr_NoMemory() };
    ffi::Fail
}
