//! What to do with one non-memoized object, in stdlib's order: the builtin handlers
//! (`_deepcopy_dispatch`), classes, `__deepcopy__`, then the reduce protocol.

use crate::containers;
use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, Owned, PyObject, R};
use crate::objects;
use crate::reduce;
use crate::self_copiers;
use crate::types::{self, statics, Kind};

/// Copies `x`; the flag says whether the handler already stored the copy in the memo.
#[inline]
pub fn dispatch<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    kind: Kind,
    key: &M::Key,
) -> R<(Owned, bool)> {
    match kind {
        Kind::Atomic => Ok((ffi::new_ref(x), false)),
        Kind::List => containers::list(e, x, key).map(|y| (y, true)),
        Kind::Dict => containers::dict(e, x, key).map(|y| (y, true)),
        Kind::Tuple => containers::tuple(e, x, key).map(|y| (y, false)),
        Kind::FrozenDict => containers::frozendict(e, x, key).map(|y| (y, false)),
        Kind::Method => containers::method(e, x).map(|y| (y, false)),
        // Through reduce in stdlib; natively the same result without the temporary argument
        // list being memoized, which only a caller-supplied memo could observe.
        Kind::Set if M::NATIVE => containers::set(e, x, false).map(|y| (y, false)),
        Kind::FrozenSet if M::NATIVE => containers::set(e, x, true).map(|y| (y, false)),
        Kind::ByteArray if M::NATIVE => ffi::bytearray_copy(x).map(|y| (y, false)),
        Kind::SelfCopyFixed => Ok((ffi::new_ref(x), false)),
        Kind::SelfCopy if self_copiers::still_returns_self(ffi::type_of(x)) => {
            Ok((ffi::new_ref(x), false))
        }
        _ => other(e, x, key),
    }
}

fn other<M: Memo>(e: &mut Engine<M>, x: *mut PyObject, key: &M::Key) -> R<(Owned, bool)> {
    let tp = ffi::type_of(x);
    if types::is_class(tp) {
        return Ok((ffi::new_ref(x), false));
    }
    if objects::deepcopy_returns_self(x, tp)? {
        return Ok((ffi::new_ref(x), false));
    }
    if let Some(copier) = ffi::getattr_not_none(x, statics().names.deepcopy.as_ptr())? {
        // A class whose module was imported since copium last looked may be one whose
        // `__deepcopy__` returns the object itself.
        if self_copiers::register_now(tp)? && self_copiers::still_returns_self(tp) {
            return Ok((ffi::new_ref(x), false));
        }
        return e.memo.call_deepcopy(copier.as_ptr(), x).map(|y| (y, false));
    }
    if M::NATIVE {
        if let Some(y) = objects::copy_plain(e, x, tp, key)? {
            return Ok((y, true));
        }
    }
    let rv = reduce::reduce_value(x, tp, true)?;
    if types::is_str_instance(rv.as_ptr()) {
        return Ok((ffi::new_ref(x), false));
    }
    reduce::reconstruct(e, key, rv).map(|y| (y, true))
}
