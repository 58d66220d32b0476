//! The calls that are the same in both builds (functions of the 3.9 limited API that the
//! version-specific build has no faster form of).

use super::{owned, status, Owned, PyObject, Py_ssize_t, R};
use pyo3_ffi as ffi;
use std::ptr;

/// What copium may use beyond the limited API on the running interpreter: every shortcut,
/// unless the interpreter is newer than the newest verified one or `COPIUM_LIMITED_API_ONLY`
/// is on (see `verified.rs`).
pub fn init_runtime(major: u8, minor: u8) {
    let allowed = super::verified::init(major, minor).shortcuts_allowed();
    super::runtime::init(major, minor, allowed);
    super::init_layout(major, minor, allowed);
    super::dicts::init(major, minor, allowed);
}

/// `obj.name()`, with `name` found as `getattr` would find it but no bound method created.
#[inline]
pub fn call_method0(obj: *mut PyObject, name: *mut PyObject) -> R<Owned> {
    // SAFETY: `obj` and `name` are live; the argument list is NULL-terminated.
    owned(unsafe { ffi::PyObject_CallMethodObjArgs(obj, name, ptr::null_mut::<PyObject>()) })
}

/// The C function a builtin function or method object calls, as an address to compare.
pub fn c_function_impl(f: *mut PyObject) -> Option<usize> {
    // SAFETY: only called with live builtin function or method objects (the caller has
    // checked the type).
    unsafe { ffi::PyCFunction_GetFunction(f) }.map(|f| f as usize)
}

/// The object a builtin method is bound to (`__self__`), borrowed.
pub fn c_function_self(f: *mut PyObject) -> *mut PyObject {
    // SAFETY: only called with live builtin function or method objects (the caller has
    // checked the type).
    unsafe { ffi::PyCFunction_GetSelf(f) }
}

#[inline(always)]
pub fn list_append(list: *mut PyObject, item: *mut PyObject) -> R<()> {
    // SAFETY: `list` is a live list, `item` a live object (not stolen).
    status(unsafe { ffi::PyList_Append(list, item) })
}

/// `del list[n:]`.
#[inline]
pub fn list_truncate(list: *mut PyObject, n: Py_ssize_t) -> R<()> {
    // SAFETY: `list` is a live list; a NULL value deletes the slice.
    status(unsafe { ffi::PyList_SetSlice(list, n, ffi::PyList_Size(list), ptr::null_mut()) })
}

#[inline(always)]
pub fn list_new_empty() -> R<Owned> {
    // SAFETY: creates a new empty list.
    owned(unsafe { ffi::PyList_New(0) })
}

#[inline(always)]
pub fn list_slice(list: *mut PyObject, lo: Py_ssize_t, hi: Py_ssize_t) -> R<Owned> {
    // SAFETY: `list` is a live list; out-of-range bounds are clamped by CPython.
    owned(unsafe { ffi::PyList_GetSlice(list, lo, hi) })
}

#[inline(always)]
pub fn tuple_new(n: Py_ssize_t) -> R<Owned> {
    // SAFETY: creates a new tuple whose slots the caller fills before exposing it.
    owned(unsafe { ffi::PyTuple_New(n) })
}

#[inline(always)]
pub fn dict_new() -> R<Owned> {
    // SAFETY: creates a new empty dict.
    owned(unsafe { ffi::PyDict_New() })
}

#[inline(always)]
pub fn dict_len(dict: *mut PyObject) -> Py_ssize_t {
    if super::dicts::in_place() {
        // SAFETY: `dict` is a live dict and the layout is verified.
        return unsafe { super::dicts::len(dict) };
    }
    // SAFETY: `dict` is a live dict.
    unsafe { ffi::PyDict_Size(dict) }
}

