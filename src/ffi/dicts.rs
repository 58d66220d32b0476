//! In-place reads of a dict's entries, for both builds. Walking a dict through `PyDict_Next`
//! (or `_PyDict_Next`) costs a function call and its checks per item, several times what
//! cloning the dict costs per item; CPython 3.11 to 3.15 (GIL builds) share one layout of a
//! dict with a combined table (`Include/internal/pycore_dict.h`, `cpython/dictobject.h`):
//! `ma_keys` after `ma_used` and a 64-bit tag; the keys object's entries after its index
//! array of `1 << dk_log2_index_bytes` bytes; entries of `(hash, key, value)`, or of
//! `(key, value)` when every key is an exact str (`dk_kind` 1); a deleted or unused entry has
//! a NULL value. On those versions, and only once a probe at import has read dicts of both
//! kinds back through the API and in place and found the same items in the same order, the
//! entries are read in place; a split table (an instance `__dict__` sharing its keys, with
//! `ma_values` set) always goes through the API. 3.9 and 3.10 (another keys layout, in a
//! header that is not installed) and anything the gate in `verified.rs` turns away use the
//! API only.
//!
//! Reads go through the dict's current keys object at every step and are bounded by its
//! current `dk_nentries`, as `_PyDict_Next` does, so a dict changed by Python code between
//! steps is never read out of bounds.

use super::{decref, PyObject, Py_ssize_t};
use pyo3_ffi as ffi;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};

#[repr(C)]
struct DictObject {
    ob_base: ffi::PyObject,
    ma_used: Py_ssize_t,
    /// `ma_version_tag` up to 3.13, `_ma_watcher_tag` from 3.14.
    _tag: u64,
    ma_keys: *mut KeysObject,
    ma_values: *mut std::ffi::c_void,
}

#[repr(C)]
struct KeysObject {
    dk_refcnt: Py_ssize_t,
    dk_log2_size: u8,
    dk_log2_index_bytes: u8,
    dk_kind: u8,
    dk_version: u32,
    dk_usable: Py_ssize_t,
    dk_nentries: Py_ssize_t,
    dk_indices: [u8; 0],
}

#[repr(C)]
struct GeneralEntry {
    _hash: Py_ssize_t,
    key: *mut PyObject,
    value: *mut PyObject,
}

#[repr(C)]
struct UnicodeEntry {
    key: *mut PyObject,
    value: *mut PyObject,
}

const KIND_GENERAL: u8 = 0;
const KIND_UNICODE: u8 = 1;

static IN_PLACE: AtomicBool = AtomicBool::new(false);
/// The bits of the tag that say a dict is watched (`DICT_WATCHER_MASK`, 3.12+; 3.11's tag is
/// a plain version counter and dicts cannot be watched).
static WATCHER_BITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(u64::MAX);

/// Decides, once at import, whether entries are read in place (`allowed` is false on an
/// interpreter that is not verified, see `verified.rs`).
pub fn init(major: u8, minor: u8, allowed: bool) {
    if allowed && (major, minor) >= (3, 11) && probe() {
        let mask = if (major, minor) >= (3, 12) { 0xFF } else { 0 };
        WATCHER_BITS.store(mask, Ordering::Relaxed);
        IN_PLACE.store(true, Ordering::Relaxed);
    }
}

/// Whether entries are read in place (reported by `python -m copium info`).
#[inline(always)]
pub fn in_place() -> bool {
    IN_PLACE.load(Ordering::Relaxed)
}

/// A dict's combined table as it is now: `kind`, the first entry and the number of entries.
#[derive(Clone, Copy)]
pub struct Table {
    unicode: bool,
    entries: *const u8,
    n: Py_ssize_t,
}

impl Table {
    /// The table of `dict` when it is combined; `None` for a split table.
    ///
    /// # Safety
    /// `dict` is a live dict (or frozendict, which extends it) and `in_place()` is true.
    #[inline(always)]
    pub unsafe fn of(dict: *mut PyObject) -> Option<Table> {
        let mp = dict.cast::<DictObject>();
        if !(*mp).ma_values.is_null() {
            return None;
        }
        let keys = (*mp).ma_keys;
        let kind = (*keys).dk_kind;
        let indices = std::ptr::addr_of!((*keys).dk_indices).cast::<u8>();
        Some(Table {
            unicode: kind != KIND_GENERAL,
            entries: indices.add(1usize << (*keys).dk_log2_index_bytes),
            n: (*keys).dk_nentries,
        })
    }

    /// Entry `i`'s key and value (the value NULL for a deleted or unused entry).
    ///
    /// # Safety
    /// `0 <= i < self.n`, and the dict has not changed since `Table::of`.
    #[inline(always)]
    pub unsafe fn entry(self, i: Py_ssize_t) -> (*mut PyObject, *mut PyObject) {
        if self.unicode {
            let e = self.entries.cast::<UnicodeEntry>().add(i as usize);
            ((*e).key, (*e).value)
        } else {
            let e = self.entries.cast::<GeneralEntry>().add(i as usize);
            ((*e).key, (*e).value)
        }
    }

    /// Every key is an exact str.
    #[inline(always)]
    pub fn str_keys(self) -> bool {
        self.unicode
    }

    #[inline(always)]
    pub fn len(self) -> Py_ssize_t {
        self.n
    }
}

/// The number of items (`ma_used`, where `PyDict_Size` reads it).
///
/// # Safety
/// `dict` is a live dict and `in_place()` is true.
#[inline(always)]
pub unsafe fn len(dict: *mut PyObject) -> Py_ssize_t {
    (*dict.cast::<DictObject>()).ma_used
}

