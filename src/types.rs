//! Classification of an object's type, done once per visited object by pointer comparison
//! against the interpreter's own types, plus the handful of Python objects the engine needs
//! (interned attribute names, `copy.Error`, `copyreg.dispatch_table`).
//!
//! Which types are atomic, and which containers are native, is the running version's own
//! (`semantics.rs` decides it); this module only turns those answers into a fast classification.

use crate::ffi::{self, Owned, PyObject, PyTypeObject, R};
use pyo3::prelude::*;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Atomic,
    List,
    Tuple,
    Dict,
    /// The builtin `frozendict` (3.15+).
    FrozenDict,
    Set,
    FrozenSet,
    ByteArray,
    Method,
    /// A class whose own `__deepcopy__` returns the instance (see `self_copiers.rs`) while
    /// the class keeps that method: checked again for each object.
    SelfCopy,
    /// The same for a class whose attributes cannot change (a C type): always so.
    SelfCopyFixed,
    Other,
}

/// Process-lifetime objects; set once at import, read-only afterwards.
pub struct Statics {
    str_t: *mut PyTypeObject,
    int_t: *mut PyTypeObject,
    float_t: *mut PyTypeObject,
    bool_t: *mut PyTypeObject,
    none_t: *mut PyTypeObject,
    list_t: *mut PyTypeObject,
    tuple_t: *mut PyTypeObject,
    dict_t: *mut PyTypeObject,
    set_t: *mut PyTypeObject,
    frozenset_t: *mut PyTypeObject,
    bytearray_t: *mut PyTypeObject,
    method_t: *mut PyTypeObject,
    /// NULL before 3.15, which has no `frozendict`.
    frozendict_t: *mut PyTypeObject,
    /// `types.FunctionType`, the type of functions written in Python.
    pub function_t: *mut PyTypeObject,
    pub copy_error: Owned,
    pub dispatch_table: Owned,
    pub four: Owned,
    pub names: Names,
    /// object's own reduce-protocol methods, to recognize classes that keep them.
    pub defaults: Defaults,
    /// `copyreg._slotnames`.
    pub slotnames_fn: Owned,
    /// `enum.Enum.__deepcopy__` (3.11+), which returns its instance unchanged.
    pub enum_deepcopy: Option<Owned>,
    pub object_basicsize: isize,
    /// 3.11+ may keep the instance dict outside the object struct (`Py_TPFLAGS_MANAGED_DICT`).
    pub managed_dict_flag_exists: bool,
    /// `PyType_GetSlot` reads static types too (3.10+; heap types only before).
    pub static_slots_readable: bool,
}

pub struct Defaults {
    pub reduce_ex: Owned,
    pub reduce: Owned,
    /// `object.__getstate__` exists from 3.11 on.
    pub getstate: Option<Owned>,
    /// `object.__reduce_ex__` bound to an instance is a builtin method of this type calling
    /// this C function (told apart from any other `__reduce_ex__` without calling it).
    pub bound_reduce_ex_t: *mut PyTypeObject,
    pub reduce_ex_impl: usize,
}

pub struct Names {
    pub deepcopy: Owned,
    pub copy: Owned,
    pub reduce_ex: Owned,
    pub reduce: Owned,
    pub setstate: Owned,
    pub dict: Owned,
    pub update: Owned,
    pub items: Owned,
    pub append: Owned,
    pub get: Owned,
    pub func: Owned,
    pub self_: Owned,
    pub replace: Owned,
    pub class: Owned,
    pub qualname: Owned,
    pub name: Owned,
    pub getstate: Owned,
    pub getnewargs: Owned,
    pub getnewargs_ex: Owned,
    pub getattribute: Owned,
}

// SAFETY: the pointers are immortal type objects and owned references created once at import
// and never mutated; they are only dereferenced by code holding the GIL.
unsafe impl Sync for Statics {}
// SAFETY: as above.
unsafe impl Send for Statics {}

static STATICS: OnceLock<Statics> = OnceLock::new();

#[inline(always)]
pub fn statics() -> &'static Statics {
    // SAFETY: `init` runs in the module's init function, before any entry point can run.
    unsafe { STATICS.get().unwrap_unchecked() }
}

fn type_ptr(obj: &Bound<'_, PyAny>) -> *mut PyTypeObject {
    obj.as_ptr().cast()
}

fn owned_of(obj: &Bound<'_, PyAny>) -> Owned {
    ffi::new_ref(obj.as_ptr())
}

