//! The list and dict copies still being filled, and what they must look like once Python code
//! can see them.
//!
//! Stdlib fills a new list or dict item by item, so code reading the half-made copy through
//! the memo finds only the items copied so far. Natively a list's copy starts as a slice of
//! the original and a dict's as a clone, which no Python code can tell apart while the memo is
//! private. So each such copy is registered here while it is filled, and the first time the
//! memo is handed to Python code every registered copy is settled: cut back to the items
//! already processed, its filler told to go on item by item, as stdlib does. A copy started
//! while the memo is already visible is made the stdlib way from the outset.
//!
//! The registrations form a stack threaded through the fillers' own frames (no allocation):
//! each filler registers an [`OpenCopy`] it owns for as long as it runs, and restores the
//! previous top when it returns, on every path.

use crate::ffi::{self, Owned, PyObject, Py_ssize_t, R};
use std::cell::Cell;
use std::ptr;

/// What `at` holds once the copy is settled.
const SETTLED: Py_ssize_t = -1;

/// One copy being filled from a slice or clone of its original.
pub struct OpenCopy {
    copy: *mut PyObject,
    is_dict: bool,
    /// List: the index of the item being copied (the copy's items before it are done).
    /// Dict: the clone's position just past the entry whose value is being copied.
    /// [`SETTLED`] once cut back.
    at: Cell<Py_ssize_t>,
    below: *const OpenCopy,
}

impl OpenCopy {
    /// A list's (or, with `is_dict`, a dict's) copy, registered above `below` (see
    /// [`OpenCopies::top`]).
    #[inline(always)]
    pub fn new(copy: *mut PyObject, is_dict: bool, below: *const OpenCopy) -> Self {
        OpenCopy {
            copy,
            is_dict,
            at: Cell::new(0),
            below,
        }
    }

    /// A list's filler is about to copy the item at `index`; a dict's, the value of the
    /// entry its clone's walk has just passed (`index` is then the position after it).
    #[inline(always)]
    pub fn copying(&self, index: Py_ssize_t) {
        self.at.set(index);
    }

    /// The registration this one went above.
    #[inline(always)]
    pub fn below(&self) -> *const OpenCopy {
        self.below
    }

    /// The filler goes on item by item of its own accord (its walks diverged): there is
    /// nothing left to cut.
    #[inline(always)]
    pub fn leave(&self) {
        self.at.set(SETTLED);
    }

    /// Was the copy cut back to stdlib's state? Its filler then goes on item by item.
    #[inline(always)]
    pub fn settled(&self) -> bool {
        self.at.get() == SETTLED
    }
}

/// The top of the stack of open copies of one memo.
pub struct OpenCopies {
    top: *const OpenCopy,
}

impl Default for OpenCopies {
    fn default() -> Self {
        OpenCopies { top: ptr::null() }
    }
}

impl OpenCopies {
    /// What a new registration goes above, and what its filler restores when it is done.
    #[inline(always)]
    pub fn top(&self) -> *const OpenCopy {
        self.top
    }

    /// Makes `top` the innermost open copy: one made with [`OpenCopies::top`] as `below`,
    /// which stays where it is until it is replaced by its own `below` again.
    #[inline(always)]
    pub fn set_top(&mut self, top: *const OpenCopy) {
        self.top = top;
    }

    /// Cuts every open copy back to what stdlib's would hold now. The references the copies
    /// let go of are released only once all are settled: releasing can run `__del__`.
    pub fn settle(&mut self) -> R<()> {
        let mut released = Vec::new();
        let mut c = self.top;
        while !c.is_null() {
            // SAFETY: every registered copy is owned by a filler still running below this
            // call on the stack: it takes its registration back before it returns.
            let open = unsafe { &*c };
            let at = open.at.get();
            if at != SETTLED {
                released.push(if open.is_dict {
                    // The entry being copied is the one just before `at`.
                    cut_dict(open.copy, at - 1)?
                } else {
                    cut_list(open.copy, at)?
                });
                open.at.set(SETTLED);
            }
            c = open.below;
        }
        self.top = ptr::null();
        drop(released);
        Ok(())
    }
}

/// `del y[at:]`: the item being copied and those after it are not in stdlib's copy yet.
/// Returns the references the list let go of, for the caller to release.
pub fn cut_list(y: *mut PyObject, at: Py_ssize_t) -> R<Vec<Owned>> {
    let n = ffi::list_len(y);
    let released: Vec<Owned> = (at..n)
        .map(|i| ffi::new_ref(ffi::list_item(y, i)))
        .collect();
    if at < n {
        ffi::list_truncate(y, at)?;
    }
    Ok(released)
}

/// Deletes from a clone its entries from position `from` on (a position as dict iteration
/// counts them). Returns the references the dict let go of, for the caller to release.
pub fn cut_dict(y: *mut PyObject, from: Py_ssize_t) -> R<Vec<Owned>> {
    let mut stale = Vec::new();
    let mut at = from;
    while let Some((k, _)) = ffi::dict_next(y, &mut at) {
        stale.push(ffi::new_ref(k));
    }
    let mut released = Vec::with_capacity(stale.len() * 2);
    for k in stale {
        released.push(ffi::getitem(y, k.as_ptr())?);
        // SAFETY: `y` is a live dict and `k` one of its keys.
        ffi::status(unsafe { pyo3_ffi::PyDict_DelItem(y, k.as_ptr()) })?;
        released.push(k);
    }
    Ok(released)
}