/// Makes `value` the value of the entry `step` returned last (the one before `pos`) of a dict
/// the engine made and keeps (a clone being filled with copies), when that entry still holds
/// `key` in a combined table, no watcher watches the dict and the collector tracks it (so a
/// container value needs no tracking change): what `PyDict_SetItem(dict, key, value)` does
/// to an existing key then, without looking the key up again. Gives back the value it
/// replaced, to be released by the caller; `Err(value)` when it did not apply.
///
/// # Safety
/// `dict` is a live dict and `in_place()` is true.
#[inline(always)]
pub unsafe fn replace_value(
    dict: *mut PyObject,
    pos: Py_ssize_t,
    key: *mut PyObject,
    value: super::Owned,
) -> Result<super::Owned, super::Owned> {
    let mp = dict.cast::<DictObject>();
    let Some(table) = Table::of(dict) else {
        return Err(value);
    };
    let i = pos - 1;
    if i < 0
        || i >= table.n
        || (*mp)._tag & WATCHER_BITS.load(Ordering::Relaxed) != 0
        || ffi::PyObject_GC_IsTracked(dict) == 0
    {
        return Err(value);
    }
    let slot: *mut *mut PyObject = if table.unicode {
        let e = table
            .entries
            .cast::<UnicodeEntry>()
            .cast_mut()
            .add(i as usize);
        if (*e).key != key {
            return Err(value);
        }
        std::ptr::addr_of_mut!((*e).value)
    } else {
        let e = table
            .entries
            .cast::<GeneralEntry>()
            .cast_mut()
            .add(i as usize);
        if (*e).key != key {
            return Err(value);
        }
        std::ptr::addr_of_mut!((*e).value)
    };
    let old = *slot;
    if old.is_null() {
        return Err(value);
    }
    *slot = value.into_ptr();
    // The slot's old reference, now the caller's.
    Ok(super::Owned::from_new(old).unwrap_unchecked())
}

/// One step of iteration from entry `*pos` of a combined table, as `_PyDict_Next` steps it;
/// `None` for a split table (the caller steps through the API instead).
///
/// # Safety
/// `dict` is a live dict and `in_place()` is true.
#[inline(always)]
pub unsafe fn step(
    dict: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<Option<(*mut PyObject, *mut PyObject)>> {
    let table = Table::of(dict)?;
    let mut i = (*pos).max(0);
    while i < table.n {
        let (k, v) = table.entry(i);
        i += 1;
        if !v.is_null() {
            *pos = i;
            return Some(Some((k, v)));
        }
    }
    *pos = i;
    Some(None)
}

/// The items of `dict` read through the API, in order.
///
/// # Safety
/// `dict` is a live dict; no Python code runs meanwhile.
unsafe fn api_items(dict: *mut PyObject) -> Vec<(*mut PyObject, *mut PyObject)> {
    let mut items = Vec::new();
    let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
    while ffi::PyDict_Next(dict, &mut pos, &mut k, &mut v) != 0 {
        items.push((k, v));
    }
    items
}

/// The items of `dict` read in place, in order; `None` for a split table.
///
/// # Safety
/// As `api_items`, with the layout assumed (the probe's question).
unsafe fn in_place_items(dict: *mut PyObject) -> Option<Vec<(*mut PyObject, *mut PyObject)>> {
    let mut items = Vec::new();
    let mut pos = 0;
    while let Some((k, v)) = step(dict, &mut pos)? {
        items.push((k, v));
    }
    Some(items)
}

/// Builds a dict of the keys `keys` (values None, True, False in turn), deletes its second
/// item, and compares what the API and the layout see. Any failure clears the error and
/// fails the probe.
///
/// # Safety
/// The GIL is held; `keys` are live hashable objects.
unsafe fn probe_one(keys: &[*mut PyObject], expected_kind: u8) -> bool {
    let dict = ffi::PyDict_New();
    if dict.is_null() {
        ffi::PyErr_Clear();
        return false;
    }
    let values = [ffi::Py_None(), ffi::Py_True(), ffi::Py_False()];
    let mut ok = keys
        .iter()
        .enumerate()
        .all(|(i, &k)| ffi::PyDict_SetItem(dict, k, values[i % 3]) == 0)
        && ffi::PyDict_DelItem(dict, keys[1]) == 0;
    if ok {
        let mp = dict.cast::<DictObject>();
        ok = (*mp).ma_values.is_null()
            && (*(*mp).ma_keys).dk_kind == expected_kind
            && (*mp).ma_used == ffi::PyDict_Size(dict)
            && (*(*mp).ma_keys).dk_nentries >= (*mp).ma_used
            && in_place_items(dict).is_some_and(|seen| seen == api_items(dict));
    }
    ffi::PyErr_Clear();
    decref(dict);
    ok
}

fn probe() -> bool {
    // SAFETY: new objects owned here, released before returning; errors are cleared.
    unsafe {
        let mut owned = Vec::new();
        let mut str_keys = Vec::new();
        let mut int_keys = Vec::new();
        for i in 0..5 {
            let s = ffi::PyUnicode_FromFormat(c"probe-%d".as_ptr(), i as c_int);
            let n = ffi::PyLong_FromLong(1000 + i);
            if s.is_null() || n.is_null() {
                ffi::PyErr_Clear();
                owned.extend([s, n].into_iter().filter(|p| !p.is_null()));
                owned.into_iter().for_each(|p| decref(p));
                return false;
            }
            str_keys.push(s);
            int_keys.push(n);
            owned.extend([s, n]);
        }
        let ok = probe_one(&str_keys, KIND_UNICODE) && probe_one(&int_keys, KIND_GENERAL);
        owned.into_iter().for_each(|p| decref(p));
        ok
    }
}
