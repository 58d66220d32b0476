//! The native memo table: `id(original) -> copy`, keyed by address.
//!
//! The hash of an address is computed once per object visit (SplitMix64) and carried from the
//! lookup to the store, so an object costs one mix however often it is probed. Entries are kept
//! in insertion order (like the dict memo stdlib uses) so the proxy iterates the same way.
//! Values are owned references. Any value the table lets go of is handed back to the caller
//! instead of released here: releasing can run arbitrary Python code (`__del__`), which must
//! never happen while the table is being changed.

use crate::ffi::{Owned, PyObject};
use std::cell::Cell;

/// Finalizer of SplitMix64: a cheap, well-distributed mix of an address.
#[inline(always)]
pub fn hash_addr(addr: usize) -> u64 {
    let mut z = (addr as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A buffer could not grow: the caller raises MemoryError instead of the process aborting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoMemory;

/// An object's memo key: its address and that address's hash, computed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub addr: usize,
    pub hash: u64,
}

impl Key {
    #[inline(always)]
    pub fn of(obj: *mut PyObject) -> Key {
        Self::from_addr(obj as usize)
    }

    #[inline(always)]
    pub fn from_addr(addr: usize) -> Key {
        Key {
            addr,
            hash: hash_addr(addr),
        }
    }
}

struct Entry {
    key: Key,
    /// `None` once deleted; the slot in `index` is then a tombstone.
    value: Option<Owned>,
}

const EMPTY: u32 = 0;
const TOMBSTONE: u32 = u32::MAX;
const MIN_SLOTS: usize = 16;
/// Buffers (index slots, entries, keepalive) larger than this are released after the call
/// instead of kept for the next one, so a thread keeps at most about 0.6 MB between calls
/// (16384 x (4 + 24 + 8) bytes) however large a copy it once made.
pub const KEEP_SLOTS_MAX: usize = 1 << 14;

/// Where the last lookup that missed stopped: the free slot its key would go in, valid while
/// the table is at the same version. An object is looked up just before its copy is stored,
/// with nothing stored in between for containers, so that store need not probe again.
#[derive(Clone, Copy, Default)]
struct Vacancy {
    addr: usize,
    slot: usize,
    version: u64,
}

#[derive(Default)]
pub struct MemoTable {
    entries: Vec<Entry>,
    /// Open addressing, linear probing: `EMPTY`, `TOMBSTONE`, or entry index + 1.
    index: Vec<u32>,
    live: usize,
    tombstones: usize,
    /// Changes with every change to `entries` or `index`. (The default vacancy, at
    /// address 0, matches no object.)
    version: u64,
    vacancy: Cell<Vacancy>,
}

impl MemoTable {
    pub fn len(&self) -> usize {
        self.live
    }

    /// An opaque summary of what the table holds now, which any insertion or removal
    /// changes (a value replaced under an existing key does not).
    pub fn extent(&self) -> (usize, usize) {
        (self.entries.len(), self.live)
    }

    pub fn slots(&self) -> usize {
        self.index.len()
    }

    pub fn entry_capacity(&self) -> usize {
        self.entries.capacity()
    }

    #[inline]
    fn find(&self, key: Key) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut i = key.hash as usize & mask;
        loop {
            match self.index[i] {
                EMPTY => {
                    self.vacancy.set(Vacancy {
                        addr: key.addr,
                        slot: i,
                        version: self.version,
                    });
                    return None;
                }
                TOMBSTONE => {}
                slot => {
                    let e = (slot - 1) as usize;
                    if self.entries[e].key.addr == key.addr {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The copy memoized for `key`, borrowed.
    #[inline]
    pub fn get(&self, key: Key) -> Option<*mut PyObject> {
        let slot = self.find(key)?;
        let e = &self.entries[(self.index[slot] - 1) as usize];
        e.value.as_ref().map(Owned::as_ptr)
    }

    /// Stores `value` for `key`; returns the value it replaced, for the caller to release.
    /// Straight into the slot the last lookup found free when nothing changed since, and
    /// there is room without growing; otherwise by probing.
    #[inline(always)]
    pub fn insert(&mut self, key: Key, value: Owned) -> Result<Option<Owned>, NoMemory> {
        let v = self.vacancy.get();
        let n = self.entries.len();
        if v.addr == key.addr
            && v.version == self.version
            && n < self.entries.capacity()
            && (n + 1) * 2 <= self.index.len()
        {
            // SAFETY: n < capacity (checked above), so element n is allocated; it is written
            // before the length covers it. (`push` here was left out of line, a call per store.)
            unsafe {
                self.entries.as_mut_ptr().add(n).write(Entry {
                    key,
                    value: Some(value),
                });
                self.entries.set_len(n + 1);
            }
            self.index[v.slot] = (n + 1) as u32;
            self.live += 1;
            self.version += 1;
            return Ok(None);
        }
        self.insert_probing(key, value)
    }

    /// One walk along the probe sequence both looks for the key and finds where it goes.
    #[inline(never)]
    fn insert_probing(&mut self, key: Key, value: Owned) -> Result<Option<Owned>, NoMemory> {
        self.version += 1;
        if (self.entries.len() + 1) * 2 > self.index.len() {
            self.grow()?;
        }
        let mask = self.index.len() - 1;
        let mut i = key.hash as usize & mask;
        let mut free = None;
        loop {
            match self.index[i] {
                EMPTY => break,
                TOMBSTONE => {
                    free.get_or_insert(i);
                }
                slot => {
                    let e = &mut self.entries[(slot - 1) as usize];
                    if e.key.addr == key.addr {
                        return Ok(e.value.replace(value));
                    }
                }
            }
            i = (i + 1) & mask;
        }
        self.entries.try_reserve(1).map_err(|_| NoMemory)?;
        let i = match free {
            Some(tombstone) => {
                self.tombstones -= 1;
                tombstone
            }
            None => i,
        };
        self.entries.push(Entry {
            key,
            value: Some(value),
        });
        self.index[i] = self.entries.len() as u32;
        self.live += 1;
        Ok(None)
    }

    /// Removes `key`; returns its value for the caller to release.
    pub fn remove(&mut self, key: Key) -> Option<Owned> {
        let slot = self.find(key)?;
        self.version += 1;
        let e = &mut self.entries[(self.index[slot] - 1) as usize];
        let old = e.value.take();
        self.index[slot] = TOMBSTONE;
        self.tombstones += 1;
        self.live -= 1;
        old
    }

    /// Rebuilds the index at a size fit for the live entries, dropping deleted ones.
    fn grow(&mut self) -> Result<(), NoMemory> {
        self.entries.retain(|e| e.value.is_some());
        // At most half full after the next insert: a miss (the common probe: every object
        // is looked up before its first store) then ends within a couple of slots.
        self.rebuild_index(
            ((self.entries.len() + 1) * 2)
                .max(MIN_SLOTS)
                .next_power_of_two(),
        )
    }

    /// On failure the index is left empty; the call fails and the table is cleared.
    fn rebuild_index(&mut self, slots: usize) -> Result<(), NoMemory> {
        self.version += 1;
        self.index.clear();
        self.index.try_reserve_exact(slots).map_err(|_| NoMemory)?;
        self.index.resize(slots, EMPTY);
        self.index.shrink_to(slots);
        self.tombstones = 0;
        let mask = slots - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let mut i = e.key.hash as usize & mask;
            while self.index[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.index[i] = (n + 1) as u32;
        }
        Ok(())
    }

    /// The copies the table owns, for the garbage collector.
    pub fn owned_values(&self) -> impl Iterator<Item = &Owned> + '_ {
        self.entries.iter().filter_map(|e| e.value.as_ref())
    }

    /// Live entries in insertion order, as (address, borrowed copy).
    pub fn iter(&self) -> impl Iterator<Item = (usize, *mut PyObject)> + '_ {
        self.entries
            .iter()
            .filter_map(|e| e.value.as_ref().map(|v| (e.key.addr, v.as_ptr())))
    }

    /// Empties the table for the next call, releasing the values where they are. Only for a
    /// table no Python code can reach while the values are released.
    pub fn clear_in_place(&mut self) {
        let used = self.entries.len();
        self.entries.clear();
        self.reset_index(used);
    }

    fn reset_index(&mut self, used: usize) {
        self.version += 1;
        if self.index.len() > MIN_SLOTS * 4 && used * 8 < self.index.len() {
            let slots = (used * 2).max(MIN_SLOTS).next_power_of_two();
            self.entries.shrink_to(slots);
            // Shrinking: the buffer already has room, so this cannot fail.
            let _ = self.rebuild_index(slots);
        } else {
            self.index.iter_mut().for_each(|s| *s = EMPTY);
        }
        self.live = 0;
        self.tombstones = 0;
    }

    /// Empties the table for the next call; returns the values for the caller to release.
    /// Buffers are kept, unless this call used only a small part of a big index: then the
    /// index shrinks, so one huge copy does not tax every later small one.
    pub fn take_values(&mut self) -> Vec<Owned> {
        let used = self.entries.len();
        let values = self.entries.drain(..).filter_map(|e| e.value).collect();
        self.reset_index(used);
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_spreads_aligned_addresses() {
        let a = hash_addr(0x1000) & 15;
        let b = hash_addr(0x1010) & 15;
        let c = hash_addr(0x1020) & 15;
        assert!(!(a == b && b == c));
    }

    #[test]
    fn key_hash_is_stable() {
        assert_eq!(Key::from_addr(42), Key::from_addr(42));
    }
}
