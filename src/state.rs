//! The memo's lifecycle during one `deepcopy` call, as states:
//!
//! * `Uninitialized` — nothing allocated; copying atomics and all-atomic tuples never leaves it.
//! * `Initialized` — a [`MemoState`] (table + keepalive) taken from this thread's spare, or new.
//! * `Proxied` — a Python `copium.memo` proxy over that state exists, because a custom
//!   `__deepcopy__` needed a memo argument.
//!
//! When the call ends the state goes back to the thread's spare, cleared with its capacity
//! kept — unless Python code kept the proxy, in which case the proxy owns the state from then
//! on (it stays valid and keeps the copies alive, like a kept dict memo would) and the next
//! call starts a new one.

use crate::ffi::{Fail, Owned, PyObject, R};
use crate::keepalive::KeepAlive;
use crate::memo::{Key, MemoTable, KEEP_SLOTS_MAX};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Table and keepalive of one memo, plus the entries a proxy user stored under keys that are
/// not object addresses (a Python dict, created only if that ever happens).
#[derive(Default)]
pub struct MemoState {
    pub table: MemoTable,
    pub keepalive: KeepAlive,
    pub foreign: Option<Owned>,
}

pub type SharedState = Rc<RefCell<MemoState>>;

/// What a finished call leaves behind, released only after every borrow has ended.
pub struct Garbage {
    _values: Vec<Owned>,
    _kept: Vec<Owned>,
    _foreign: Option<Owned>,
}

impl MemoState {
    /// Empties the state for reuse; the returned garbage must be dropped after the borrow.
    pub fn clear(&mut self) -> Garbage {
        Garbage {
            _values: self.table.take_values(),
            _kept: self.keepalive.take(),
            _foreign: self.foreign.take(),
        }
    }

    /// Empties the state for reuse without collecting the released references first.
    /// Only for a state no Python object can reach.
    fn clear_in_place(&mut self) {
        self.table.clear_in_place();
        self.keepalive.clear();
        self.foreign = None;
    }

    fn is_huge(&self) -> bool {
        self.table.slots() > KEEP_SLOTS_MAX
            || self.table.entry_capacity() > KEEP_SLOTS_MAX
            || self.keepalive.capacity() > KEEP_SLOTS_MAX
    }
}

/// MemoryError, for a memo buffer that could not grow.
fn no_memory() -> Fail {
    // SAFETY: sets MemoryError on the current thread, which holds the GIL.
    unsafe { pyo3_ffi::PyErr_NoMemory() };
    Fail
}

thread_local! {
    /// The state the last finished call on this thread left for reuse. A nested `deepcopy`
    /// (called from a `__deepcopy__` without the memo) finds it taken and starts its own.
    static SPARE: Cell<Option<SharedState>> = const { Cell::new(None) };
}

fn take_spare() -> SharedState {
    SPARE.with(Cell::take).unwrap_or_default()
}

fn give_back(state: SharedState) {
    if Rc::strong_count(&state) != 1 {
        return; // a kept proxy owns it now
    }
    // No proxy exists (the count is 1), so nothing but this function can reach the state:
    // releasing the copies in place is safe even if their __del__ runs Python code (which
    // may even deepcopy: the spare slot is still empty, so it starts its own state).
    state.borrow_mut().clear_in_place();
    if !state.borrow().is_huge() {
        SPARE.with(|s| s.set(Some(state)));
    }
}

/// A memo's extent at one moment: its table's and its keepalive's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    table: (usize, usize),
    kept: usize,
}

pub enum Session {
    Uninitialized,
    Initialized(SharedState),
    Proxied(SharedState, Owned),
}

impl Session {
    /// The memoized copy for `key`, as a new reference.
    #[inline(always)]
    pub fn lookup(&self, key: Key) -> Option<Owned> {
        match self {
            Session::Uninitialized => None,
            Session::Initialized(s) | Session::Proxied(s, _) => {
                s.borrow().table.get(key).map(crate::ffi::new_ref)
            }
        }
    }

    #[inline(always)]
    pub fn state(&mut self) -> &SharedState {
        if let Session::Uninitialized = self {
            *self = Session::Initialized(take_spare());
        }
        match self {
            Session::Initialized(s) | Session::Proxied(s, _) => s,
            Session::Uninitialized => unreachable!("initialized just above"),
        }
    }

    /// `memo[id(x)] = y` and `_keep_alive(x, memo)` in one step.
    #[inline(always)]
    pub fn memoize(&mut self, x: *mut PyObject, key: Key, y: &Owned) -> R<()> {
        let state = self.state();
        let mut st = state.borrow_mut();
        let old = st.table.insert(key, y.clone());
        let kept = match old {
            Ok(_) => st.keepalive.push(crate::ffi::new_ref(x)),
            Err(e) => Err(e),
        };
        drop(st);
        drop(old);
        kept.map_err(|_| no_memory())
    }

    /// `_keep_alive(x)` alone, for a copy a handler already stored.
    #[inline(always)]
    pub fn keep(&mut self, x: *mut PyObject) -> R<()> {
        let kept = self
            .state()
            .borrow_mut()
            .keepalive
            .push(crate::ffi::new_ref(x));
        kept.map_err(|_| no_memory())
    }

    /// `memo[id(x)] = y` only (the original is kept alive by a later `memoize`).
    #[inline(always)]
    pub fn store(&mut self, key: Key, y: &Owned) -> R<()> {
        let old = self.state().borrow_mut().table.insert(key, y.clone());
        old.map(drop).map_err(|_| no_memory())
    }

    /// What the memo holds now, to tell later whether anything was stored in it or removed
    /// from it meanwhile (see `changed_since`).
    pub fn mark(&mut self) -> Mark {
        let st = self.state().borrow();
        Mark {
            table: st.table.extent(),
            kept: st.keepalive.len(),
        }
    }

    pub fn changed_since(&mut self, mark: Mark) -> bool {
        self.mark() != mark
    }

    /// The Python proxy over this memo, created on first need.
    /// A session continuing on the state of an existing proxy (its owner's call, or a kept
    /// proxy passed back in as memo); finishing it leaves the state to its owners.
    pub fn resume(state: SharedState, proxy: Owned) -> Session {
        Session::Proxied(state, proxy)
    }

    pub fn proxy(&mut self) -> crate::ffi::R<*mut PyObject> {
        if let Session::Proxied(_, p) = self {
            return Ok(p.as_ptr());
        }
        let state = self.state().clone();
        let proxy = crate::proxy::new_proxy(state.clone())?;
        let p = proxy.as_ptr();
        *self = Session::Proxied(state, proxy);
        Ok(p)
    }

    /// Ends the call: the state returns to the thread's spare unless a proxy was kept.
    pub fn finish(&mut self) {
        match std::mem::replace(self, Session::Uninitialized) {
            Session::Uninitialized => {}
            Session::Initialized(s) => give_back(s),
            Session::Proxied(s, proxy) => {
                drop(proxy);
                give_back(s);
            }
        }
    }
}