/// `dict[key] = value` for the key of the item a [`DictNext`] step just returned from `dict`
/// at `pos` (a dict the engine made and holds): in place where the layout is verified and
/// the entry still holds that key, else through `PyDict_SetItem`.
#[inline(always)]
pub fn dict_replace(
    dict: *mut PyObject,
    pos: Py_ssize_t,
    key: *mut PyObject,
    value: Owned,
) -> R<()> {
    let value = if super::dicts::in_place() {
        // SAFETY: `dict` is a live dict and the layout is verified.
        match unsafe { super::dicts::replace_value(dict, pos, key, value) } {
            Ok(old) => {
                drop(old);
                return Ok(());
            }
            Err(value) => value,
        }
    } else {
        value
    };
    dict_set(dict, key, value.as_ptr())
}

/// Has the collector track a dict the engine made and is about to fill with copies through
/// [`dict_replace`], as the first `PyDict_SetItem` of a container value would (a clone of a
/// dict of atomics starts untracked, and an entry is replaced in place only in a tracked one).
#[inline(always)]
pub fn dict_track(dict: *mut PyObject) {
    // SAFETY: `dict` is a live dict, and it is tracked only when it is not already.
    unsafe {
        if super::dicts::in_place() && ffi::PyObject_GC_IsTracked(dict) == 0 {
            ffi::PyObject_GC_Track(dict.cast());
        }
    }
}

