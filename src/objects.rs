//! Native reduce for plain instances (native memo only).
//!
//! For an instance of an ordinary Python class that customizes none of the reduce protocol,
//! `object.__reduce_ex__(4)` returns `(copyreg.__newobj__, (cls,), state)` where `state` is
//! the instance `__dict__` (None when empty) plus, with `__slots__`, a dict of slot values, and
//! `_reconstruct` then calls `cls.__new__(cls)` and applies the copied state. This module does
//! the same without the interpreter round-trips. Anything it cannot prove plain (a custom
//! `__reduce__`/`__reduce_ex__`/`__getstate__`/`__getnewargs__[_ex__]`, a copyreg entry, C-level
//! fields, list/dict subclasses, instance-level overrides) goes through the real protocol.
//!
//! Layout facts are immutable for a type's lifetime, so they are cached per type; a weak
//! reference tells whether a cached address still names the same type. Class attributes can
//! change at any time, so they are looked up on every object.

use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, Owned, PyObject, PyTypeObject, R};
use crate::reduce;
use crate::types::{self, statics};
use std::collections::HashMap;
use std::sync::Mutex;

pub type NewFunc =
    unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject, *mut PyObject) -> *mut PyObject;

struct Facts {
    weak: Owned,
    /// `None` when instances of the type are not plain (C fields, no `tp_new`, items).
    plain: Option<Layout>,
}

struct Layout {
    tp_new: NewFunc,
    /// `copyreg._slotnames(cls)`: a list of str.
    slotnames: Owned,
}

struct Cache(HashMap<usize, Facts>);
// SAFETY: entries are only created, read and dropped by threads holding the GIL, and dropping
// one releases only a weak reference and a list of str (no Python code runs).
unsafe impl Send for Cache {}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
const CACHE_MAX: usize = 4096;

const MANAGED_DICT: std::os::raw::c_ulong = 1 << 4;

/// Copies `x` if it is a plain instance; `Ok(None)` means "use the reduce protocol".
pub fn copy_plain<M: Memo>(
    e: &mut Engine<M>,
    x: *mut PyObject,
    tp: *mut PyTypeObject,
    key: &M::Key,
) -> R<Option<Owned>> {
    let Some(Plain { tp_new, state }) = plain_state(x, tp)? else {
        return Ok(None);
    };
    let empty = ffi::tuple_new(0)?;
    // SAFETY: `tp_new` is the type's own slot; it receives the type, an empty args tuple and
    // no kwargs, exactly like `cls.__new__(cls)`.
    let y = ffi::owned(unsafe { tp_new(tp, empty.as_ptr(), std::ptr::null_mut()) })?;
    e.memo.store(key, &y)?;
    if let Some(state) = state {
        let copied = e.deep(state.as_ptr())?;
        reduce::set_state(y.as_ptr(), copied.as_ptr())?;
    }
    Ok(Some(y))
}

/// How a plain instance is copied: `cls.__new__(cls)`, then its copied state applied.
pub struct Plain {
    pub tp_new: NewFunc,
    /// What `object.__reduce_ex__(4)` would return as state: the instance dict (absent when
    /// empty), paired with a dict of the set slots when there are any.
    pub state: Option<Owned>,
}

/// `x`'s reduce, done natively, if it is a plain instance; `Ok(None)` means "use the reduce
/// protocol". Always inlined: it is `copy_plain`'s hot path.
#[inline(always)]
pub fn plain_state(x: *mut PyObject, tp: *mut PyTypeObject) -> R<Option<Plain>> {
    let flags = ffi::type_flags(tp);
    let excluded = pyo3_ffi::Py_TPFLAGS_LIST_SUBCLASS | pyo3_ffi::Py_TPFLAGS_DICT_SUBCLASS;
    if flags & pyo3_ffi::Py_TPFLAGS_HEAPTYPE == 0 || flags & excluded != 0 {
        return Ok(None);
    }
    if !generic_getattr(tp) {
        return Ok(None);
    }
    if !protocol_is_default(tp) || types::dispatch_table_get(tp)?.is_some() {
        return Ok(None);
    }
    let Some((tp_new, slotnames)) = plain_facts(tp)? else {
        return Ok(None);
    };
    let names = &statics().names;
    let dict = ffi::getattr_opt(x, names.dict.as_ptr())?;
    let dict_state = match &dict {
        Some(d) if types::is_exact_dict(d.as_ptr()) => {
            if shadows_protocol(d.as_ptr())? {
                return Ok(None);
            }
            (ffi::dict_len(d.as_ptr()) > 0).then(|| d.clone())
        }
        Some(_) => return Ok(None),
        None => None,
    };
    let state = with_slots(x, dict_state, slotnames.as_ptr())?;
    Ok(Some(Plain { tp_new, state }))
}

