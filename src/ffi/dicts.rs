//! In-place reads of a dict's entries, for both builds. Walking a dict through `PyDict_Next`
//! (or `_PyDict_Next`) costs a function call and its checks per item, several times what
//! cloning the dict costs per item. Two layouts of a dict with a combined table are read
//! (GIL builds; `ma_keys` after `ma_used` and a 64-bit tag in both; a deleted or unused entry
//! has a NULL value):
//!
//! * CPython 3.11 to 3.15 (`Include/internal/pycore_dict.h`, `cpython/dictobject.h`): the
//!   keys object's entries after its index array of `1 << dk_log2_index_bytes` bytes; entries
//!   of `(hash, key, value)`, or of `(key, value)` when every key is an exact str
//!   (`dk_kind` 1).
//! * CPython 3.9 and 3.10 (`Objects/dict-common.h`, not installed; the offsets below were
//!   read from the debug information of both interpreters' `libpython`): `dk_size`,
//!   `dk_lookup`, `dk_usable`, `dk_nentries`, then `dk_size` indices of 1, 2, 4 or 8 bytes
//!   (the smallest that holds `dk_size`), then entries of `(hash, key, value)`. A value
//!   written in place there gives the dict a new version tag (see `fresh_version`).
//!
//! On those versions, and only once a probe at import has read dicts of both key kinds and
//! both index widths back through the API and in place and found the same items in the same
//! order, the entries are read in place; a split table (an instance `__dict__` sharing its
//! keys, with `ma_values` set) always goes through the API, as does anything the gate in
//! `verified.rs` turns away.
//!
//! Reads go through the dict's current keys object at every step and are bounded by its
//! current `dk_nentries`, as `_PyDict_Next` does, so a dict changed by Python code between
//! steps is never read out of bounds.

use super::{decref, PyObject, Py_ssize_t};
use pyo3_ffi as ffi;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

#[repr(C)]
struct DictObject {
    ob_base: ffi::PyObject,
    ma_used: Py_ssize_t,
    /// `ma_version_tag` up to 3.13, `_ma_watcher_tag` from 3.14.
    _tag: u64,
    /// A `KeysObject` or a `CompactKeysObject`.
    ma_keys: *mut std::ffi::c_void,
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

/// The keys object of 3.9 and 3.10.
#[repr(C)]
struct CompactKeysObject {
    dk_refcnt: Py_ssize_t,
    dk_size: Py_ssize_t,
    dk_lookup: *const std::ffi::c_void,
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

/// Which layout is read in place: none, 3.9/3.10's or 3.11+'s.
const OFF: u8 = 0;
const COMPACT: u8 = 1;
const KINDS: u8 = 2;

static LAYOUT: AtomicU8 = AtomicU8::new(OFF);
/// The bits of the tag that say a dict is watched (`DICT_WATCHER_MASK`, 3.12+; 3.11's tag is
/// a plain version counter and dicts cannot be watched).
static WATCHER_BITS: AtomicU64 = AtomicU64::new(u64::MAX);

/// Decides, once at import, whether entries are read in place (`allowed` is false on an
/// interpreter that is not verified, see `verified.rs`).
pub fn init(major: u8, minor: u8, allowed: bool) {
    let layout = match (major, minor) {
        _ if !allowed => return,
        (3, 9..=10) => COMPACT,
        (3, 11..) => KINDS,
        _ => return,
    };
    if probe(layout) {
        let mask = if (major, minor) >= (3, 12) { 0xFF } else { 0 };
        WATCHER_BITS.store(mask, Ordering::Relaxed);
        LAYOUT.store(layout, Ordering::Relaxed);
    }
}

/// Whether entries are read in place (reported by `python -m copium info`).
#[inline(always)]
pub fn in_place() -> bool {
    LAYOUT.load(Ordering::Relaxed) != OFF
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
        Table::read(dict, LAYOUT.load(Ordering::Relaxed))
    }

