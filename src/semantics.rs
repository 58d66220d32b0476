//! What the running CPython's `copy` module does, wherever that differs between versions.
//! Every version difference of stdlib semantics the engine follows is decided here, once, at
//! import; the rest of the engine reads the result and never looks at the version or at a
//! private name of `copy` itself. (Differences of the binary interface live in `ffi/`.)
//!
//! | since | what changed in `copy.py` |
//! |-------|---------------------------|
//! | 3.10  | `range` is atomic for `deepcopy`; `_reconstruct` lost its sixth positional parameter |
//! | 3.14  | atomic types are checked before the memo, so a caller's memo is not consulted for them; `super` is atomic for `copy` |
//! | 3.15  | builtin `frozendict`: `deepcopy` copies its items, re-checks the memo and always builds a new one; `copy` returns it as is. A caller's memo is probed with `id(x) in memo` then `memo[id(x)]` instead of `memo.get(id(x), _nil)` |
//!
//! A version newer than the last row gets the last row's semantics, except for one thing
//! that is a fact about each version's own classes rather than about `copy.py`: which classes'
//! `__deepcopy__` returns the instance itself ([`SELF_COPIERS`]), known only up to the last
//! version checked.
//!
//! The sets of atomic types are read from the running `copy` module when it exposes them in a
//! known shape (`_atomic_types` / `_copy_atomic_types` from 3.14, the `_deepcopy_atomic` /
//! `_copy_immutable` entries of the dispatch tables before), so types a program registered
//! there before importing copium count too. When the module exposes neither (a later version
//! renamed them), the tables below, which the test suite checks against every supported
//! version, are used instead: no private name of `copy` is needed to import.

use crate::ffi::{self, Owned, PyTypeObject};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PySet};
use std::sync::OnceLock;

type Version = (u8, u8);

/// How `deepcopy` looks up an object in a memo passed by its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoProbe {
    /// `y = memo.get(id(x), _nil)` (up to 3.14).
    Get,
    /// `if id(x) in memo: return memo[id(x)]` (3.15 on).
    ContainsThenGetItem,
}

/// Where the sets of atomic types came from (reported by `python -m copium info`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    CopyModule,
    VersionTable,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::CopyModule => "copy module",
            Source::VersionTable => "version table",
        }
    }
}

pub struct Semantics {
    /// Types `deepcopy` returns as they are, never memoized.
    pub deep_atomic: Vec<*mut PyTypeObject>,
    /// Types `copy` returns as they are.
    pub shallow_atomic: Vec<*mut PyTypeObject>,
    /// Atomic types are returned before the memo is consulted (3.14+); before, a caller's
    /// memo was probed for them too.
    pub atomics_before_memo: bool,
    pub memo_probe: MemoProbe,
    /// The builtin `frozendict` type, which `deepcopy` copies natively (3.15+).
    pub frozendict: Option<*mut PyTypeObject>,
    /// The longest reduce value `copy.copy`'s `_reconstruct` accepts: 3.9's took a sixth
    /// positional parameter (its `deepcopy` default), which a shallow copy never uses.
    pub max_shallow_reduce_items: isize,
    /// Whether a new instance's `__dict__` can be replaced by `PyObject_GenericSetDict` (pins
    /// install a copied state dict that way). Not on 3.13, where an instance whose attribute
    /// values are still inline goes on reading them, and misses the installed dict's.
    pub instance_dict_replaceable: bool,
    pub deep_atomic_from: Source,
    pub shallow_atomic_from: Source,
    /// Classes whose own `__deepcopy__` returns the instance itself for the exact class, as
    /// (module, class); empty on a version newer than the last one checked.
    pub self_copiers: &'static [(&'static str, &'static str)],
    /// Strong references to every type above, so no address in the sets can be reused by
    /// another type while copium runs (a registered heap type could otherwise be freed).
    _alive: Vec<Owned>,
}

// SAFETY: the pointers are type objects kept alive by `_alive`, set once at import and never
// mutated; they are only dereferenced by code holding the GIL.
unsafe impl Sync for Semantics {}
// SAFETY: as above.
unsafe impl Send for Semantics {}

