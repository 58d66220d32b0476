//! Objects whose class's own `__deepcopy__` returns the object itself: `re.Pattern`,
//! `re.Match`, `decimal.Decimal`, `fractions.Fraction` (the list and the versions it holds
//! for are in `semantics.rs`). For an instance of exactly such a class, stdlib's `deepcopy`
//! calls the method, gets `x` back and stores nothing (`if y is not x: memo[d] = y`), so the
//! copy is `x` without the call and without the memo proxy the call would need.
//!
//! It is that method exactly when `getattr(x, "__deepcopy__")` would find it: the instance's
//! class is the registered one (a subclass takes the general path), instances of it have no
//! `__dict__` that could shadow the method (checked once), the class's attribute lookup is
//! the generic one, and the MRO lookup of `__deepcopy__` finds the very method registered.
//! A class whose attributes cannot change (a C type) keeps all of that for its lifetime; a
//! Python class (`Fraction`) is checked again for each object.
//!
//! copium imports none of these modules: a class is registered the first time an object
//! with an unknown `__deepcopy__` is copied after its module appeared in `sys.modules`.

use crate::ffi::{self, Owned, PyObject, PyTypeObject, R};
use crate::types::statics;
use std::cell::UnsafeCell;

/// Most classes a version can list (see `semantics::SELF_COPIERS`).
const MAX: usize = 8;

enum Slot {
    /// The module was not imported when last looked for.
    Pending,
    /// Not usable here (the module lacks the class, or instances have a `__dict__`).
    Absent,
    Known {
        tp: Owned,
        method: Owned,
        /// A Python class, whose attributes (and attribute lookup) can be changed.
        mutable: bool,
    },
}

struct Table {
    slots: [Slot; MAX],
    /// `len(sys.modules)` when pending slots were last looked for.
    modules_seen: isize,
    pending: usize,
}

struct Cell(UnsafeCell<Option<Table>>);
// SAFETY: read and written only by the engine, which runs with the GIL held; no reference
// into it is kept across a call that could run Python code.
unsafe impl Sync for Cell {}

static TABLE: Cell = Cell(UnsafeCell::new(None));

fn table() -> &'static mut Table {
    // SAFETY: GIL-serialized access (see `Cell`); callers never hold the reference across
    // Python code.
    unsafe {
        (*TABLE.0.get()).get_or_insert_with(|| {
            let names = crate::semantics::get().self_copiers;
            Table {
                slots: std::array::from_fn(|i| {
                    if i < names.len() {
                        Slot::Pending
                    } else {
                        Slot::Absent
                    }
                }),
                modules_seen: -1,
                pending: names.len().min(MAX),
            }
        })
    }
}

/// Is `tp` one of the registered classes? (Classification asks; the answer cannot go stale,
/// as registered classes are kept alive and never unregistered.)
pub fn is_registered(tp: *mut PyTypeObject) -> bool {
    registered(tp).is_some()
}

/// For a registered class, whether its attributes can change (a Python class, whose method
/// is checked again for each object); `None` for any other class.
pub fn registered(tp: *mut PyTypeObject) -> Option<bool> {
    table().slots.iter().find_map(|slot| match slot {
        Slot::Known {
            tp: known, mutable, ..
        } if known.as_ptr() == tp.cast() => Some(*mutable),
        _ => None,
    })
}

/// For an instance of a registered class `tp`: does its `__deepcopy__` still return it? A
/// class that cannot change always does; a Python class does while its `__deepcopy__` is the
/// registered method and its attribute lookup the generic one.
#[inline]
pub fn still_returns_self(tp: *mut PyTypeObject) -> bool {
    for slot in &table().slots {
        if let Slot::Known {
            tp: known,
            method,
            mutable,
        } = slot
        {
            if known.as_ptr() == tp.cast() {
                return !mutable
                    || (generic_getattr(tp)
                        && ffi::type_lookup(tp, statics().names.deepcopy.as_ptr())
                            == Ok(method.as_ptr()));
            }
        }
    }
    false
}

/// Called for an object of class `tp` (not registered) whose `__deepcopy__` will be called:
/// registers the classes whose modules were imported since the last look, and says whether
/// `tp` is one of them now (its kind must then be looked up again).
pub fn register_now(tp: *mut PyTypeObject) -> R<bool> {
    if table().pending == 0 || !register_imported()? {
        return Ok(false);
    }
    crate::types::forget_kinds();
    Ok(is_registered(tp))
}

/// Looks for the modules of pending classes in `sys.modules` (only when it changed since the
/// last look); whether anything was registered.
#[cold]
fn register_imported() -> R<bool> {
    // SAFETY: the interpreter's module dict, borrowed; it lives as long as the interpreter.
    let modules = unsafe { pyo3_ffi::PyImport_GetModuleDict() };
    if modules.is_null() || !crate::types::is_exact_dict(modules) {
        return Ok(false);
    }
    let size = ffi::dict_len(modules);
    if size == table().modules_seen {
        return Ok(false);
    }
    table().modules_seen = size;
    let names = crate::semantics::get().self_copiers;
    let mut registered = false;
    for (i, &(module, class)) in names.iter().enumerate().take(MAX) {
        if !matches!(table().slots[i], Slot::Pending) {
            continue;
        }
        // May run Python code (a module's attribute lookup), even a nested copy that
        // registers this very slot: it is checked again below.
        let Some(found) = resolve(modules, module, class)? else {
            continue;
        };
        let t = table();
        if matches!(t.slots[i], Slot::Pending) {
            registered |= matches!(found, Slot::Known { .. });
            t.slots[i] = found;
            t.pending -= 1;
        }
    }
    Ok(registered)
}

