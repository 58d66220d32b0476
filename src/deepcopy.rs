//! The deep-copy driver: one recursive function over a memo strategy.
//!
//! `Memo` abstracts the two memos stdlib semantics allow: the native table (no memo passed;
//! only observable through the proxy a custom `__deepcopy__` gets) and a caller's mapping
//! (every lookup and store happens on it exactly as stdlib's `copy.deepcopy` would do them).

use crate::dispatch;
use crate::ffi::{self, Owned, PyObject, R};
use crate::half_made::OpenCopy;
use crate::native_memo::NativeMemo;
use crate::recursion::Depth;
use crate::semantics;
use crate::types::{self, Kind};
use crate::user_memo::UserMemo;

pub trait Memo {
    /// The native memo may take shortcuts whose memo traffic is unobservable (skipping
    /// atomics, native set/frozenset/bytearray handlers); a caller's mapping may not.
    const NATIVE: bool;
    type Key;

    fn key(&self, x: *mut PyObject) -> R<Self::Key>;
    /// `memo.get(id(x), _nil)`, or from 3.15 `id(x) in memo` then `memo[id(x)]`.
    fn lookup(&mut self, key: &Self::Key) -> R<Option<Owned>>;
    /// `try: return memo[id(x)] except KeyError: pass` (tuples and frozendicts, after their
    /// items).
    fn recheck(&mut self, key: &Self::Key) -> R<Option<Owned>>;
    /// `memo[id(x)] = y`, done by handlers before they copy the contents.
    fn store(&mut self, key: &Self::Key, y: &Owned) -> R<()>;
    /// The end of `deepcopy()`: `memo[d] = y; _keep_alive(x, memo)`. `stored` says a handler
    /// already stored `y` for `x`, which the native memo need not repeat.
    fn memoize(&mut self, x: *mut PyObject, key: &Self::Key, y: &Owned, stored: bool) -> R<()>;
    /// Can anything outside this call see the memo (a caller's mapping, or a proxy over the
    /// native one that Python code may keep)?
    fn observable(&self) -> bool;
    /// `copier(memo)` for a custom `__deepcopy__`. The first time a native memo is handed to
    /// Python code, the copies still open on it are settled first (see `half_made`).
    fn call_deepcopy(&mut self, copier: *mut PyObject, x: *mut PyObject) -> R<Owned>;
    /// The innermost list or dict copy being filled from a slice or clone of its original
    /// while no Python code can see the memo (see `half_made`). Only a memo that is not
    /// [`Memo::observable`] yet takes registrations.
    fn open_top(&self) -> *const OpenCopy {
        std::ptr::null()
    }
    fn set_open_top(&mut self, _top: *const OpenCopy) {}
}

pub struct Engine<M: Memo> {
    pub memo: M,
    depth: Depth,
}

impl<M: Memo> Engine<M> {
    pub fn new(memo: M) -> Self {
        Engine {
            memo,
            depth: Depth::new(),
        }
    }

    /// `copy.deepcopy(x, memo)` for any object reached during the copy.
    #[inline]
    pub fn deep(&mut self, x: *mut PyObject) -> R<Owned> {
        self.deep_kind(x, types::classify(ffi::type_of(x)))
    }

    /// [`Engine::deep`] for an object whose kind the caller has just classified.
    #[inline]
    pub fn deep_kind(&mut self, x: *mut PyObject, kind: Kind) -> R<Owned> {
        // A caller's memo is probed for atomics too before 3.14; the native memo never
        // holds them.
        if kind == Kind::Atomic && (M::NATIVE || semantics::get().atomics_before_memo) {
            return Ok(ffi::new_ref(x));
        }
        if self.is_own_copy(x, kind) {
            return Ok(ffi::new_ref(x));
        }
        let key = self.memo.key(x)?;
        if let Some(y) = self.memo.lookup(&key)? {
            return Ok(y);
        }
        self.depth.enter()?;
        let copied = dispatch::dispatch(self, x, kind, &key);
        self.depth.leave();
        let (y, stored) = copied?;
        // The object `deepcopy` was called with needs no entry once its copy is done, unless
        // someone can read the memo afterwards.
        let root_done = self.depth.level() == 0 && !self.memo.observable();
        if y.as_ptr() != x && !root_done {
            self.memo.memoize(x, &key, &y, stored)?;
        }
        Ok(y)
    }

    /// Is `x` an instance of a registered class whose `__deepcopy__` returns the object, in a
    /// native memo no Python code has seen? Its copy is then itself, which is never stored
    /// (so such a memo cannot hold it), with no code to run: containers treat it as they
    /// treat an atomic item.
    #[inline(always)]
    pub fn is_own_copy(&self, x: *mut PyObject, kind: Kind) -> bool {
        M::NATIVE
            && matches!(kind, Kind::SelfCopyFixed | Kind::SelfCopy)
            && !self.memo.observable()
            && (kind == Kind::SelfCopyFixed
                || crate::self_copiers::still_returns_self(ffi::type_of(x)))
    }

    /// Runs `fill` on `copy`, a list (or, with `is_dict`, a dict) being filled from a slice
    /// or clone of its original, registered as open on the memo meanwhile (see `half_made`):
    /// the registration is taken back on every path.
    #[inline(always)]
    pub fn filling(
        &mut self,
        copy: *mut PyObject,
        is_dict: bool,
        fill: impl FnOnce(&mut Self, &OpenCopy) -> R<()>,
    ) -> R<()> {
        let open = OpenCopy::new(copy, is_dict, self.memo.open_top());
        self.memo.set_open_top(&open);
        let filled = fill(self, &open);
        self.memo.set_open_top(open.below());
        filled
    }

    /// Is the object being copied the one `deepcopy` was called with, in a memo nobody else
    /// sees? Then a handler whose copy runs no code that could come back to it (all items
    /// atomic) need not store the copy at all.
    #[inline(always)]
    pub fn at_unobserved_root(&self) -> bool {
        self.depth.level() == 1 && !self.memo.observable()
    }
}

/// `deepcopy(x)` with no memo: the native memo, or a fresh dict when configured so.
pub fn deepcopy_native(x: *mut PyObject) -> R<Owned> {
    if types::is_atomic(ffi::type_of(x)) {
        return Ok(ffi::new_ref(x));
    }
    if crate::pin::any() {
        return crate::pin::deepcopy_native(x);
    }
    if crate::config::dict_memo() {
        let memo = ffi::dict_new()?;
        return deepcopy_with_memo(x, memo.as_ptr());
    }
    let mut engine = Engine::new(NativeMemo::new());
    let result = engine.deep(x);
    engine.memo.finish();
    result
}

/// `deepcopy(x, memo)` with the caller's memo mapping.
pub fn deepcopy_with_memo(x: *mut PyObject, memo: *mut PyObject) -> R<Owned> {
    if let Some(state) = crate::proxy::state_of(memo) {
        if crate::pin::any() {
            return crate::pin::deepcopy_resumed(x, state, memo);
        }
        // Same lookups and stores as through the mapping methods, without the round-trips.
        let mut engine = Engine::new(NativeMemo::resume(state, ffi::new_ref(memo)));
        let result = engine.deep(x);
        engine.memo.finish();
        return result;
    }
    Engine::new(UserMemo::new(memo)?).deep(x)
}
