//! Interpreter functions newer than (or outside) the 3.9 limited API, found by name in the
//! running interpreter after checking its version, so the abi3 wheel imports none of them
//! (the fast-paths build resolves the same way, so both share one code path). Each one's
//! signature has been checked in the headers of every version up to the newest verified one;
//! on a newer interpreter none is looked up (see `verified.rs`).
//! Every user has a limited-API fallback for when a function is not found (an embedding that
//! hides the interpreter's symbols, or a platform without a lookup here).

use super::{PyObject, PyTypeObject};
use std::os::raw::c_int;
use std::sync::OnceLock;

/// `(obj, name, *result) -> 1 found / 0 missing / -1 error`, without raising AttributeError.
pub type OptionalAttrFn =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut *mut PyObject) -> c_int;

/// `_PyType_Lookup(type, name)`: the MRO lookup behind generic getattr, through the type
/// attribute cache; a borrowed reference or NULL, never an exception.
pub type TypeLookupFn = unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject) -> *mut PyObject;

/// `_PyDict_NewPresized(n)`: an empty dict with room for `n` items, so filling it never
/// resizes.
pub type NewPresizedFn = unsafe extern "C" fn(super::Py_ssize_t) -> *mut PyObject;

/// `_PyDict_Next(dict, *pos, *key, *value, *hash)`: what `PyDict_Next` forwards to, without
/// the extra call.
pub type DictNextFn = unsafe extern "C" fn(
    *mut PyObject,
    *mut super::Py_ssize_t,
    *mut *mut PyObject,
    *mut *mut PyObject,
    *mut super::Py_ssize_t,
) -> c_int;

struct Found {
    optional_attr: Option<OptionalAttrFn>,
    type_lookup: Option<TypeLookupFn>,
    dict_presized: Option<NewPresizedFn>,
    dict_next: Option<DictNextFn>,
}

static FOUND: OnceLock<Found> = OnceLock::new();

#[cfg(unix)]
fn symbol(name: &std::ffi::CStr) -> *mut std::ffi::c_void {
    // SAFETY: dlsym with RTLD_DEFAULT only searches the loaded images for the name.
    unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }
}

#[cfg(not(unix))]
fn symbol(_name: &std::ffi::CStr) -> *mut std::ffi::c_void {
    std::ptr::null_mut()
}

/// Resolves what this interpreter version offers; called once at import. With `allowed`
/// false (an unverified interpreter, or `COPIUM_LIMITED_API_ONLY=1`) nothing is looked up,
/// and every user takes its limited-API fallback.
pub fn init(major: u8, minor: u8, allowed: bool) {
    if !allowed {
        let _ = FOUND.set(Found {
            optional_attr: None,
            type_lookup: None,
            dict_presized: None,
            dict_next: None,
        });
        return;
    }
    let name = if (major, minor) >= (3, 13) {
        c"PyObject_GetOptionalAttr"
    } else {
        // Exported with this signature by 3.7 through 3.12.
        c"_PyObject_LookupAttr"
    };
    let p = symbol(name);
    let optional_attr = (!p.is_null()).then(|| {
        // SAFETY: the symbol of that name in that version has exactly this signature.
        unsafe { std::mem::transmute::<*mut std::ffi::c_void, OptionalAttrFn>(p) }
    });
    let p = symbol(c"_PyType_Lookup");
    let type_lookup = (!p.is_null()).then(|| {
        // SAFETY: `_PyType_Lookup` has had this signature in every CPython 3.x.
        unsafe { std::mem::transmute::<*mut std::ffi::c_void, TypeLookupFn>(p) }
    });
    let p = symbol(c"_PyDict_NewPresized");
    let dict_presized = (!p.is_null()).then(|| {
        // SAFETY: `_PyDict_NewPresized` has had this signature since it appeared (3.x).
        unsafe { std::mem::transmute::<*mut std::ffi::c_void, NewPresizedFn>(p) }
    });
    let p = symbol(c"_PyDict_Next");
    let dict_next = (!p.is_null()).then(|| {
        // SAFETY: `_PyDict_Next` has had this signature since 3.5 (the hash out-parameter
        // is a `Py_hash_t`, the size of a `Py_ssize_t`).
        unsafe { std::mem::transmute::<*mut std::ffi::c_void, DictNextFn>(p) }
    });
    let _ = FOUND.set(Found {
        optional_attr,
        type_lookup,
        dict_presized,
        dict_next,
    });
}

/// The functions found, by what they do (reported by `python -m copium info`).
pub fn found() -> Vec<&'static str> {
    let Some(f) = FOUND.get() else {
        return Vec::new();
    };
    [
        (f.optional_attr.is_some(), "optional attribute lookup"),
        (f.type_lookup.is_some(), "type attribute lookup"),
        (f.dict_presized.is_some(), "presized dict"),
        (f.dict_next.is_some(), "direct dict iteration"),
    ]
    .into_iter()
    .filter_map(|(found, what)| found.then_some(what))
    .collect()
}

#[inline(always)]
pub fn dict_next() -> Option<DictNextFn> {
    FOUND.get().and_then(|f| f.dict_next)
}

#[inline(always)]
pub fn dict_presized() -> Option<NewPresizedFn> {
    FOUND.get().and_then(|f| f.dict_presized)
}

#[inline(always)]
pub fn type_lookup() -> Option<TypeLookupFn> {
    FOUND.get().and_then(|f| f.type_lookup)
}

#[inline(always)]
pub fn optional_attr() -> Option<OptionalAttrFn> {
    FOUND.get().and_then(|f| f.optional_attr)
}