static SEMANTICS: OnceLock<Semantics> = OnceLock::new();

#[inline(always)]
pub fn get() -> &'static Semantics {
    // SAFETY: `init` runs in the module's init function, before any entry point can run.
    unsafe { SEMANTICS.get().unwrap_unchecked() }
}

/// A builtin type, named the way Python code reaches it.
#[derive(Clone, Copy)]
enum TypeRef {
    /// `type(builtins.NAME)`, for the types of singletons (`None`, `Ellipsis`, ...), which
    /// `types` names only from 3.10.
    TypeOf(&'static str),
    /// `MODULE.NAME`.
    Attr(&'static str, &'static str),
}

use TypeRef::{Attr, TypeOf};

/// The atomic types of `deepcopy`, with the version each joined.
const DEEP_ATOMIC: &[(Version, TypeRef)] = &[
    ((3, 9), TypeOf("None")),
    ((3, 9), TypeOf("Ellipsis")),
    ((3, 9), TypeOf("NotImplemented")),
    ((3, 9), Attr("builtins", "int")),
    ((3, 9), Attr("builtins", "float")),
    ((3, 9), Attr("builtins", "bool")),
    ((3, 9), Attr("builtins", "complex")),
    ((3, 9), Attr("builtins", "bytes")),
    ((3, 9), Attr("builtins", "str")),
    ((3, 9), Attr("types", "CodeType")),
    ((3, 9), Attr("builtins", "type")),
    ((3, 10), Attr("builtins", "range")),
    ((3, 9), Attr("types", "BuiltinFunctionType")),
    ((3, 9), Attr("types", "FunctionType")),
    ((3, 9), Attr("weakref", "ref")),
    ((3, 9), Attr("builtins", "property")),
];

/// The atomic types of `copy` beyond those of `deepcopy` (`range` is atomic for `copy` from
/// 3.9, for `deepcopy` only from 3.10).
const SHALLOW_ONLY_ATOMIC: &[(Version, TypeRef)] = &[
    ((3, 9), Attr("builtins", "tuple")),
    ((3, 9), Attr("builtins", "frozenset")),
    ((3, 9), Attr("builtins", "slice")),
    ((3, 9), Attr("builtins", "range")),
    ((3, 14), Attr("builtins", "super")),
    ((3, 15), Attr("builtins", "frozendict")),
];

/// Classes whose own `__deepcopy__` returns the instance itself, and does nothing else, when
/// the instance's class is exactly this one: the C methods of `re.Pattern`, `re.Match` and
/// `_decimal.Decimal`, and the Python methods of `fractions.Fraction` and `_pydecimal.Decimal`
/// (`if type(self) is/== Cls: return self`), in every version from 3.9 to
/// [`SELF_COPIERS_CHECKED_UP_TO`]. As (module, class), looked up where the program imported
/// them (copium imports none of them).
const SELF_COPIERS: &[(&str, &str)] = &[
    ("re", "Pattern"),
    ("re", "Match"),
    ("decimal", "Decimal"),
    ("fractions", "Fraction"),
];

/// The newest version whose classes in [`SELF_COPIERS`] were checked; on a newer one they
/// are copied through their `__deepcopy__` as any class is.
const SELF_COPIERS_CHECKED_UP_TO: Version = (3, 15);

/// A module table that lacks one of these is not the shape expected: the version table wins.
const MUST_BE_ATOMIC: &[&str] = &["int", "float", "str", "bool"];

pub fn init(py: Python<'_>) -> PyResult<()> {
    if SEMANTICS.get().is_some() {
        return Ok(());
    }
    let v = py.version_info();
    let version = (v.major, v.minor);
    let copy = py.import("copy")?;
    let mut alive = Vec::new();

    let deep_table = from_table(py, DEEP_ATOMIC, version)?;
    let (deep, deep_from) = match atomic_types_of(
        &copy,
        "_atomic_types",
        "_deepcopy_dispatch",
        "_deepcopy_atomic",
    ) {
        Some(types) if looks_right(py, &types) => (types, Source::CopyModule),
        _ => (deep_table.clone(), Source::VersionTable),
    };
    let mut shallow_table = deep_table;
    for t in from_table(py, SHALLOW_ONLY_ATOMIC, version)? {
        if !shallow_table.iter().any(|known| known.is(&t)) {
            shallow_table.push(t);
        }
    }
    let (shallow, shallow_from) = match atomic_types_of(
        &copy,
        "_copy_atomic_types",
        "_copy_dispatch",
        "_copy_immutable",
    ) {
        Some(types) if looks_right(py, &types) => (types, Source::CopyModule),
        _ => (shallow_table, Source::VersionTable),
    };

    let frozendict = if version >= (3, 15) {
        py.import("builtins")?.getattr_opt("frozendict")?
    } else {
        None
    };
    let mut ptrs = |types: &[Bound<'_, PyAny>]| -> Vec<*mut PyTypeObject> {
        types
            .iter()
            .map(|t| {
                alive.push(ffi::new_ref(t.as_ptr()));
                t.as_ptr().cast()
            })
            .collect()
    };
    let deep_atomic = ptrs(&deep);
    let shallow_atomic = ptrs(&shallow);
    let frozendict = frozendict.map(|t| ptrs(std::slice::from_ref(&t))[0]);
    let semantics = Semantics {
        deep_atomic,
        shallow_atomic,
        atomics_before_memo: version >= (3, 14),
        memo_probe: if version >= (3, 15) {
            MemoProbe::ContainsThenGetItem
        } else {
            MemoProbe::Get
        },
        frozendict,
        max_shallow_reduce_items: if version >= (3, 10) { 5 } else { 6 },
        instance_dict_replaceable: version != (3, 13),
        deep_atomic_from: deep_from,
        shallow_atomic_from: shallow_from,
        self_copiers: if version <= SELF_COPIERS_CHECKED_UP_TO {
            SELF_COPIERS
        } else {
            &[]
        },
        _alive: alive,
    };
    let _ = SEMANTICS.set(semantics);
    Ok(())
}

fn resolve<'py>(py: Python<'py>, t: TypeRef) -> PyResult<Bound<'py, PyAny>> {
    match t {
        TypeOf(name) => Ok(py.import("builtins")?.getattr(name)?.get_type().into_any()),
        Attr(module, name) => py.import(module)?.getattr(name),
    }
}

