//! `copy.copy` and `copy.replace` with stdlib's dispatch order.

use crate::ffi::{self, exc_types, Owned, PyObject, R};
use crate::reduce::{self, Shallow};
use crate::types::{self, statics, ShallowKind};

pub fn copy(x: *mut PyObject) -> R<Owned> {
    let tp = ffi::type_of(x);
    match types::classify_shallow(tp) {
        ShallowKind::Immutable => return Ok(ffi::new_ref(x)),
        ShallowKind::List => return ffi::list_slice(x, 0, ffi::list_len(x)),
        ShallowKind::Dict => return ffi::dict_copy(x),
        // SAFETY: `x` is a live set.
        ShallowKind::Set => return ffi::owned(unsafe { pyo3_ffi::PySet_New(x) }),
        ShallowKind::ByteArray => return ffi::bytearray_copy(x),
        ShallowKind::Other => {}
    }
    if types::is_class(tp) {
        return Ok(ffi::new_ref(x));
    }
    if let Some(copier) = ffi::getattr_not_none(tp.cast(), statics().names.copy.as_ptr())? {
        return ffi::call1(copier.as_ptr(), x);
    }
    let rv = reduce::reduce_value(x, tp, false)?;
    if types::is_str_instance(rv.as_ptr()) {
        return Ok(ffi::new_ref(x));
    }
    reduce::reconstruct(&mut Shallow, &(), rv)
}

/// `copy.replace(obj, /, **changes)` (3.13): `type(obj).__replace__(obj, **changes)`.
pub fn replace(obj: *mut PyObject, changes: *mut PyObject) -> R<Owned> {
    let names = &statics().names;
    let cls = ffi::getattr(obj, names.class.as_ptr())?;
    let Some(func) = ffi::getattr_not_none(cls.as_ptr(), names.replace.as_ptr())? else {
        let name = ffi::getattr(cls.as_ptr(), names.name.as_ptr())
            .map(|n| ffi::to_display(n.as_ptr()))
            .unwrap_or_else(|_| {
                ffi::err_clear();
                String::from("?")
            });
        return Err(ffi::raise(
            exc_types::type_error(),
            &format!("replace() does not support {name} objects"),
        ));
    };
    let args = ffi::tuple_new(1)?;
    ffi::tuple_fill(args.as_ptr(), 0, ffi::new_ref(obj));
    ffi::call_kw(func.as_ptr(), args.as_ptr(), changes)
}