    /// The table as `layout` places it.
    ///
    /// # Safety
    /// As `of`, with `layout` the running interpreter's (`OFF` is not one).
    #[inline(always)]
    unsafe fn read(dict: *mut PyObject, layout: u8) -> Option<Table> {
        let mp = dict.cast::<DictObject>();
        if !(*mp).ma_values.is_null() {
            return None;
        }
        if layout == COMPACT {
            let keys = (*mp).ma_keys.cast::<CompactKeysObject>();
            let size = (*keys).dk_size as usize;
            let index_bytes = match size {
                0..=0xff => 1,
                0x100..=0xffff => 2,
                0x1_0000..=0xffff_ffff => 4,
                _ => 8,
            };
            let indices = std::ptr::addr_of!((*keys).dk_indices).cast::<u8>();
            return Some(Table {
                unicode: false,
                entries: indices.add(size * index_bytes),
                n: (*keys).dk_nentries,
            });
        }
        let keys = (*mp).ma_keys.cast::<KeysObject>();
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
/// to an existing key then, without looking the key up again (on 3.9 and 3.10 with a new
/// version tag for the dict, as it gives one). Gives back the value it replaced, to be
/// released by the caller; `Err(value)` when it did not apply.
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
    if LAYOUT.load(Ordering::Relaxed) == COMPACT {
        (*mp)._tag = fresh_version();
    }
    // The slot's old reference, now the caller's.
    Ok(super::Owned::from_new(old).unwrap_unchecked())
}

/// Version tags for the dicts of 3.9 and 3.10 written in place, which those versions give a
/// new tag at every change (`DICT_NEXT_VERSION()`, PEP 509): their global-variable caches
/// keep a borrowed pointer to a value for as long as the dict has the tag they saw, and only
/// compare tags for equality. These count down from the top of the range; the interpreter's
/// own counter counts up from zero by one per dict change and cannot reach them (2^63
/// changes take centuries at any speed), so each is a tag no dict has had.
static NEXT_OWN_VERSION: AtomicU64 = AtomicU64::new(u64::MAX);

/// A tag no dict has had yet (see `NEXT_OWN_VERSION`).
#[inline(always)]
fn fresh_version() -> u64 {
    NEXT_OWN_VERSION.fetch_sub(1, Ordering::Relaxed)
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
    step_in(Table::of(dict)?, pos)
}

#[inline(always)]
unsafe fn step_in(
    table: Table,
    pos: &mut Py_ssize_t,
) -> Option<Option<(*mut PyObject, *mut PyObject)>> {
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

/// The items of `dict` read in place as `layout` places them, in order; `None` for a split
/// table.
///
/// # Safety
/// As `api_items`, with the layout assumed (the probe's question).
unsafe fn in_place_items(
    dict: *mut PyObject,
    layout: u8,
) -> Option<Vec<(*mut PyObject, *mut PyObject)>> {
    let table = Table::read(dict, layout)?;
    let mut items = Vec::new();
    let mut pos = 0;
    while let Some((k, v)) = step_in(table, &mut pos)? {
        items.push((k, v));
    }
    Some(items)
}

/// Whether `dict`'s keys object looks as `layout` describes it, with every key an exact str
/// when `str_keys`.
///
/// # Safety
/// `dict` is a live dict with a combined table.
unsafe fn header_matches(dict: *mut PyObject, layout: u8, str_keys: bool) -> bool {
    let mp = dict.cast::<DictObject>();
    let used = (*mp).ma_used;
    if layout == COMPACT {
        let keys = (*mp).ma_keys.cast::<CompactKeysObject>();
        let size = (*keys).dk_size;
        return (*keys).dk_refcnt >= 1
            && size >= 8
            && size.count_ones() == 1
            && (*keys).dk_nentries >= used
            && (*keys).dk_nentries <= size
            && (*keys).dk_usable >= 0;
    }
    let keys = (*mp).ma_keys.cast::<KeysObject>();
    let expected_kind = if str_keys { KIND_UNICODE } else { KIND_GENERAL };
    (*keys).dk_kind == expected_kind && (*keys).dk_nentries >= used
}

/// Builds a dict of the keys `keys` (values None, True, False in turn), deletes its second
/// item, and compares what the API and the layout see. Any failure clears the error and
/// fails the probe.
///
/// # Safety
/// The GIL is held; `keys` are live hashable objects, all exact str when `str_keys`.
unsafe fn probe_one(keys: &[*mut PyObject], layout: u8, str_keys: bool) -> bool {
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
            && (*mp).ma_used == ffi::PyDict_Size(dict)
            && header_matches(dict, layout, str_keys)
            && in_place_items(dict, layout).is_some_and(|seen| seen == api_items(dict));
    }
    ffi::PyErr_Clear();
    decref(dict);
    ok
}

/// Str keys and int keys in a small dict (one-byte indices), and int keys in a larger one
/// (two-byte indices; where the entries start does not depend on the keys' kind). Int keys,
/// cheap to make, are the many: this runs at every import.
fn probe(layout: u8) -> bool {
    // SAFETY: new objects owned here, released before returning; errors are cleared.
    unsafe {
        let mut owned = Vec::with_capacity(SMALL_PROBE + PROBE_KEYS);
        for i in 0..SMALL_PROBE {
            owned.push(ffi::PyUnicode_FromFormat(c"probe-%d".as_ptr(), i as c_int));
        }
        for i in 0..PROBE_KEYS {
            owned.push(ffi::PyLong_FromLong(1000 + i as std::os::raw::c_long));
        }
        let made = owned.iter().all(|p| !p.is_null());
        let (str_keys, int_keys) = owned.split_at(SMALL_PROBE);
        let ok = made
            && probe_one(str_keys, layout, true)
            && probe_one(&int_keys[..SMALL_PROBE], layout, false)
            && probe_one(int_keys, layout, false);
        ffi::PyErr_Clear();
        owned
            .into_iter()
            .filter(|p| !p.is_null())
            .for_each(|p| decref(p));
        ok
    }
}

/// Keys of the small probe dicts (8 slots: one-byte indices).
const SMALL_PROBE: usize = 5;
/// Int keys of the larger one (hundreds of slots: two-byte indices).
const PROBE_KEYS: usize = 200;
