//! The raw CPython boundary. Everything that differs between the limited API (the shipped abi3
//! wheel) and the version-specific fast paths lives in `limited.rs` / `fast.rs`; the rest of
//! the crate calls only what this module re-exports.
//!
//! Error convention: a function returning [`R`] has set a Python exception when it returns
//! `Err(Fail)`, exactly like a C API call returning NULL/-1.

#[cfg(copium_fast)]
mod fast;
#[cfg(copium_fast)]
pub use fast::*;
#[cfg(not(copium_fast))]
mod layout;
#[cfg(not(copium_fast))]
mod limited;
#[cfg(not(copium_fast))]
pub use limited::*;

mod dicts;
pub use dicts::in_place as dict_entries_in_place;
mod owned;
pub use owned::Owned;
mod shared;
pub use shared::*;
pub mod runtime;
pub mod verified;

/// The attribute `name` found on `tp`'s MRO (what generic getattr sees before the instance
/// dict), as a borrowed pointer compared by identity; `Err` when it cannot be told without
/// running Python code, in which case callers take their general path.
#[inline]
pub fn type_lookup(tp: *mut PyTypeObject, name: *mut PyObject) -> Result<*mut PyObject, ()> {
    match runtime::type_lookup() {
        // SAFETY: `tp` is a live type and `name` a str; the result is borrowed or NULL.
        Some(lookup) => Ok(unsafe { lookup(tp, name) }),
        None => Err(()),
    }
}

pub use pyo3_ffi::{vectorcallfunc, PyObject, PyTypeObject, Py_ssize_t};

/// Whether [`function_entry`] and [`set_function_entry`] work on this interpreter.
pub fn function_entries_available() -> bool {
    runtime::vectorcall_access().is_some()
}

/// The entry point calls of the Python function `f` go through, where the interpreter lets
/// it be read and replaced (3.12+, verified); `None` elsewhere.
pub fn function_entry(f: *mut PyObject) -> Option<Option<vectorcallfunc>> {
    let (get, _) = runtime::vectorcall_access()?;
    // SAFETY: `f` is a live object; the function reads its type's vectorcall offset.
    Some(unsafe { get(f) })
}

/// Replaces the entry point of the Python function `f` (see [`function_entry`]); false where
/// the interpreter offers no way.
///
/// # Safety
/// `f` is a live object whose type is exactly `types.FunctionType`.
pub unsafe fn set_function_entry(f: *mut PyObject, entry: vectorcallfunc) -> bool {
    let Some((_, set)) = runtime::vectorcall_access() else {
        return false;
    };
    // SAFETY: `f` is a Python function object (the caller's contract), which the setter takes.
    unsafe { set(f, entry) };
    true
}

/// The positional argument count of a vectorcall.
#[inline(always)]
pub fn vectorcall_nargs(nargsf: usize) -> Py_ssize_t {
    /// `PY_VECTORCALL_ARGUMENTS_OFFSET`: the top bit, a flag beside the count.
    const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);
    (nargsf & !ARGUMENTS_OFFSET) as Py_ssize_t
}
use std::ptr;

/// The vectorcall convention for builtin functions. Limited API from 3.10 (present in every
/// supported interpreter, but the abi3 build only uses it after checking the version).
pub const METH_FASTCALL: std::os::raw::c_int = 0x0080;

/// A Python exception is set on the current thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail;

pub type R<T> = Result<T, Fail>;

/// Turns a new reference from the C API (NULL = exception set) into an [`Owned`].
#[inline(always)]
pub fn owned(p: *mut PyObject) -> R<Owned> {
    // SAFETY: callers pass a pointer the C API just returned as a new reference (or NULL).
    unsafe { Owned::from_new(p) }.ok_or(Fail)
}

/// Turns a C status code (-1 = exception set) into an [`R`].
#[inline(always)]
pub fn status(rc: std::os::raw::c_int) -> R<()> {
    if rc < 0 {
        Err(Fail)
    } else {
        Ok(())
    }
}

#[inline(always)]
pub fn type_of(obj: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: every object the engine handles is a live object; ob_type is always set.
    unsafe { pyo3_ffi::Py_TYPE(obj) }
}

#[inline(always)]
pub fn type_flags(tp: *mut PyTypeObject) -> std::os::raw::c_ulong {
    // SAFETY: `tp` is a live type object.
    unsafe { pyo3_ffi::PyType_GetFlags(tp) }
}

