//! The pinned objects: id(obj) -> its pin. Each entry holds its `Pin` (which holds the plan,
//! which holds the object), so a pinned object stays alive and its address names it until
//! it is unpinned.
//!
//! The engine asks about objects as it meets them, but only while something is pinned (one
//! relaxed load per `deepcopy` call decides that): first a 4096-bit filter of the pinned
//! addresses' hashes, which answers almost every unpinned object with one bit test, then the
//! map. `pins()` is a read-only view of a dict kept beside the map.
//!
//! Nothing here runs Python code while the map's lock is held: entries that leave the map are
//! released after it is unlocked (releasing a plan releases objects, whose `__del__` may pin,
//! unpin or copy).

use super::plan::Plan;
use super::python::Pin;
use crate::ffi::{self, Owned, R};
use crate::memo::hash_addr;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

pub struct Entry {
    pub pin: Py<Pin>,
    pub plan: Arc<Plan>,
}

#[derive(Default)]
struct Map {
    entries: HashMap<usize, Entry>,
    /// Removals since the filter was last rebuilt from the entries.
    stale: usize,
}

static MAP: Mutex<Option<Map>> = Mutex::new(None);
/// How many objects are pinned: the engine's one test per call.
static PINNED: AtomicUsize = AtomicUsize::new(0);
const FILTER_WORDS: usize = 64;
static FILTER: [AtomicU64; FILTER_WORDS] = [const { AtomicU64::new(0) }; FILTER_WORDS];

/// `{id(obj): Pin}`, mirrored from the map for `pins()`, and its read-only proxy.
struct View {
    dict: Owned,
    proxy: Owned,
}
// SAFETY: both are Python objects only touched with the GIL held.
unsafe impl Sync for View {}
// SAFETY: as above.
unsafe impl Send for View {}
static VIEW: OnceLock<View> = OnceLock::new();

pub fn init() -> R<()> {
    if VIEW.get().is_some() {
        return Ok(());
    }
    let dict = ffi::dict_new()?;
    // SAFETY: `dict` is a live dict; the proxy is a new reference.
    let proxy = ffi::owned(unsafe { pyo3_ffi::PyDictProxy_New(dict.as_ptr()) })?;
    let _ = VIEW.set(View { dict, proxy });
    Ok(())
}

fn view() -> &'static View {
    // SAFETY: `init` runs in the module's init function, before any pin can be made.
    unsafe { VIEW.get().unwrap_unchecked() }
}

fn lock() -> MutexGuard<'static, Option<Map>> {
    MAP.lock().unwrap_or_else(|p| p.into_inner())
}

#[inline(always)]
fn filter_bit(addr: usize) -> (usize, u64) {
    let h = hash_addr(addr);
    let bit = (h >> 52) as usize; // 12 bits
    (bit >> 6, 1u64 << (bit & 63))
}

/// Is anything pinned? (The test `deepcopy` makes once per call.)
#[inline(always)]
pub fn any() -> bool {
    PINNED.load(Ordering::Relaxed) != 0
}

/// The plan of the object at `addr`, if it is pinned.
#[inline]
pub fn find(addr: usize) -> Option<Arc<Plan>> {
    let (word, bit) = filter_bit(addr);
    if FILTER[word].load(Ordering::Relaxed) & bit == 0 {
        return None;
    }
    lock().as_ref()?.entries.get(&addr).map(|e| e.plan.clone())
}

/// The pin of the object at `addr`, if it is pinned.
pub fn pin_of(py: Python<'_>, addr: usize) -> Option<Py<Pin>> {
    lock()
        .as_ref()?
        .entries
        .get(&addr)
        .map(|e| e.pin.clone_ref(py))
}

fn rebuild_filter(map: &mut Map) {
    let mut words = [0u64; FILTER_WORDS];
    for &addr in map.entries.keys() {
        let (word, bit) = filter_bit(addr);
        words[word] |= bit;
    }
    for (slot, w) in FILTER.iter().zip(words) {
        slot.store(w, Ordering::Relaxed);
    }
    map.stale = 0;
}

/// Pins `obj` with `entry`, replacing its previous pin (returned, to release).
pub fn insert(obj: *mut pyo3_ffi::PyObject, entry: Entry) -> R<Option<Entry>> {
    let addr = obj as usize;
    let id = ffi::long_from_ptr(obj)?;
    let pin = ffi::new_ref(entry.pin.as_ptr());
    let previous = {
        let mut guard = lock();
        let map = guard.get_or_insert_with(Map::default);
        let (word, bit) = filter_bit(addr);
        FILTER[word].fetch_or(bit, Ordering::Relaxed);
        let previous = map.entries.insert(addr, entry);
        PINNED.store(map.entries.len(), Ordering::Relaxed);
        previous
    };
    // The view keeps its own reference to the pin; replacing the previous one releases only
    // that reference (the previous entry, still held here, keeps it alive).
    ffi::dict_set(view().dict.as_ptr(), id.as_ptr(), pin.as_ptr())?;
    Ok(previous)
}

/// Unpins the object at `addr`; returns its entry, to release.
pub fn remove(addr: usize) -> R<Option<Entry>> {
    let removed = {
        let mut guard = lock();
        let Some(map) = guard.as_mut() else {
            return Ok(None);
        };
        let removed = map.entries.remove(&addr);
        if removed.is_some() {
            map.stale += 1;
            if map.stale > map.entries.len().max(16) {
                rebuild_filter(map);
            }
        }
        PINNED.store(map.entries.len(), Ordering::Relaxed);
        removed
    };
    if removed.is_some() {
        let id = ffi::long_from_ptr(addr as *mut pyo3_ffi::PyObject)?;
        // SAFETY: the view's dict is live; `id` is a key the entry put there.
        ffi::status(unsafe { pyo3_ffi::PyDict_DelItem(view().dict.as_ptr(), id.as_ptr()) })?;
    }
    Ok(removed)
}

/// Unpins everything; returns the entries, to release.
pub fn clear() -> Vec<Entry> {
    let entries: Vec<Entry> = {
        let mut guard = lock();
        let Some(map) = guard.as_mut() else {
            return Vec::new();
        };
        let entries = map.entries.drain().map(|(_, e)| e).collect();
        rebuild_filter(map);
        PINNED.store(0, Ordering::Relaxed);
        entries
    };
    // Emptied with the entries still held, so no pin is released while the dict changes.
    // SAFETY: the view's dict is live.
    unsafe { pyo3_ffi::PyDict_Clear(view().dict.as_ptr()) };
    entries
}

/// `pins()`: the read-only, live view `{id(obj): Pin}`.
pub fn proxy() -> Owned {
    view().proxy.clone()
}