/// Would `x.__deepcopy__(memo)` be `enum.Enum.__deepcopy__`, which returns `x` and does
/// nothing else? Then the copy is `x` without the call (and without the memo proxy the call
/// would need). Looked up as `getattr(x, "__deepcopy__")` would: the class's attribute, unless
/// the instance dict holds one of that name. (The classes of `self_copiers.rs` have a kind
/// of their own.)
pub fn deepcopy_returns_self(x: *mut PyObject, tp: *mut PyTypeObject) -> R<bool> {
    let s = statics();
    let Some(known) = &s.enum_deepcopy else {
        return Ok(false);
    };
    // The type lookup first: it goes through the interpreter's attribute cache and turns
    // away every other class at once.
    if ffi::type_lookup(tp, s.names.deepcopy.as_ptr()) != Ok(known.as_ptr())
        || ffi::type_flags(tp) & pyo3_ffi::Py_TPFLAGS_HEAPTYPE == 0
        || !generic_getattr(tp)
    {
        return Ok(false);
    }
    match ffi::getattr_opt(x, s.names.dict.as_ptr())? {
        Some(d) if types::is_exact_dict(d.as_ptr()) => {
            // SAFETY: `d` is a live dict and the name a live str.
            let rc = unsafe { pyo3_ffi::PyDict_Contains(d.as_ptr(), s.names.deepcopy.as_ptr()) };
            ffi::status(rc)?;
            Ok(rc == 0)
        }
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

/// Instance attribute lookups are the generic ones (class MRO + instance dict), so the class
/// and dict checks below see what `getattr(x, ...)` would. Read every time: assigning
/// `__getattr__` or `__getattribute__` to a class changes this slot.
pub fn generic_getattr(tp: *mut PyTypeObject) -> bool {
    // SAFETY: `tp` is a heap type, whose slots PyType_GetSlot reads.
    let slot = unsafe { pyo3_ffi::PyType_GetSlot(tp, pyo3_ffi::Py_tp_getattro) };
    slot == pyo3_ffi::PyObject_GenericGetAttr as *mut std::ffi::c_void
}

/// Are the class's `__reduce_ex__`, `__reduce__`, `__getstate__` object's own, and
/// `__getnewargs_ex__` / `__getnewargs__` absent?
/// Without the interpreter's type lookup this answers "not plain" (the real protocol runs).
fn protocol_is_default(tp: *mut PyTypeObject) -> bool {
    let s = statics();
    let d = &s.defaults;
    let is = |name: &Owned, expected: Option<&Owned>| -> bool {
        let expected = expected.map_or(std::ptr::null_mut(), Owned::as_ptr);
        ffi::type_lookup(tp, name.as_ptr()) == Ok(expected)
    };
    is(&s.names.reduce_ex, Some(&d.reduce_ex))
        && is(&s.names.reduce, Some(&d.reduce))
        && is(&s.names.getstate, d.getstate.as_ref())
        && is(&s.names.getnewargs_ex, None)
        && is(&s.names.getnewargs, None)
}

/// Does the instance dict override a protocol method stdlib would look up on the instance?
fn shadows_protocol(dict: *mut PyObject) -> R<bool> {
    let names = &statics().names;
    for name in [&names.reduce_ex, &names.reduce, &names.getstate] {
        // SAFETY: `dict` is a live dict and `name` a live str.
        let rc = unsafe { pyo3_ffi::PyDict_Contains(dict, name.as_ptr()) };
        ffi::status(rc)?;
        if rc == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `(dict_state, {slot: value})` when any slot is set, else `dict_state`.
fn with_slots(
    x: *mut PyObject,
    dict_state: Option<Owned>,
    slotnames: *mut PyObject,
) -> R<Option<Owned>> {
    let n = ffi::list_len(slotnames);
    if n == 0 {
        return Ok(dict_state);
    }
    let slots = ffi::dict_new()?;
    for i in 0..n {
        let name = ffi::new_ref(ffi::list_item(slotnames, i));
        if let Some(value) = ffi::getattr_opt(x, name.as_ptr())? {
            ffi::dict_set(slots.as_ptr(), name.as_ptr(), value.as_ptr())?;
        }
    }
    if ffi::dict_len(slots.as_ptr()) == 0 {
        return Ok(dict_state);
    }
    let pair = ffi::tuple_new(2)?;
    ffi::tuple_fill(
        pair.as_ptr(),
        0,
        dict_state.unwrap_or_else(|| ffi::new_ref(ffi::none())),
    );
    ffi::tuple_fill(pair.as_ptr(), 1, slots);
    Ok(Some(pair))
}

/// The cached layout facts of `tp`, computed on first sight of the type.
fn plain_facts(tp: *mut PyTypeObject) -> R<Option<(NewFunc, Owned)>> {
    let addr = tp as usize;
    {
        let guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = guard.as_ref().and_then(|c| c.0.get(&addr)) {
            // SAFETY: `weak` is a live weak reference; the result is borrowed.
            if unsafe { pyo3_ffi::PyWeakref_GetObject(f.weak.as_ptr()) } == tp.cast() {
                return Ok(f.plain.as_ref().map(|p| (p.tp_new, p.slotnames.clone())));
            }
        }
    }
    // Computed without the lock held: it runs Python code (copyreg._slotnames).
    let facts = compute_facts(tp)?;
    let result = facts
        .plain
        .as_ref()
        .map(|p| (p.tp_new, p.slotnames.clone()));
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(|| Cache(HashMap::new()));
    if cache.0.len() >= CACHE_MAX {
        cache.0.clear();
    }
    cache.0.insert(addr, facts);
    Ok(result)
}

fn type_int(tp: *mut PyTypeObject, name: &std::ffi::CStr) -> R<isize> {
    // SAFETY: `tp` is a live type; the attribute is one of type's int members.
    let v = ffi::owned(unsafe { pyo3_ffi::PyObject_GetAttrString(tp.cast(), name.as_ptr()) })?;
    // SAFETY: `v` is a live int.
    let n = unsafe { pyo3_ffi::PyLong_AsSsize_t(v.as_ptr()) };
    if n == -1 && !unsafe { pyo3_ffi::PyErr_Occurred() }.is_null() {
        return Err(ffi::Fail);
    }
    Ok(n)
}

/// Mirrors the layout checks `object.__getstate__` makes before it agrees to pickle an
/// instance without `__getnewargs__`: no variable-size items, and no storage beyond
/// `object`, the instance dict, the weakref list and the named slots. When the estimate
/// disagrees, the real protocol decides.
fn compute_facts(tp: *mut PyTypeObject) -> R<Facts> {
    // SAFETY: `tp` is a live type; weak references to types are always allowed.
    let weak = ffi::owned(unsafe { pyo3_ffi::PyWeakref_NewRef(tp.cast(), std::ptr::null_mut()) })?;
    let s = statics();
    // SAFETY: `tp` is a heap type (checked by the caller), whose slots PyType_GetSlot reads.
    let tp_new = unsafe { pyo3_ffi::PyType_GetSlot(tp, pyo3_ffi::Py_tp_new) };
    if tp_new.is_null() || type_int(tp, c"__itemsize__")? != 0 {
        return Ok(Facts { weak, plain: None });
    }
    let slotnames = ffi::call1(s.slotnames_fn.as_ptr(), tp.cast())?;
    if !types::is_exact_list(slotnames.as_ptr()) {
        return Ok(Facts { weak, plain: None });
    }
    let ptr = std::mem::size_of::<*mut PyObject>() as isize;
    let mut expected = s.object_basicsize;
    let dict_in_struct = s
        .managed_dict_flag_exists
        .then_some(ffi::type_flags(tp) & MANAGED_DICT == 0);
    if type_int(tp, c"__dictoffset__")? != 0 && dict_in_struct.unwrap_or(true) {
        expected += ptr;
    }
    if type_int(tp, c"__weakrefoffset__")? > 0 {
        expected += ptr;
    }
    expected += ptr * ffi::list_len(slotnames.as_ptr());
    if type_int(tp, c"__basicsize__")? != expected {
        return Ok(Facts { weak, plain: None });
    }
    // SAFETY: a non-NULL Py_tp_new slot is a `newfunc`.
    let tp_new = unsafe { std::mem::transmute::<*mut std::ffi::c_void, NewFunc>(tp_new) };
    Ok(Facts {
        weak,
        plain: Some(Layout { tp_new, slotnames }),
    })
}
