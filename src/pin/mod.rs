//! Pins: compiled copy plans for objects that are copied again and again (`copium.extra`'s
//! `pin`, `Pin`, `unpin`, `pinned`, `clear_pins`, `pins`).
//!
//! `pin(obj)` walks `obj` once in `deepcopy`'s order (`planner.rs`) and records a plan
//! (`plan.rs`): sharing and cycles resolved into node references, atomics in place,
//! containers as templates cloned in one call, plain instances as class + state, reduce
//! values with their callables resolved. It then makes one copy from the plan, so that
//! whatever code that copy runs (and whatever it raises) runs at `pin()`. `Pin.copy()`
//! replays the plan (`replay.rs`).
//!
//! While anything is pinned, `deepcopy` without a caller's memo goes through [`deepcopy_native`]
//! (the engine's one extra test per call): a pinned object, met as the argument or anywhere
//! in the graph (`aware.rs`), is copied from its plan. `registry.rs` keeps the pins.

mod aware;
mod plan;
mod planner;
mod python;
mod registry;
mod replay;

use crate::deepcopy::Engine;
use crate::ffi::{self, Owned, PyObject, R};
use crate::native_memo::NativeMemo;
use crate::state::SharedState;
use crate::user_memo::UserMemo;
use aware::PinAware;
use pyo3::prelude::*;
use std::sync::atomic::Ordering;

/// Is anything pinned?
#[inline(always)]
pub fn any() -> bool {
    registry::any()
}

/// `deepcopy(x)` with no memo, while something is pinned (`x` is not atomic).
pub fn deepcopy_native(x: *mut PyObject) -> R<Owned> {
    if let Some(plan) = registry::find(x as usize) {
        plan.hits.fetch_add(1, Ordering::Relaxed);
        return replay::copy(&plan);
    }
    if crate::config::dict_memo() {
        let memo = ffi::dict_new()?;
        return Engine::new(PinAware {
            inner: UserMemo::new(memo.as_ptr())?,
        })
        .deep(x);
    }
    let mut engine = Engine::new(PinAware {
        inner: NativeMemo::new(),
    });
    let result = engine.deep(x);
    engine.memo.inner.finish();
    result
}

/// `deepcopy(x, memo)` where `memo` is the `copium.memo` over `state` (a `__deepcopy__`
/// continuing the copy that called it), while something is pinned.
pub fn deepcopy_resumed(x: *mut PyObject, state: SharedState, memo: *mut PyObject) -> R<Owned> {
    let mut engine = Engine::new(PinAware {
        inner: NativeMemo::resume(state, ffi::new_ref(memo)),
    });
    let result = engine.deep(x);
    engine.memo.inner.finish();
    result
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    planner::init(py)?;
    registry::init().map_err(|_| PyErr::fetch(py))?;
    python::register(m)
}
