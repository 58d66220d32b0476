//! Depth guard. The engine recurses natively, so nesting is bounded twice: by
//! `sys.getrecursionlimit()` (one level per nested container or object, where stdlib spends
//! about two Python frames per level) and by the native stack actually left on this thread,
//! so a raised recursion limit can never turn deep nesting into a crash. Both raise
//! RecursionError, and the copy unwinds cleanly.

use crate::ffi::{self, exc_types, R};

/// Stack kept free for the interpreter and for user code called from deep inside a copy: a
/// quarter of what the thread had left when the copy first checked, at most this much (so
/// threads started with small stacks can still copy moderately deep structures).
const STACK_RESERVE_MAX: usize = 256 * 1024;

pub struct Depth {
    level: usize,
    limit: usize,
    /// Set at the first stack check of this call; `None` before it.
    reserve: Option<usize>,
}

impl Depth {
    pub fn new() -> Depth {
        Depth {
            level: 0,
            limit: ffi::recursion_limit(),
            reserve: None,
        }
    }

    #[inline(always)]
    pub fn enter(&mut self) -> R<()> {
        self.level += 1;
        if self.level > self.limit {
            self.level -= 1;
            return Err(ffi::raise(
                exc_types::recursion_error(),
                "maximum recursion depth exceeded while deep-copying (copium counts one level \
                 per nested object; see sys.getrecursionlimit())",
            ));
        }
        if self.level % 16 == 0 && self.stack_is_low() {
            self.level -= 1;
            return Err(ffi::raise(
                exc_types::recursion_error(),
                "maximum recursion depth exceeded while deep-copying: the native stack is \
                 nearly exhausted",
            ));
        }
        Ok(())
    }

    /// How many objects are being copied, one inside the other (0 outside any).
    #[inline(always)]
    pub fn level(&self) -> usize {
        self.level
    }

    #[inline(always)]
    pub fn leave(&mut self) {
        self.level -= 1;
    }
}

impl Depth {
    fn stack_is_low(&mut self) -> bool {
        let Some(left) = stacker::remaining_stack() else {
            return false;
        };
        let reserve = *self
            .reserve
            .get_or_insert_with(|| (left / 4).min(STACK_RESERVE_MAX));
        left < reserve
    }
}
