//! Strong references to originals that have been memoized, so that no original (in
//! particular a temporary made during the copy, like a reduce result) is freed and its
//! address reused while the memo still maps that address. Exposed to Python as
//! `memo[id(memo)]`, the list stdlib keeps at that key.

use crate::ffi::{Owned, PyObject};

#[derive(Default)]
pub struct KeepAlive {
    items: Vec<Owned>,
}

impl KeepAlive {
    #[inline(always)]
    pub fn push(&mut self, obj: Owned) -> Result<(), crate::memo::NoMemory> {
        if self.items.len() == self.items.capacity() {
            self.items
                .try_reserve(1)
                .map_err(|_| crate::memo::NoMemory)?;
        }
        let n = self.items.len();
        // SAFETY: n < capacity (ensured above), so element n is allocated; it is written
        // before the length covers it. (`push` here is sometimes left out of line: a call
        // per object copied.)
        unsafe {
            self.items.as_mut_ptr().add(n).write(obj);
            self.items.set_len(n + 1);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.items.capacity()
    }

    pub fn get(&self, i: usize) -> Option<*mut PyObject> {
        self.items.get(i).map(Owned::as_ptr)
    }

    /// The references the vector owns, for the garbage collector.
    pub fn owned(&self) -> impl Iterator<Item = &Owned> + '_ {
        self.items.iter()
    }

    pub fn iter(&self) -> impl Iterator<Item = *mut PyObject> + '_ {
        self.items.iter().map(Owned::as_ptr)
    }

    /// Releases every reference, keeping the buffer.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Empties the vector, keeping its buffer; returns the references to release.
    pub fn take(&mut self) -> Vec<Owned> {
        self.items.drain(..).collect()
    }
}