/// The types of `table` that the running version has.
fn from_table<'py>(
    py: Python<'py>,
    table: &[(Version, TypeRef)],
    version: Version,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    table
        .iter()
        .filter(|(since, _)| version >= *since)
        .map(|(_, t)| resolve(py, *t))
        .collect()
}

/// The atomic types the `copy` module itself consults: the set `set_name` (3.14+), or the
/// keys of the dict `dispatch_name` mapped to `handler_name` (before). `None` when the module
/// has neither in that shape.
fn atomic_types_of<'py>(
    copy: &Bound<'py, PyModule>,
    set_name: &str,
    dispatch_name: &str,
    handler_name: &str,
) -> Option<Vec<Bound<'py, PyAny>>> {
    let types: Vec<Bound<'py, PyAny>> = match copy.getattr(set_name) {
        Ok(set) => {
            if let Ok(s) = set.cast::<PyFrozenSet>() {
                s.iter().collect()
            } else if let Ok(s) = set.cast::<PySet>() {
                s.iter().collect()
            } else {
                return None;
            }
        }
        Err(_) => {
            let handler = copy.getattr(handler_name).ok()?;
            let dispatch = copy.getattr(dispatch_name).ok()?;
            let dispatch = dispatch.cast::<PyDict>().ok()?;
            dispatch
                .iter()
                .filter(|(_, h)| h.is(&handler))
                .map(|(t, _)| t)
                .collect()
        }
    };
    types
        .iter()
        .all(|t| t.is_instance_of::<pyo3::types::PyType>())
        .then_some(types)
}

fn looks_right(py: Python<'_>, types: &[Bound<'_, PyAny>]) -> bool {
    let Ok(builtins) = py.import("builtins") else {
        return false;
    };
    MUST_BE_ATOMIC.iter().all(|name| {
        builtins
            .getattr(*name)
            .is_ok_and(|t| types.iter().any(|x| x.is(&t)))
    })
}