/// New strong reference to `obj`.
#[inline(always)]
pub fn new_ref(obj: *mut PyObject) -> Owned {
    // SAFETY: `obj` is a live object; the new reference is ours.
    unsafe {
        incref(obj);
        Owned::from_new(obj).unwrap_unchecked()
    }
}

pub fn none() -> *mut PyObject {
    // SAFETY: Py_None is a static singleton.
    unsafe { pyo3_ffi::Py_None() }
}

#[inline]
pub fn getattr(obj: *mut PyObject, name: *mut PyObject) -> R<Owned> {
    // SAFETY: both are live objects.
    owned(unsafe { pyo3_ffi::PyObject_GetAttr(obj, name) })
}

#[inline]
pub fn setattr(obj: *mut PyObject, name: *mut PyObject, value: *mut PyObject) -> R<()> {
    // SAFETY: all three are live objects.
    status(unsafe { pyo3_ffi::PyObject_SetAttr(obj, name, value) })
}

#[inline]
pub fn setitem(obj: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> R<()> {
    // SAFETY: all three are live objects.
    status(unsafe { pyo3_ffi::PyObject_SetItem(obj, key, value) })
}

#[inline]
pub fn getitem(obj: *mut PyObject, key: *mut PyObject) -> R<Owned> {
    // SAFETY: both are live objects.
    owned(unsafe { pyo3_ffi::PyObject_GetItem(obj, key) })
}

#[inline]
pub fn is_true(obj: *mut PyObject) -> R<bool> {
    // SAFETY: `obj` is live.
    let rc = unsafe { pyo3_ffi::PyObject_IsTrue(obj) };
    status(rc).map(|_| rc == 1)
}

/// `callable(*args)` with the items of the tuple `args`.
#[inline]
pub fn call_tuple(callable: *mut PyObject, args: *mut PyObject) -> R<Owned> {
    // SAFETY: `callable` is live and `args` is a live tuple.
    owned(unsafe { pyo3_ffi::PyObject_Call(callable, args, ptr::null_mut()) })
}

/// `callable(*args, **kwargs)`.
#[inline]
pub fn call_kw(callable: *mut PyObject, args: *mut PyObject, kwargs: *mut PyObject) -> R<Owned> {
    // SAFETY: live callable, live tuple, and a dict or NULL.
    owned(unsafe { pyo3_ffi::PyObject_Call(callable, args, kwargs) })
}

pub fn tuple_from_iterable(obj: *mut PyObject) -> R<Owned> {
    // SAFETY: `obj` is live; PySequence_Tuple accepts any iterable.
    owned(unsafe { pyo3_ffi::PySequence_Tuple(obj) })
}

pub fn get_iter(obj: *mut PyObject) -> R<Owned> {
    // SAFETY: `obj` is live.
    owned(unsafe { pyo3_ffi::PyObject_GetIter(obj) })
}

/// Next item of an iterator: `Ok(None)` when exhausted.
pub fn iter_next(it: *mut PyObject) -> R<Option<Owned>> {
    // SAFETY: `it` is a live iterator.
    let p = unsafe { pyo3_ffi::PyIter_Next(it) };
    if p.is_null() {
        // SAFETY: reading the error indicator of the thread that holds the GIL.
        if unsafe { pyo3_ffi::PyErr_Occurred() }.is_null() {
            Ok(None)
        } else {
            Err(Fail)
        }
    } else {
        // SAFETY: PyIter_Next returned a new reference.
        Ok(Some(unsafe { Owned::from_new(p).unwrap_unchecked() }))
    }
}

pub fn long_from_ptr(obj: *mut PyObject) -> R<Owned> {
    // SAFETY: turning an address into an int reads nothing through it.
    owned(unsafe { pyo3_ffi::PyLong_FromVoidPtr(obj.cast()) })
}

/// Is the pending exception an instance of `exc_type`?
pub fn err_matches(exc_type: *mut PyObject) -> bool {
    // SAFETY: reading the error indicator of the thread that holds the GIL.
    unsafe { pyo3_ffi::PyErr_ExceptionMatches(exc_type) != 0 }
}

pub fn err_clear() {
    // SAFETY: clearing the error indicator of the current thread.
    unsafe { pyo3_ffi::PyErr_Clear() }
}

pub fn raise(exc_type: *mut PyObject, msg: &str) -> Fail {
    let msg = std::ffi::CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: `exc_type` is an exception class and `msg` is NUL-terminated.
    unsafe { pyo3_ffi::PyErr_SetString(exc_type, msg.as_ptr()) };
    Fail
}

/// `getattr(obj, name, None)`: only AttributeError means "missing". Uses the interpreter's
/// exception-free lookup when [`runtime`] found one, else getattr and a cleared error.
#[inline]
pub fn getattr_opt(obj: *mut PyObject, name: *mut PyObject) -> R<Option<Owned>> {
    if let Some(lookup) = runtime::optional_attr() {
        let mut out = ptr::null_mut();
        // SAFETY: the function has the documented (obj, name, *result) -> int signature of
        // `PyObject_GetOptionalAttr` / `_PyObject_LookupAttr`; `out` is a new reference or NULL.
        let rc = unsafe { lookup(obj, name, &mut out) };
        if rc < 0 {
            return Err(Fail);
        }
        // SAFETY: `out` is a new reference or NULL.
        return Ok(unsafe { Owned::from_new(out) });
    }
    // SAFETY: both are live; the error indicator is inspected only after a NULL result.
    unsafe {
        let p = pyo3_ffi::PyObject_GetAttr(obj, name);
        if !p.is_null() {
            return Ok(Some(Owned::from_new(p).unwrap_unchecked()));
        }
        if pyo3_ffi::PyErr_ExceptionMatches(pyo3_ffi::PyExc_AttributeError) != 0 {
            pyo3_ffi::PyErr_Clear();
            Ok(None)
        } else {
            Err(Fail)
        }
    }
}

/// `getattr(obj, name, None)` where a `None` value counts as absent too, as in stdlib's
/// `if getattr(x, name, None) is not None` tests.
#[inline]
pub fn getattr_not_none(obj: *mut PyObject, name: *mut PyObject) -> R<Option<Owned>> {
    Ok(getattr_opt(obj, name)?.filter(|v| v.as_ptr() != none()))
}

/// Copies gathered before the tuple that will hold them exists (user code running meanwhile
/// must never meet a tuple with empty slots); the short runs of every common tuple and
/// reduce value stay on the stack.
pub type Items = smallvec::SmallVec<[Owned; 8]>;

/// A new tuple of `items`, filled before anything else can see it.
pub fn tuple_from<I: ExactSizeIterator<Item = Owned>>(items: I) -> R<Owned> {
    let t = tuple_new(items.len() as Py_ssize_t)?;
    for (i, item) in items.enumerate() {
        tuple_fill(t.as_ptr(), i as Py_ssize_t, item);
    }
    Ok(t)
}

/// An empty dict that will hold `n` items without resizing, where the interpreter offers
/// that; a plain empty dict otherwise.
#[inline]
pub fn dict_with_capacity(n: Py_ssize_t) -> R<Owned> {
    match runtime::dict_presized() {
        // SAFETY: the function takes a size hint and returns a new dict or NULL.
        Some(new) if n > 5 => owned(unsafe { new(n) }),
        _ => dict_new(),
    }
}

/// `str(obj)` as a Rust string, for messages.
pub fn to_display(obj: *mut PyObject) -> String {
    // SAFETY: `obj` is live; every failure path is handled and the error cleared.
    unsafe {
        let s = pyo3_ffi::PyObject_Str(obj);
        if s.is_null() {
            pyo3_ffi::PyErr_Clear();
            return String::from("<unprintable>");
        }
        let s = Owned::from_new(s).unwrap_unchecked();
        let b =
            pyo3_ffi::PyUnicode_AsEncodedString(s.as_ptr(), c"utf-8".as_ptr(), c"replace".as_ptr());
        let Some(b) = Owned::from_new(b) else {
            pyo3_ffi::PyErr_Clear();
            return String::from("<unprintable>");
        };
        let mut data = ptr::null_mut();
        let mut len: Py_ssize_t = 0;
        if pyo3_ffi::PyBytes_AsStringAndSize(b.as_ptr(), &mut data, &mut len) < 0 {
            pyo3_ffi::PyErr_Clear();
            return String::from("<unprintable>");
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), len as usize);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

pub mod exc_types {
    //! The builtin exception classes the engine raises, as object pointers.
    use super::PyObject;
    macro_rules! exc_fn {
        ($name:ident, $sym:ident) => {
            #[inline]
            pub fn $name() -> *mut PyObject {
                // SAFETY: builtin exception classes are process-lifetime statics.
                unsafe { pyo3_ffi::$sym }
            }
        };
    }
    exc_fn!(type_error, PyExc_TypeError);
    exc_fn!(runtime_error, PyExc_RuntimeError);
    exc_fn!(recursion_error, PyExc_RecursionError);
    exc_fn!(key_error, PyExc_KeyError);
    exc_fn!(assertion_error, PyExc_AssertionError);
    exc_fn!(user_warning, PyExc_UserWarning);
}