/// One step of dict iteration with borrowed key and value; `None` at the end.
#[inline(always)]
pub fn dict_next(
    dict: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<(*mut PyObject, *mut PyObject)> {
    DictNext::resolve().step(dict, pos)
}

/// Dict iteration resolved once for a whole loop: entries read in place where the layout
/// is verified (see `dicts.rs`), else through the function `PyDict_Next` forwards to where the
/// interpreter exports it (one call less per item), else `PyDict_Next`.
#[derive(Clone, Copy)]
pub struct DictNext {
    in_place: bool,
    api: super::runtime::DictNextFn,
}

impl DictNext {
    #[inline(always)]
    pub fn resolve() -> Self {
        DictNext {
            in_place: super::dicts::in_place(),
            api: super::runtime::dict_next().unwrap_or(limited_dict_next),
        }
    }

    /// One step with borrowed key and value; `None` at the end.
    #[inline(always)]
    pub fn step(
        self,
        dict: *mut PyObject,
        pos: &mut Py_ssize_t,
    ) -> Option<(*mut PyObject, *mut PyObject)> {
        if self.in_place {
            // SAFETY: `dict` is a live dict and the layout is verified; a split table
            // answers `None` and is stepped through the API below.
            if let Some(item) = unsafe { super::dicts::step(dict, pos) } {
                return item;
            }
        }
        let mut k = ptr::null_mut();
        let mut v = ptr::null_mut();
        // SAFETY: `dict` is a live dict; both functions bounds-check `pos` themselves, so a
        // dict mutated between steps can never make them read out of bounds.
        (unsafe { (self.api)(dict, pos, &mut k, &mut v, ptr::null_mut()) } != 0).then_some((k, v))
    }
}

/// The leading items of a dict whose key satisfies `key_ok` and whose value `value_ok`, read
/// while no Python code runs (neither predicate may run any): `Ok(n)` when all `n` items do,
/// else `Err((pos, done, key))`, the position to step from to reach the first item that does
/// not, how many come before it, and its key. `key_ok` must hold for every exact str (a
/// table whose keys are all exact str is not asked about them).
#[inline(always)]
pub fn dict_prefix(
    dict: *mut PyObject,
    mut key_ok: impl FnMut(*mut PyObject) -> bool,
    mut value_ok: impl FnMut(*mut PyObject) -> bool,
) -> Result<Py_ssize_t, (Py_ssize_t, Py_ssize_t, *mut PyObject)> {
    let next = DictNext::resolve();
    if next.in_place {
        // SAFETY: `dict` is a live dict and the layout is verified; nothing runs Python code,
        // so the table stays as it is while it is read.
        if let Some(table) = unsafe { super::dicts::Table::of(dict) } {
            let str_keys = table.str_keys();
            let mut done = 0;
            for i in 0..table.len() {
                // SAFETY: `i` is below the table's entry count.
                let (k, v) = unsafe { table.entry(i) };
                if v.is_null() {
                    continue;
                }
                if !((str_keys || key_ok(k)) && value_ok(v)) {
                    return Err((i, done, k));
                }
                done += 1;
            }
            return Ok(done);
        }
    }
    let mut pos: Py_ssize_t = 0;
    let mut done = 0;
    loop {
        let at = pos;
        match next.step(dict, &mut pos) {
            None => return Ok(done),
            Some((k, v)) if key_ok(k) && value_ok(v) => done += 1,
            Some((k, _)) => return Err((at, done, k)),
        }
    }
}

/// Set iteration with borrowed items, resolved once for a whole loop: `_PySet_NextEntry`
/// where the interpreter exports it, else the set's iterator.
pub enum SetItems {
    Direct(super::runtime::SetNextFn, Py_ssize_t),
    Iterator(Owned),
}

impl SetItems {
    pub fn new(set: *mut PyObject) -> R<Self> {
        match super::runtime::set_next() {
            Some(f) => Ok(SetItems::Direct(f, 0)),
            None => Ok(SetItems::Iterator(super::get_iter(set)?)),
        }
    }

    /// The next item as a new reference; `Ok(None)` at the end.
    #[inline(always)]
    pub fn next(&mut self, set: *mut PyObject) -> R<Option<Owned>> {
        match self {
            SetItems::Direct(f, pos) => {
                let mut key = ptr::null_mut();
                let mut hash: Py_ssize_t = 0;
                // SAFETY: `set` is a live set or frozenset; the function bounds-checks `pos`
                // against the current table and returns a borrowed key, taken at once.
                let more = unsafe { f(set, pos, &mut key, &mut hash) } != 0;
                Ok(more.then(|| super::new_ref(key)))
            }
            SetItems::Iterator(it) => super::iter_next(it.as_ptr()),
        }
    }
}

#[inline(always)]
pub fn set_len(set: *mut PyObject) -> usize {
    // SAFETY: `set` is a live set or frozenset.
    unsafe { ffi::PySet_Size(set) }.max(0) as usize
}

/// A new empty set, or a new empty frozenset to be filled by [`set_add`] before anything
/// else sees it.
#[inline]
pub fn set_new_empty(frozen: bool) -> R<Owned> {
    // SAFETY: both create a new empty object from no iterable.
    owned(unsafe {
        if frozen {
            ffi::PyFrozenSet_New(ptr::null_mut())
        } else {
            ffi::PySet_New(ptr::null_mut())
        }
    })
}

/// Adds `item` to a set, or to a frozenset made by [`set_new_empty`] and not yet shared.
#[inline(always)]
pub fn set_add(set: *mut PyObject, item: *mut PyObject) -> R<()> {
    // SAFETY: `set` is a live set, or a fresh frozenset only we reference; `item` is live.
    status(unsafe { ffi::PySet_Add(set, item) })
}

/// `PyDict_Next` in the shape of `_PyDict_Next`.
unsafe extern "C" fn limited_dict_next(
    dict: *mut PyObject,
    pos: *mut Py_ssize_t,
    key: *mut *mut PyObject,
    value: *mut *mut PyObject,
    _hash: *mut Py_ssize_t,
) -> std::os::raw::c_int {
    // SAFETY: the caller's pointers, as `PyDict_Next` takes them.
    unsafe { ffi::PyDict_Next(dict, pos, key, value) }
}

#[inline(always)]
pub fn dict_set(dict: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> R<()> {
    // SAFETY: live dict, key and value (none stolen).
    status(unsafe { ffi::PyDict_SetItem(dict, key, value) })
}

#[inline(always)]
pub fn dict_copy(dict: *mut PyObject) -> R<Owned> {
    // SAFETY: `dict` is a live dict.
    owned(unsafe { ffi::PyDict_Copy(dict) })
}

#[inline]
pub fn recursion_limit() -> usize {
    // SAFETY: reads an interpreter setting.
    let n = unsafe { ffi::Py_GetRecursionLimit() };
    n.max(1) as usize
}

/// Copies `n` items from `src` to the empty slots of `dst`, each with a new reference, and
/// returns how many leading ones satisfy `pred`.
///
/// # Safety
/// `src` holds `n` live items and `dst` `n` empty slots of a list no one else sees yet.
#[inline(always)]
pub(super) unsafe fn fill_counting(
    src: *const *mut PyObject,
    dst: *const *mut PyObject,
    n: Py_ssize_t,
    mut pred: impl FnMut(*mut PyObject) -> bool,
) -> usize {
    let (src, dst) = (
        std::slice::from_raw_parts(src, n as usize),
        std::slice::from_raw_parts_mut(dst.cast_mut(), n as usize),
    );
    // Two loops, so the items after the first one `pred` rejects are not tested at all.
    let mut prefix = src.len();
    for (i, (&item, slot)) in src.iter().zip(dst.iter_mut()).enumerate() {
        if !pred(item) {
            prefix = i;
            break;
        }
        super::incref(item);
        *slot = item;
    }
    for (&item, slot) in src[prefix..].iter().zip(dst[prefix..].iter_mut()) {
        super::incref(item);
        *slot = item;
    }
    prefix
}

/// Whether `descr` is a slot wrapper (`wrapper_descriptor`) that calls
/// `PyObject_GenericGetAttr`: the `__getattribute__` a static type with the generic attribute
/// lookup has in its own dict. For 3.9, whose static types' slots `PyType_GetSlot` cannot
/// read. The wrapped function (`d_wrapped`) is read in place, after the descriptor's header
/// (the object header, `d_type`, `d_name`, `d_qualname`, `d_base`), only once the same read
/// gave `PyObject_GenericGetAttr` for `object.__getattribute__` and another function for
/// `type.__getattribute__`; otherwise the answer is `false`.
pub fn wraps_generic_getattr(descr: *mut PyObject) -> bool {
    static PROBED: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    let wrapper_type = *PROBED.get_or_init(probe_slot_wrappers);
    match wrapper_type {
        // SAFETY: `descr` is a live slot wrapper (its type was checked), laid out as the
        // probe confirmed.
        Some(tp) if super::type_of(descr) as usize == tp => unsafe {
            wrapped_function(descr) == generic_getattr_address()
        },
        _ => false,
    }
}

/// The type of slot wrappers, if reading their wrapped function in place gives the expected
/// functions for `object` and `type`.
#[cold]
fn probe_slot_wrappers() -> Option<usize> {
    // SAFETY: makes a new str from a NUL-terminated literal.
    let name = owned(unsafe { ffi::PyUnicode_FromString(c"__getattribute__".as_ptr()) }).ok()?;
    let object = std::ptr::addr_of_mut!(ffi::PyBaseObject_Type);
    let type_type = std::ptr::addr_of_mut!(ffi::PyType_Type);
    let of_object = super::type_lookup(object, name.as_ptr()).ok()?;
    let of_type = super::type_lookup(type_type, name.as_ptr()).ok()?;
    if of_object.is_null()
        || of_type.is_null()
        || super::type_of(of_object) != super::type_of(of_type)
    {
        return None;
    }
    // SAFETY: both are live descriptors of the same type, the one `__getattribute__` slot
    // wrappers have; the reads stay within their header and are only compared.
    let (a, b) = unsafe { (wrapped_function(of_object), wrapped_function(of_type)) };
    (a == generic_getattr_address() && !b.is_null() && b != a)
        .then_some(super::type_of(of_object) as usize)
}

/// `PyWrapperDescrObject.d_wrapped`.
///
/// # Safety
/// `descr` is a live slot wrapper.
unsafe fn wrapped_function(descr: *mut PyObject) -> *const std::ffi::c_void {
    let at = std::mem::size_of::<ffi::PyObject>() + 4 * std::mem::size_of::<usize>();
    *descr.cast::<u8>().add(at).cast::<*const std::ffi::c_void>()
}

fn generic_getattr_address() -> *const std::ffi::c_void {
    ffi::PyObject_GenericGetAttr as *const std::ffi::c_void
}