pub fn init(py: Python<'_>) -> PyResult<()> {
    if STATICS.get().is_some() {
        return Ok(());
    }
    let builtins = py.import("builtins")?;
    let types = py.import("types")?;
    let copy = py.import("copy")?;
    let semantics = crate::semantics::get();
    let copyreg = py.import("copyreg")?;
    let object = builtins.getattr("object")?;
    let t = |name: &str| -> PyResult<*mut PyTypeObject> { Ok(type_ptr(&builtins.getattr(name)?)) };
    let bound_reduce_ex = object.call0()?.getattr("__reduce_ex__")?;
    let intern = |s: &str| -> Owned { owned_of(pyo3::types::PyString::intern(py, s).as_any()) };
    let statics = Statics {
        str_t: t("str")?,
        int_t: t("int")?,
        float_t: t("float")?,
        bool_t: t("bool")?,
        none_t: type_ptr(&py.None().into_bound(py).get_type().into_any()),
        list_t: t("list")?,
        tuple_t: t("tuple")?,
        dict_t: t("dict")?,
        set_t: t("set")?,
        frozenset_t: t("frozenset")?,
        bytearray_t: t("bytearray")?,
        method_t: type_ptr(&types.getattr("MethodType")?),
        function_t: type_ptr(&types.getattr("FunctionType")?),
        frozendict_t: semantics.frozendict.unwrap_or(std::ptr::null_mut()),
        copy_error: owned_of(&copy.getattr("Error")?),
        dispatch_table: owned_of(&copyreg.getattr("dispatch_table")?),
        four: owned_of(&4i32.into_pyobject(py)?.into_any()),
        names: Names {
            deepcopy: intern("__deepcopy__"),
            copy: intern("__copy__"),
            reduce_ex: intern("__reduce_ex__"),
            reduce: intern("__reduce__"),
            setstate: intern("__setstate__"),
            dict: intern("__dict__"),
            update: intern("update"),
            items: intern("items"),
            append: intern("append"),
            get: intern("get"),
            func: intern("__func__"),
            self_: intern("__self__"),
            replace: intern("__replace__"),
            class: intern("__class__"),
            qualname: intern("__qualname__"),
            name: intern("__name__"),
            getstate: intern("__getstate__"),
            getnewargs: intern("__getnewargs__"),
            getnewargs_ex: intern("__getnewargs_ex__"),
            getattribute: intern("__getattribute__"),
        },
        defaults: Defaults {
            reduce_ex: owned_of(&object.getattr("__reduce_ex__")?),
            reduce: owned_of(&object.getattr("__reduce__")?),
            getstate: object.getattr_opt("__getstate__")?.as_ref().map(owned_of),
            bound_reduce_ex_t: type_ptr(&bound_reduce_ex.get_type().into_any()),
            reduce_ex_impl: ffi::c_function_impl(bound_reduce_ex.as_ptr()).unwrap_or(0),
        },
        slotnames_fn: owned_of(&copyreg.getattr("_slotnames")?),
        enum_deepcopy: py
            .import("enum")?
            .getattr("Enum")?
            .getattr("__dict__")?
            .call_method1("get", ("__deepcopy__",))?
            .extract::<Option<Bound<'_, PyAny>>>()?
            .as_ref()
            .map(owned_of),
        object_basicsize: object.getattr("__basicsize__")?.extract()?,
        managed_dict_flag_exists: py.version_info() >= (3, 11),
        static_slots_readable: py.version_info() >= (3, 10),
    };
    let _ = STATICS.set(statics);
    Ok(())
}

impl Statics {
    #[inline(always)]
    fn is_common_atomic(&self, tp: *mut PyTypeObject) -> bool {
        tp == self.str_t
            || tp == self.int_t
            || tp == self.none_t
            || tp == self.float_t
            || tp == self.bool_t
    }
}

/// Atomic for `deepcopy`: returned as is, never memoized.
#[inline(always)]
pub fn is_atomic(tp: *mut PyTypeObject) -> bool {
    classify(tp) == Kind::Atomic
}

/// An atomicity check for a run of items read while no Python code can run: the last type
/// found atomic is remembered, so a homogeneous run costs one pointer compare per item.
/// (Not across Python code: a heap type registered as atomic could be freed meanwhile.)
pub struct AtomicRun {
    last: *mut PyTypeObject,
}

impl AtomicRun {
    #[inline(always)]
    pub fn new() -> Self {
        AtomicRun {
            last: std::ptr::null_mut(),
        }
    }

