//! Interpreter functions newer than (or outside) the 3.9 limited API, found by name in the
//! running interpreter after checking its version, so the abi3 wheel imports none of them
//! (the fast-paths build resolves the same way, so both share one code path). Each one's
//! signature has been checked in the headers of every version up to the newest verified one;
//! on a newer interpreter none is looked up (see `verified.rs`).
//! Every user has a limited-API fallback for when a function is not found (an embedding that
//! hides the interpreter's symbols, or a platform without a lookup here).
//!
//! Names are found with `dlsym` on Unix and with `GetProcAddress` on Windows, in the module
//! that holds the interpreter's own type objects (`python3X.dll`: the abi3 wheel links
//! `python3.dll`, which only forwards to it).

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

/// `_PySet_NextEntry(set, *pos, *key, *hash)`: a set's items with borrowed references, in
/// iteration order, without an iterator object (1 while there is one, 0 at the end).
pub type SetNextFn = unsafe extern "C" fn(
    *mut PyObject,
    *mut super::Py_ssize_t,
    *mut *mut PyObject,
    *mut super::Py_ssize_t,
) -> c_int;

/// `PyFunction_SetVectorcall(func, vectorcall)` (3.12+): the entry point a call of a Python
/// function object goes through; setting it also stops the specializer from inlining calls
/// of that function.
pub type SetVectorcallFn = unsafe extern "C" fn(*mut PyObject, pyo3_ffi::vectorcallfunc);

/// `PyVectorcall_Function(callable)` (exported from 3.11): the entry point a vectorcall of
/// `callable` uses, or NULL.
pub type GetVectorcallFn = unsafe extern "C" fn(*mut PyObject) -> Option<pyo3_ffi::vectorcallfunc>;

#[derive(Default)]
struct Found {
    optional_attr: Option<OptionalAttrFn>,
    type_lookup: Option<TypeLookupFn>,
    dict_presized: Option<NewPresizedFn>,
    dict_next: Option<DictNextFn>,
    set_next: Option<SetNextFn>,
    set_vectorcall: Option<SetVectorcallFn>,
    get_vectorcall: Option<GetVectorcallFn>,
}

static FOUND: OnceLock<Found> = OnceLock::new();

#[cfg(unix)]
fn symbol(name: &std::ffi::CStr) -> *mut std::ffi::c_void {
    // SAFETY: dlsym with RTLD_DEFAULT only searches the loaded images for the name.
    unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }
}

#[cfg(windows)]
fn symbol(name: &std::ffi::CStr) -> *mut std::ffi::c_void {
    use std::ffi::c_void;
    #[link(name = "kernel32")]
    extern "system" {
        fn GetModuleHandleExW(flags: u32, name: *const u16, module: *mut *mut c_void) -> i32;
        fn GetProcAddress(module: *mut c_void, name: *const std::os::raw::c_char) -> *mut c_void;
    }
    /// `GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT`:
    /// the module holding an address, without a reference (the interpreter outlives us).
    const FROM_ADDRESS_UNCHANGED_REFCOUNT: u32 = 0x4 | 0x2;
    // The type of `None` is a static object of the interpreter itself, so its address lies
    // in the module that exports the whole C API (not in `python3.dll`, which forwards).
    // SAFETY: `Py_None` is a static singleton; reading its type reads nothing else.
    let anchor = unsafe { pyo3_ffi::Py_TYPE(pyo3_ffi::Py_None()) };
    let mut module = std::ptr::null_mut();
    // SAFETY: with FROM_ADDRESS the "name" argument is an address inside a loaded module;
    // `module` receives that module's handle, and GetProcAddress only reads its export table.
    unsafe {
        if GetModuleHandleExW(
            FROM_ADDRESS_UNCHANGED_REFCOUNT,
            anchor.cast::<u16>(),
            &mut module,
        ) == 0
            || module.is_null()
        {
            return std::ptr::null_mut();
        }
        GetProcAddress(module, name.as_ptr())
    }
}

#[cfg(not(any(unix, windows)))]
fn symbol(_name: &std::ffi::CStr) -> *mut std::ffi::c_void {
    std::ptr::null_mut()
}

/// The function of that name, reinterpreted as `F`.
///
/// # Safety
/// `F` must be the exact signature the running interpreter gives `name`.
unsafe fn find<F: Copy>(name: &std::ffi::CStr) -> Option<F> {
    debug_assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<usize>());
    let p = symbol(name);
    // SAFETY: a non-NULL symbol of that name is a function of type `F` (the caller's
    // contract); function pointers and data pointers have the same size on every target.
    (!p.is_null()).then(|| unsafe { std::mem::transmute_copy::<*mut std::ffi::c_void, F>(&p) })
}

/// Resolves what this interpreter version offers; called once at import. With `allowed`
/// false (an unverified interpreter, or `COPIUM_LIMITED_API_ONLY=1`) nothing is looked up,
/// and every user takes its limited-API fallback.
pub fn init(major: u8, minor: u8, allowed: bool) {
    if !allowed {
        let _ = FOUND.set(Found::default());
        return;
    }
    let version = (major, minor);
    let optional_attr_name = if version >= (3, 13) {
        c"PyObject_GetOptionalAttr"
    } else {
        // Exported with this signature by 3.7 through 3.12.
        c"_PyObject_LookupAttr"
    };
    // SAFETY (for each lookup): the signature given is the one that name has in the headers
    // of every version it is looked up on (3.9 to the newest verified one, unless stated).
    let found = unsafe {
        Found {
            optional_attr: find::<OptionalAttrFn>(optional_attr_name),
            type_lookup: find::<TypeLookupFn>(c"_PyType_Lookup"),
            dict_presized: find::<NewPresizedFn>(c"_PyDict_NewPresized"),
            // The hash out-parameter is a `Py_hash_t`, the size of a `Py_ssize_t`.
            dict_next: find::<DictNextFn>(c"_PyDict_Next"),
            set_next: find::<SetNextFn>(c"_PySet_NextEntry"),
            // Both from 3.12: earlier versions have no setter, and 3.11's specializer would
            // inline calls of a Python function whatever its entry point.
            set_vectorcall: (version >= (3, 12))
                .then(|| find::<SetVectorcallFn>(c"PyFunction_SetVectorcall"))
                .flatten(),
            get_vectorcall: (version >= (3, 12))
                .then(|| find::<GetVectorcallFn>(c"PyVectorcall_Function"))
                .flatten(),
        }
    };
    let _ = FOUND.set(found);
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
        (f.set_next.is_some(), "direct set iteration"),
        (
            f.set_vectorcall.is_some() && f.get_vectorcall.is_some(),
            "function entry points",
        ),
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

#[inline(always)]
pub fn set_next() -> Option<SetNextFn> {
    FOUND.get().and_then(|f| f.set_next)
}

/// Both halves of a function object's entry point, or neither.
pub fn vectorcall_access() -> Option<(GetVectorcallFn, SetVectorcallFn)> {
    let f = FOUND.get()?;
    Some((f.get_vectorcall?, f.set_vectorcall?))
}