/// The slot for `module.class`: `None` while the module is not imported.
fn resolve(modules: *mut PyObject, module: &str, class: &str) -> R<Option<Slot>> {
    let module = std::ffi::CString::new(module).unwrap_or_default();
    let class = std::ffi::CString::new(class).unwrap_or_default();
    // SAFETY: `modules` is a live dict; the result is borrowed and taken at once.
    let m = unsafe { pyo3_ffi::PyDict_GetItemString(modules, module.as_ptr()) };
    if m.is_null() {
        return Ok(None);
    }
    let m = ffi::new_ref(m);
    // SAFETY: `m` is a live object; a missing attribute is an answer, not an error.
    let tp = unsafe { pyo3_ffi::PyObject_GetAttrString(m.as_ptr(), class.as_ptr()) };
    let Some(tp) = (unsafe { Owned::from_new(tp) }) else {
        ffi::err_clear();
        return Ok(Some(Slot::Absent));
    };
    if ffi::type_flags(ffi::type_of(tp.as_ptr())) & pyo3_ffi::Py_TPFLAGS_TYPE_SUBCLASS == 0 {
        return Ok(Some(Slot::Absent));
    }
    let t: *mut PyTypeObject = tp.as_ptr().cast();
    // The method must be the class's own, and instances must have no `__dict__`.
    let own = ffi::getattr(tp.as_ptr(), statics().names.dict.as_ptr())?;
    let method = match ffi::getitem(own.as_ptr(), statics().names.deepcopy.as_ptr()) {
        Ok(m) => m,
        Err(_) => {
            ffi::err_clear();
            return Ok(Some(Slot::Absent));
        }
    };
    let flags = ffi::type_flags(t);
    let heap = flags & pyo3_ffi::Py_TPFLAGS_HEAPTYPE != 0;
    // `Py_TPFLAGS_IMMUTABLETYPE` (3.10+; on 3.9 no heap type has that bit, and static
    // types are immutable).
    let mutable = heap && flags & (1 << 8) == 0;
    if !no_instance_dict(t)? || (!mutable && !generic_getattr_static(t)) {
        return Ok(Some(Slot::Absent));
    }
    Ok(Some(Slot::Known {
        tp,
        method,
        mutable,
    }))
}

fn no_instance_dict(tp: *mut PyTypeObject) -> R<bool> {
    // SAFETY: `tp` is a live type; `__dictoffset__` is one of type's int members.
    let v = ffi::owned(unsafe {
        pyo3_ffi::PyObject_GetAttrString(tp.cast(), c"__dictoffset__".as_ptr())
    })?;
    // SAFETY: `v` is a live int.
    let n = unsafe { pyo3_ffi::PyLong_AsSsize_t(v.as_ptr()) };
    if n == -1 && !unsafe { pyo3_ffi::PyErr_Occurred() }.is_null() {
        return Err(ffi::Fail);
    }
    let managed = ffi::type_flags(tp) & (1 << 4) != 0 && statics().managed_dict_flag_exists;
    Ok(n == 0 && !managed)
}

/// The class's attribute lookup is the generic one (a heap type's slot can change).
fn generic_getattr(tp: *mut PyTypeObject) -> bool {
    // SAFETY: `tp` is a heap type, whose slots PyType_GetSlot reads.
    let slot = unsafe { pyo3_ffi::PyType_GetSlot(tp, pyo3_ffi::Py_tp_getattro) };
    slot == pyo3_ffi::PyObject_GenericGetAttr as *mut std::ffi::c_void
}

/// The same for a class that cannot change, read once: `PyType_GetSlot` reads static types
/// only from 3.10, so on 3.9 a static type's lookup is read through `__getattribute__`:
/// `object`'s own (inherited), or the type's own slot wrapper of the generic function (a
/// static type that sets the slot itself, as `decimal.Decimal` does).
fn generic_getattr_static(tp: *mut PyTypeObject) -> bool {
    if ffi::type_flags(tp) & pyo3_ffi::Py_TPFLAGS_HEAPTYPE != 0 || statics().static_slots_readable {
        return generic_getattr(tp);
    }
    let name = statics().names.getattribute.as_ptr();
    match (
        ffi::type_lookup(tp, name),
        ffi::type_lookup(object_type(), name),
    ) {
        (Ok(a), Ok(b)) if !a.is_null() => a == b || ffi::wraps_generic_getattr(a),
        _ => false,
    }
}

fn object_type() -> *mut PyTypeObject {
    std::ptr::addr_of_mut!(pyo3_ffi::PyBaseObject_Type)
}