    #[inline(always)]
    pub fn holds(&mut self, obj: *mut PyObject) -> bool {
        let tp = ffi::type_of(obj);
        if tp == self.last {
            return true;
        }
        let atomic = is_atomic(tp);
        if atomic {
            self.last = tp;
        }
        atomic
    }
}

/// The kind of objects of type `tp`: str, int, list and dict at once, anything else through
/// a small cache of the kinds seen, in front of the full classification.
#[inline(always)]
pub fn classify(tp: *mut PyTypeObject) -> Kind {
    let s = statics();
    if tp == s.str_t || tp == s.int_t {
        Kind::Atomic
    } else if tp == s.list_t {
        Kind::List
    } else if tp == s.dict_t {
        Kind::Dict
    } else {
        kind_cache::get_or(tp, || classify_full(s, tp))
    }
}

#[inline(never)]
fn classify_full(s: &Statics, tp: *mut PyTypeObject) -> Kind {
    // list and dict never get here: `classify` answers for them first.
    if s.is_common_atomic(tp) {
        Kind::Atomic
    } else if tp == s.tuple_t {
        Kind::Tuple
    } else {
        classify_rest(s, tp)
    }
}

mod kind_cache {
    //! Direct-mapped cache of the kinds of less common types. Only kinds that cannot go stale
    //! are stored: those of static (never freed) types, and `Other`, which is what any type
    //! later allocated at a freed type's address would be too, unless it is one of the rare
    //! heap types registered as atomic, which are never cached.
    use super::{Kind, PyTypeObject};
    use std::cell::UnsafeCell;

    const SLOT_BITS: u32 = 8;
    const SLOTS: usize = 1 << SLOT_BITS;

    struct Cache(UnsafeCell<[(usize, Kind); SLOTS]>);
    // SAFETY: read and written only by the engine, which runs with the GIL held.
    unsafe impl Sync for Cache {}

    static CACHE: Cache = Cache(UnsafeCell::new([(0, Kind::Other); SLOTS]));

    /// Forgets every cached kind (a class just got a kind of its own).
    pub fn clear() {
        // SAFETY: GIL-serialized access (see `Cache`); no reference into it is held.
        unsafe {
            (*CACHE.0.get())
                .iter_mut()
                .for_each(|e| *e = (0, Kind::Other))
        }
    }

    /// Fibonacci hashing of the address. Type objects are often allocated a page or a fixed
    /// size apart, so their low address bits agree; a slot taken from those bits alone made
    /// two types alternating in one list evict each other on every item (a 2x slower copy of
    /// `list_of_decimals_fractions_patterns`, depending on where the types happened to land).
    #[inline(always)]
    pub(super) fn slot_of(addr: usize) -> usize {
        ((addr as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS)) as usize
    }

    #[inline(always)]
    pub fn get_or(tp: *mut PyTypeObject, compute: impl FnOnce() -> Kind) -> Kind {
        let addr = tp as usize;
        let slot = slot_of(addr);
        // SAFETY: GIL-serialized access (see `Cache`); the slot index is in bounds.
        unsafe {
            let entry = &mut (*CACHE.0.get())[slot];
            if entry.0 == addr {
                return entry.1;
            }
            let kind = compute();
            let heap = crate::ffi::type_flags(tp) & pyo3_ffi::Py_TPFLAGS_HEAPTYPE != 0;
            // Registered self-copying classes are kept alive for good, so their address
            // cannot name another type later.
            if matches!(kind, Kind::Other | Kind::SelfCopy | Kind::SelfCopyFixed) || !heap {
                *entry = (addr, kind);
            }
            kind
        }
    }

    #[cfg(test)]
    mod tests {
        use super::{slot_of, SLOTS};
        use std::collections::HashSet;

        #[test]
        fn types_a_fixed_stride_apart_get_slots_of_their_own() {
            for stride in [16, 64, 4096, 4112, 8192, 65536] {
                for base in [0x3d7_7a30_usize, 0x55b0_1130_0b40, 0x7f00_0000_0000] {
                    let slots: HashSet<usize> =
                        (0..8).map(|k| slot_of(base + k * stride)).collect();
                    assert_eq!(slots.len(), 8, "stride {stride:#x} from {base:#x}");
                }
            }
        }

        #[test]
        fn every_slot_is_in_range() {
            for addr in [0, 16, usize::MAX - 15, 0x7fff_ffff_fff0] {
                assert!(slot_of(addr) < SLOTS);
            }
        }
    }
}

