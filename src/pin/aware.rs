//! The engine's memo, while something is pinned: every object the engine meets for the first
//! time (a memo miss) is also looked for among the pinned objects, and a pinned one is copied
//! from its plan, on the same memo, instead of being walked.

use super::{registry, replay};
use crate::deepcopy::Memo;
use crate::ffi::{Owned, PyObject, R};
use crate::half_made::OpenCopy;
use std::sync::atomic::Ordering;

pub struct PinAware<M: Memo> {
    pub inner: M,
}

impl<M: Memo> Memo for PinAware<M> {
    const NATIVE: bool = M::NATIVE;
    /// The object's address beside the inner memo's key.
    type Key = (usize, M::Key);

    #[inline(always)]
    fn key(&self, x: *mut PyObject) -> R<Self::Key> {
        Ok((x as usize, self.inner.key(x)?))
    }

    #[inline]
    fn lookup(&mut self, key: &Self::Key) -> R<Option<Owned>> {
        if let Some(y) = self.inner.lookup(&key.1)? {
            return Ok(Some(y));
        }
        let Some(plan) = registry::find(key.0) else {
            return Ok(None);
        };
        plan.hits.fetch_add(1, Ordering::Relaxed);
        replay::copy_within(&plan, &mut self.inner).map(Some)
    }

    #[inline(always)]
    fn recheck(&mut self, key: &Self::Key) -> R<Option<Owned>> {
        self.inner.recheck(&key.1)
    }

    #[inline(always)]
    fn store(&mut self, key: &Self::Key, y: &Owned) -> R<()> {
        self.inner.store(&key.1, y)
    }

    #[inline(always)]
    fn memoize(&mut self, x: *mut PyObject, key: &Self::Key, y: &Owned, stored: bool) -> R<()> {
        self.inner.memoize(x, &key.1, y, stored)
    }

    #[inline(always)]
    fn observable(&self) -> bool {
        self.inner.observable()
    }

    fn call_deepcopy(&mut self, copier: *mut PyObject, x: *mut PyObject) -> R<Owned> {
        self.inner.call_deepcopy(copier, x)
    }

    #[inline(always)]
    fn open_top(&self) -> *const OpenCopy {
        self.inner.open_top()
    }

    #[inline(always)]
    fn set_open_top(&mut self, top: *const OpenCopy) {
        self.inner.set_open_top(top);
    }
}
