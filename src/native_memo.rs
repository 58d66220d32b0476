//! The native memo strategy: the address-keyed table of [`crate::state::Session`].

use crate::deepcopy::Memo;
use crate::ffi::{Owned, PyObject, R};
use crate::half_made::{OpenCopies, OpenCopy};
use crate::memo::Key;
use crate::state::Session;

pub struct NativeMemo {
    pub session: Session,
    open: OpenCopies,
}

impl NativeMemo {
    pub fn new() -> Self {
        NativeMemo {
            session: Session::Uninitialized,
            open: OpenCopies::default(),
        }
    }

    pub fn resume(state: crate::state::SharedState, proxy: Owned) -> Self {
        NativeMemo {
            session: Session::resume(state, proxy),
            open: OpenCopies::default(),
        }
    }

    pub fn finish(&mut self) {
        self.session.finish();
    }
}

impl Drop for NativeMemo {
    /// Also on unwinding from a panic: the thread's spare state must never stay borrowed.
    fn drop(&mut self) {
        self.session.finish();
    }
}

impl Memo for NativeMemo {
    const NATIVE: bool = true;
    type Key = Key;

    #[inline(always)]
    fn key(&self, x: *mut PyObject) -> R<Key> {
        Ok(Key::of(x))
    }

    #[inline(always)]
    fn lookup(&mut self, key: &Key) -> R<Option<Owned>> {
        Ok(self.session.lookup(*key))
    }

    #[inline(always)]
    fn recheck(&mut self, key: &Key) -> R<Option<Owned>> {
        Ok(self.session.lookup(*key))
    }

    #[inline(always)]
    fn store(&mut self, key: &Key, y: &Owned) -> R<()> {
        self.session.store(*key, y)
    }

    #[inline(always)]
    fn memoize(&mut self, x: *mut PyObject, key: &Key, y: &Owned, stored: bool) -> R<()> {
        if stored {
            self.session.keep(x)
        } else {
            self.session.memoize(x, *key, y)
        }
    }

    #[inline(always)]
    fn observable(&self) -> bool {
        matches!(self.session, Session::Proxied(..))
    }

    fn call_deepcopy(&mut self, copier: *mut PyObject, x: *mut PyObject) -> R<Owned> {
        if !self.observable() {
            self.open.settle()?;
        }
        crate::fallback::call_with_proxy(&mut self.session, copier, x)
    }

    #[inline(always)]
    fn open_top(&self) -> *const OpenCopy {
        self.open.top()
    }

    #[inline(always)]
    fn set_open_top(&mut self, top: *const OpenCopy) {
        self.open.set_top(top);
    }
}