#[cold]
fn classify_rest(s: &Statics, tp: *mut PyTypeObject) -> Kind {
    if crate::semantics::get().deep_atomic.contains(&tp) {
        Kind::Atomic
    } else if tp == s.frozendict_t {
        Kind::FrozenDict
    } else if tp == s.set_t {
        Kind::Set
    } else if tp == s.frozenset_t {
        Kind::FrozenSet
    } else if tp == s.bytearray_t {
        Kind::ByteArray
    } else if tp == s.method_t {
        Kind::Method
    } else if let Some(mutable) = crate::self_copiers::registered(tp) {
        if mutable {
            Kind::SelfCopy
        } else {
            Kind::SelfCopyFixed
        }
    } else {
        Kind::Other
    }
}

/// Forgets the cached kinds of types (after a class got a kind of its own).
pub fn forget_kinds() {
    kind_cache::clear();
}

/// `issubclass(tp, type)`: classes (and instances of metaclasses) copy as themselves.
#[inline]
pub fn is_class(tp: *mut PyTypeObject) -> bool {
    ffi::type_flags(tp) & pyo3_ffi::Py_TPFLAGS_TYPE_SUBCLASS != 0
}

/// `isinstance(obj, str)`.
#[inline]
pub fn is_str_instance(obj: *mut PyObject) -> bool {
    ffi::type_flags(ffi::type_of(obj)) & pyo3_ffi::Py_TPFLAGS_UNICODE_SUBCLASS != 0
}

/// `isinstance(obj, tuple)`.
#[inline]
pub fn is_tuple_instance(obj: *mut PyObject) -> bool {
    ffi::type_flags(ffi::type_of(obj)) & pyo3_ffi::Py_TPFLAGS_TUPLE_SUBCLASS != 0
}

pub fn frozenset_type() -> *mut PyTypeObject {
    statics().frozenset_t
}

pub fn frozendict_type() -> *mut PyTypeObject {
    statics().frozendict_t
}

#[inline]
pub fn is_exact_tuple(obj: *mut PyObject) -> bool {
    ffi::type_of(obj) == statics().tuple_t
}

#[inline]
pub fn is_exact_dict(obj: *mut PyObject) -> bool {
    ffi::type_of(obj) == statics().dict_t
}

#[inline]
pub fn is_exact_list(obj: *mut PyObject) -> bool {
    ffi::type_of(obj) == statics().list_t
}

/// What `copy.copy` does for an exact builtin type, if anything special.
pub enum ShallowKind {
    Immutable,
    List,
    Dict,
    Set,
    ByteArray,
    Other,
}

pub fn classify_shallow(tp: *mut PyTypeObject) -> ShallowKind {
    let s = statics();
    if crate::semantics::get().shallow_atomic.contains(&tp) {
        ShallowKind::Immutable
    } else if tp == s.list_t {
        ShallowKind::List
    } else if tp == s.dict_t {
        ShallowKind::Dict
    } else if tp == s.set_t {
        ShallowKind::Set
    } else if tp == s.bytearray_t {
        ShallowKind::ByteArray
    } else {
        ShallowKind::Other
    }
}

/// `type(obj).__qualname__` for messages.
pub fn qualname_of(tp: *mut PyTypeObject) -> String {
    match ffi::getattr(tp.cast(), statics().names.qualname.as_ptr()) {
        Ok(n) => ffi::to_display(n.as_ptr()),
        Err(_) => {
            ffi::err_clear();
            String::from("?")
        }
    }
}

pub fn raise_uncopyable(tp: *mut PyTypeObject, deep: bool) -> crate::ffi::Fail {
    let cls = ffi::to_display(tp.cast());
    let what = if deep {
        "un(deep)copyable"
    } else {
        "un(shallow)copyable"
    };
    ffi::raise(
        statics().copy_error.as_ptr(),
        &format!("{what} object of type {cls}"),
    )
}

#[inline]
pub fn dispatch_table_get(tp: *mut PyTypeObject) -> R<Option<Owned>> {
    // SAFETY: the dispatch table is a live dict; the borrowed result is incref'd at once.
    let p =
        unsafe { pyo3_ffi::PyDict_GetItemWithError(statics().dispatch_table.as_ptr(), tp.cast()) };
    if p.is_null() {
        // SAFETY: reading the current thread's error indicator.
        if unsafe { pyo3_ffi::PyErr_Occurred() }.is_null() {
            Ok(None)
        } else {
            Err(ffi::Fail)
        }
    } else {
        Ok(Some(ffi::new_ref(p)))
    }
}
