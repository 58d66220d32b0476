//! Making a plan: one walk over the object graph in stdlib `deepcopy`'s order, taking every
//! decision `deepcopy` takes (`dispatch.rs`), but recording how each copy is built instead of
//! building it. A memo keyed by address, exactly where stdlib's memo would be written, turns
//! sharing and cycles into node references.
//!
//! Everything `deepcopy` asks of the objects is asked here, once: attribute lookups, reduce
//! values (`__reduce_ex__`, `__getstate__`, `copyreg` reductors), the iterators of list and
//! dict items in a reduce value. What builds the copy (a reduce callable, `__setstate__`, a
//! custom `__deepcopy__`) runs at every copy instead. So do the errors: whatever would make
//! `deepcopy` raise while deciding makes planning raise the same.

use super::plan::{Args, Child, Kind as NodeKind, Make, Node, NodeId, Plan, Reduce, NO_SLOT};
use super::registry;
use crate::deepcopy::Engine;
use crate::ffi::{self, exc_types, Owned, PyObject, PyTypeObject, Py_ssize_t, R};
use crate::native_memo::NativeMemo;
use crate::objects;
use crate::recursion::Depth;
use crate::reduce;
use crate::types::{self, statics, Kind};
use pyo3::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

/// Objects the planner compares callables and descriptors with.
struct Known {
    /// `copyreg.__newobj__`, which `object.__reduce_ex__(4)` names as the callable.
    newobj: Owned,
    /// `types.GetSetDescriptorType`: the standard `__dict__` of a Python class is one.
    getset_descriptor: *mut PyTypeObject,
    /// `types.BuiltinFunctionType`: `object.__new__` and the `__new__` of builtin types.
    builtin_function: *mut PyTypeObject,
    /// The interned name `__new__`.
    new_name: Owned,
}

// SAFETY: process-lifetime objects set once at import, only read afterwards, with the GIL.
unsafe impl Sync for Known {}
// SAFETY: as above.
unsafe impl Send for Known {}

static KNOWN: OnceLock<Known> = OnceLock::new();

pub fn init(py: Python<'_>) -> PyResult<()> {
    if KNOWN.get().is_some() {
        return Ok(());
    }
    let types_mod = py.import("types")?;
    let known = Known {
        newobj: ffi::new_ref(py.import("copyreg")?.getattr("__newobj__")?.as_ptr()),
        getset_descriptor: types_mod.getattr("GetSetDescriptorType")?.as_ptr().cast(),
        builtin_function: types_mod.getattr("BuiltinFunctionType")?.as_ptr().cast(),
        new_name: ffi::new_ref(pyo3::types::PyString::intern(py, "__new__").as_ptr()),
    };
    let _ = KNOWN.set(known);
    Ok(())
}

fn known() -> &'static Known {
    // SAFETY: `init` runs in the module's init function, before any pin can be made.
    unsafe { KNOWN.get().unwrap_unchecked() }
}

struct Planner {
    nodes: Vec<Node>,
    /// id(original) -> the node its first visit made, set where stdlib stores into its memo.
    memo: HashMap<usize, NodeId>,
    slots: u32,
    depth: Depth,
    /// The object being pinned: planned from its current state even if it is pinned already.
    root: *mut PyObject,
    hooks: bool,
    embedded: bool,
    planned: usize,
    runs_code: usize,
}

/// The plan of `deepcopy(obj)`.
pub fn plan(obj: *mut PyObject) -> R<Plan> {
    let mut p = Planner {
        nodes: Vec::new(),
        memo: HashMap::new(),
        slots: 0,
        depth: Depth::new(),
        root: obj,
        hooks: false,
        embedded: false,
        planned: 0,
        runs_code: 0,
    };
    let root = p.visit(obj)?;
    p.finish();
    Ok(Plan {
        root,
        nodes: p.nodes,
        slots: p.slots,
        hooks: p.hooks,
        embedded: p.embedded,
        planned: p.planned,
        runs_code: p.runs_code,
        hits: AtomicU64::new(0),
        obj: ffi::new_ref(obj),
    })
}

fn no_memory() -> ffi::Fail {
    // SAFETY: sets MemoryError on the current thread, which holds the GIL.
    unsafe { pyo3_ffi::PyErr_NoMemory() };
    ffi::Fail
}

impl Planner {
    /// `deepcopy(x, memo)`: what the copy of `x` is, as a child of its container.
    fn visit(&mut self, x: *mut PyObject) -> R<Child> {
        let tp = ffi::type_of(x);
        let kind = types::classify(tp);
        if kind == Kind::Atomic {
            return Ok(Child::Same(ffi::new_ref(x)));
        }
        if let Some(&n) = self.memo.get(&(x as usize)) {
            return Ok(self.reference(n));
        }
        if x != self.root {
            if let Some(plan) = registry::find(x as usize) {
                return Ok(self.embed(x, plan));
            }
        }
        self.depth.enter()?;
        let planned = self.dispatch(x, tp, kind);
        self.depth.leave();
        planned
    }

    /// A later visit of node `n`: the copy its first visit made.
    fn reference(&mut self, n: NodeId) -> Child {
        let node = &mut self.nodes[n as usize];
        if node.slot == NO_SLOT {
            node.slot = self.slots;
            self.slots += 1;
        }
        Child::Ref(n)
    }

    /// A node whose copy is memoized when its visit starts (containers, instances, reduce
    /// results, which are stored before their contents are copied).
    fn open(&mut self, x: *mut PyObject) -> NodeId {
        let n = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            original: ffi::new_ref(x),
            slot: NO_SLOT,
            kind: NodeKind::Pending,
        });
        self.memo.insert(x as usize, n);
        n
    }

    /// A node whose copy is memoized when its visit ends (after its contents).
    fn close(&mut self, x: *mut PyObject, kind: NodeKind) -> Child {
        let n = self.open(x);
        self.nodes[n as usize].kind = kind;
        Child::Node(n)
    }

    /// A node whose visit found its object's copy already made while its contents were being
    /// copied (a tuple reached through its own items): the memo keeps pointing at that copy.
    fn push(&mut self, x: *mut PyObject, kind: NodeKind) -> Child {
        let n = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            original: ffi::new_ref(x),
            slot: NO_SLOT,
            kind,
        });
        Child::Node(n)
    }

    fn fill(&mut self, n: NodeId, kind: NodeKind) -> Child {
        self.nodes[n as usize].kind = kind;
        Child::Node(n)
    }

    fn embed(&mut self, x: *mut PyObject, plan: Arc<Plan>) -> Child {
        self.embedded = true;
        self.hooks |= plan.hooks;
        self.planned += plan.planned;
        self.runs_code += plan.runs_code;
        self.close(x, NodeKind::Embedded { plan })
    }

    /// stdlib's order: the builtin handlers, classes, `__deepcopy__`, then reduce.
    fn dispatch(&mut self, x: *mut PyObject, tp: *mut PyTypeObject, kind: Kind) -> R<Child> {
        match kind {
            Kind::List => self.list(x),
            Kind::Dict => self.dict(x),
            Kind::Tuple => self.tuple(x),
            Kind::FrozenDict => self.frozendict(x),
            Kind::Method => self.method(x),
            Kind::Set => self.set(x, false),
            Kind::FrozenSet => self.set(x, true),
            Kind::ByteArray => {
                self.planned += 1;
                let data = ffi::bytearray_copy(x)?;
                Ok(self.close(x, NodeKind::ByteArray { data }))
            }
            // What deepcopy decided for these at classification: the object is its own copy.
            Kind::SelfCopyFixed => Ok(Child::Same(ffi::new_ref(x))),
            Kind::SelfCopy if crate::self_copiers::still_returns_self(tp) => {
                Ok(Child::Same(ffi::new_ref(x)))
            }
            Kind::Atomic | Kind::Other | Kind::SelfCopy => self.other(x, tp),
        }
    }

    /// Items read by index at their turn, as stdlib's list iterator reads them (code run by
    /// an earlier item's reduce may change the list).
    fn list(&mut self, x: *mut PyObject) -> R<Child> {
        let n = self.open(x);
        self.planned += 1;
        let template = ffi::list_new_empty()?;
        let mut patches = Vec::new();
        let mut i: Py_ssize_t = 0;
        while i < ffi::list_len(x) {
            let item = ffi::new_ref(ffi::list_item(x, i));
            let c = self.visit(item.as_ptr())?;
            match &c {
                Child::Same(o) => ffi::list_append(template.as_ptr(), o.as_ptr())?,
                _ => {
                    ffi::list_append(template.as_ptr(), ffi::none())?;
                    patches.push((i, c));
                }
            }
            i += 1;
        }
        Ok(self.fill(n, NodeKind::List { template, patches }))
    }

    /// Items in iteration order, each value visited before its key; a dict that changes size
    /// (or keys) meanwhile raises RuntimeError, as iterating `x.items()` does.
    fn dict(&mut self, x: *mut PyObject) -> R<Child> {
        let n = self.open(x);
        self.planned += 1;
        let items = self.dict_items(x)?;
        let kind = if items.iter().all(|(k, _)| matches!(k, Child::Same(_))) {
            let template = ffi::dict_with_capacity(items.len() as Py_ssize_t)?;
            let mut patches = Vec::new();
            // Filled in order and never shrunk, the template holds item `i` at entry `i`
            // (position `i + 1` of a dict iteration), as its clones do.
            for (pos, (k, v)) in (1..).zip(items) {
                let Child::Same(k) = k else {
                    unreachable!("checked above")
                };
                match v {
                    Child::Same(v) => ffi::dict_set(template.as_ptr(), k.as_ptr(), v.as_ptr())?,
                    v => {
                        ffi::dict_set(template.as_ptr(), k.as_ptr(), ffi::none())?;
                        patches.push((k, v, pos));
                    }
                }
            }
            NodeKind::Dict { template, patches }
        } else {
            NodeKind::DictItems { items }
        };
        Ok(self.fill(n, kind))
    }

    fn dict_items(&mut self, x: *mut PyObject) -> R<Vec<(Child, Child)>> {
        let size = ffi::dict_len(x);
        let step = ffi::DictNext::resolve();
        let mut items = Vec::new();
        items.try_reserve(size as usize).map_err(|_| no_memory())?;
        let mut pos: Py_ssize_t = 0;
        let mut remaining = size;
        loop {
            if ffi::dict_len(x) != size {
                return Err(ffi::raise(
                    exc_types::runtime_error(),
                    "dictionary changed size during iteration",
                ));
            }
            let Some((k, v)) = step.step(x, &mut pos) else {
                return Ok(items);
            };
            if remaining == 0 {
                return Err(ffi::raise(
                    exc_types::runtime_error(),
                    "dictionary keys changed during iteration",
                ));
            }
            remaining -= 1;
            let (k, v) = (ffi::new_ref(k), ffi::new_ref(v));
            let value = self.visit(v.as_ptr())?;
            let key = self.visit(k.as_ptr())?;
            items.push((key, value));
        }
    }

    /// The tuple itself when every item copies to itself; checked in the memo after its
    /// items, which may have copied it (a cycle through the tuple).
    fn tuple(&mut self, x: *mut PyObject) -> R<Child> {
        let len = ffi::tuple_len(x);
        let mut items = Vec::new();
        items.try_reserve(len as usize).map_err(|_| no_memory())?;
        for i in 0..len {
            items.push(self.visit(ffi::tuple_item(x, i))?);
        }
        let recheck = self.memo.get(&(x as usize)).copied();
        if recheck.is_none() && items.iter().all(|c| matches!(c, Child::Same(_))) {
            return Ok(Child::Same(ffi::new_ref(x)));
        }
        self.planned += 1;
        if let Some(m) = recheck {
            self.reference(m);
            return Ok(self.push(x, NodeKind::Tuple { items, recheck }));
        }
        Ok(self.close(x, NodeKind::Tuple { items, recheck }))
    }

    fn frozendict(&mut self, x: *mut PyObject) -> R<Child> {
        self.planned += 1;
        // A frozendict never changes: its items can be walked while code runs.
        let step = ffi::DictNext::resolve();
        let mut items = Vec::new();
        let mut pos: Py_ssize_t = 0;
        while let Some((k, v)) = step.step(x, &mut pos) {
            let (k, v) = (ffi::new_ref(k), ffi::new_ref(v));
            let value = self.visit(v.as_ptr())?;
            let key = self.visit(k.as_ptr())?;
            items.push((key, value));
        }
        let recheck = self.memo.get(&(x as usize)).copied();
        if let Some(m) = recheck {
            self.reference(m);
            return Ok(self.push(x, NodeKind::FrozenDict { items, recheck }));
        }
        Ok(self.close(x, NodeKind::FrozenDict { items, recheck }))
    }

    fn method(&mut self, x: *mut PyObject) -> R<Child> {
        let names = &statics().names;
        let func = ffi::getattr(x, names.func.as_ptr())?;
        let bound = ffi::getattr(x, names.self_.as_ptr())?;
        let bound = self.visit(bound.as_ptr())?;
        self.planned += 1;
        Ok(self.close(x, NodeKind::Method { func, bound }))
    }

    /// The items as iteration yields them, snapshotted first (as stdlib's reduce does).
    fn set(&mut self, x: *mut PyObject, frozen: bool) -> R<Child> {
        let it = ffi::get_iter(x)?;
        let mut snapshot = Vec::new();
        while let Some(item) = ffi::iter_next(it.as_ptr())? {
            snapshot.try_reserve(1).map_err(|_| no_memory())?;
            snapshot.push(item);
        }
        drop(it);
        let mut items = Vec::new();
        items.try_reserve(snapshot.len()).map_err(|_| no_memory())?;
        for item in &snapshot {
            items.push(self.visit(item.as_ptr())?);
        }
        let template = if items.iter().all(|c| matches!(c, Child::Same(_))) {
            // SAFETY: a new set of the items (all hashable: they are a set's members).
            Some(ffi::owned(unsafe {
                pyo3_ffi::PySet_New(std::ptr::null_mut())
            })?)
        } else {
            None
        };
        if let Some(t) = &template {
            for c in &items {
                if let Child::Same(o) = c {
                    // SAFETY: `t` is a set we own, `o` a live object.
                    ffi::status(unsafe { pyo3_ffi::PySet_Add(t.as_ptr(), o.as_ptr()) })?;
                }
            }
        }
        self.planned += 1;
        Ok(self.close(
            x,
            NodeKind::Set {
                frozen,
                items,
                template,
            },
        ))
    }

    fn other(&mut self, x: *mut PyObject, tp: *mut PyTypeObject) -> R<Child> {
        if types::is_class(tp) || objects::deepcopy_returns_self(x, tp)? {
            return Ok(Child::Same(ffi::new_ref(x)));
        }
        if let Some(copier) = ffi::getattr_not_none(x, statics().names.deepcopy.as_ptr())? {
            // As deepcopy's dispatch does: a class whose module was imported since copium last
            // looked may be one whose `__deepcopy__` returns the object itself.
            let registered = crate::self_copiers::register_now(tp)?
                && crate::self_copiers::still_returns_self(tp);
            if registered || returns_itself(x, tp) {
                return Ok(Child::Same(ffi::new_ref(x)));
            }
            self.hooks = true;
            self.runs_code += 1;
            return Ok(self.close(x, NodeKind::Hook { copier }));
        }
        if let Some(plain) = objects::plain_state(x, tp)? {
            let n = self.open(x);
            let state = plain.state.map(|s| self.visit(s.as_ptr())).transpose()?;
            let cls = ffi::new_ref(tp.cast());
            self.count_reduce(tp, tp, None);
            let reduce = Reduce {
                make: Make::New {
                    cls,
                    tp_new: plain.tp_new,
                    args: Args::Same(ffi::tuple_new(0)?),
                },
                state,
                direct_dict: false,
                listitems: Vec::new(),
                dictitems: Vec::new(),
            };
            return Ok(self.fill(n, NodeKind::Reduce(Box::new(reduce))));
        }
        let rv = reduce::reduce_value(x, tp, true)?;
        if types::is_str_instance(rv.as_ptr()) {
            return Ok(Child::Same(ffi::new_ref(x)));
        }
        self.reconstruct(x, tp, rv)
    }

    /// `_reconstruct(x, memo, *rv)`, every part visited in its order, with the callable
    /// resolved. The reduce value is bound as `reduce.rs` binds it (its unusual shapes by
    /// Python, which raises what stdlib raises).
    fn reconstruct(&mut self, x: *mut PyObject, tp: *mut PyTypeObject, rv: Owned) -> R<Child> {
        let parts = reduce::reduce_parts::<Engine<NativeMemo>>(rv.as_ptr())?;
        // Python 3.9's 6th item, the function `_reconstruct` copies the parts with.
        let custom =
            (ffi::tuple_len(parts.as_ptr()) > 5).then(|| ffi::tuple_item(parts.as_ptr(), 5));
        let func = ffi::new_ref(ffi::tuple_item(parts.as_ptr(), 0));
        let args = ffi::tuple_item(parts.as_ptr(), 1);
        let args = if ffi::is_true(args)? {
            let src = reduce::as_tuple(args)?;
            let len = ffi::tuple_len(src.as_ptr());
            let mut items = Vec::new();
            for i in 0..len {
                items.push(self.part(custom, ffi::tuple_item(src.as_ptr(), i))?);
            }
            if items.iter().all(|c| matches!(c, Child::Same(_))) {
                Args::Same(src)
            } else {
                Args::Copied(items)
            }
        } else {
            Args::Same(false_args(func.as_ptr(), args)?)
        };
        let make = resolve(func, args)?;
        let node = self.open(x);
        let state = match reduce::optional(parts.as_ptr(), 2) {
            Some(s) => Some(self.part(custom, s)?),
            None => None,
        };
        let mut listitems = Vec::new();
        if let Some(items) = reduce::optional(parts.as_ptr(), 3) {
            let it = ffi::get_iter(items)?;
            while let Some(item) = ffi::iter_next(it.as_ptr())? {
                listitems.push(self.part(custom, item.as_ptr())?);
            }
        }
        let mut dictitems = Vec::new();
        if let Some(items) = reduce::optional(parts.as_ptr(), 4) {
            let it = ffi::get_iter(items)?;
            while let Some(pair) = ffi::iter_next(it.as_ptr())? {
                let (k, v) = reduce::unpack2(pair.as_ptr())?;
                let k = self.part(custom, k.as_ptr())?;
                let v = self.part(custom, v.as_ptr())?;
                dictitems.push((k, v));
            }
        }
        match &make {
            Make::New { cls, .. } => self.count_reduce(tp, cls.as_ptr().cast(), None),
            Make::Call { func, .. } => self.count_reduce(tp, tp, Some(func.as_ptr())),
        }
        let reduce = Reduce {
            make,
            state,
            direct_dict: false,
            listitems,
            dictitems,
        };
        Ok(self.fill(node, NodeKind::Reduce(Box::new(reduce))))
    }

    /// A part of a reduce value, copied by `deepcopy` or, on 3.9, by the reduce value's 6th
    /// item, which no copy can use (it fails here as it fails in `reduce.rs`).
    fn part(&mut self, custom: Option<*mut PyObject>, obj: *mut PyObject) -> R<Child> {
        match custom {
            None => self.visit(obj),
            Some(f) => match reduce::custom_part(f, obj) {
                Err(fail) => Err(fail),
                Ok(_) => Err(ffi::raise(
                    exc_types::runtime_error(),
                    "copium internal error: a reduce value's 6th item copied a part; please report it",
                )),
            },
        }
    }

    /// A reduce node runs code when it calls a callable other than a builtin `__new__`, or
    /// when its class has a `__setstate__`.
    fn count_reduce(
        &mut self,
        tp: *mut PyTypeObject,
        cls: *mut PyTypeObject,
        call: Option<*mut PyObject>,
    ) {
        let k = known();
        let names = &statics().names;
        let builtin_new = ffi::type_lookup(cls, k.new_name.as_ptr())
            .is_ok_and(|f| !f.is_null() && ffi::type_of(f) == k.builtin_function);
        let setstate = ffi::type_lookup(tp, names.setstate.as_ptr()).map_or(true, |f| !f.is_null());
        if call.is_some() || !builtin_new || setstate {
            self.runs_code += 1;
        } else {
            self.planned += 1;
        }
    }

    /// Which instance states can be installed as the instance dict directly: a dict node no
    /// later visit refers to, for a class created by `cls.__new__` that has no `__setstate__`
    /// and the standard `__dict__`.
    fn finish(&mut self) {
        let names = &statics().names;
        let k = known();
        for i in 0..self.nodes.len() {
            let NodeKind::Reduce(r) = &self.nodes[i].kind else {
                continue;
            };
            let (Make::New { cls, .. }, Some(Child::Node(d))) = (&r.make, &r.state) else {
                continue;
            };
            let state = &self.nodes[*d as usize];
            let is_dict = matches!(
                state.kind,
                NodeKind::Dict { .. } | NodeKind::DictItems { .. }
            );
            if state.slot != NO_SLOT || !is_dict {
                continue;
            }
            let tp: *mut PyTypeObject = cls.as_ptr().cast();
            let no_setstate =
                ffi::type_lookup(tp, names.setstate.as_ptr()) == Ok(std::ptr::null_mut());
            let standard_dict = ffi::type_lookup(tp, names.dict.as_ptr())
                .is_ok_and(|d| !d.is_null() && ffi::type_of(d) == k.getset_descriptor);
            if no_setstate && standard_dict && crate::semantics::get().instance_dict_replaceable {
                if let NodeKind::Reduce(r) = &mut self.nodes[i].kind {
                    r.direct_dict = true;
                }
            }
        }
    }
}

/// Is `x`'s `__deepcopy__` one of the stdlib's that return the object and do nothing else?
/// `decimal.Decimal`'s when it is the C type's method (`return self`), and
/// `fractions.Fraction`'s (`if type(self) == Fraction: return self`), for exact instances.
/// `deepcopy` then returns `x` itself and stores nothing in the memo (it stores only a copy
/// that differs), so the plan keeps `x` as it is instead of calling the method at every
/// copy. Anything unexpected while finding out answers no (the method is then called).
fn returns_itself(x: *mut PyObject, tp: *mut PyTypeObject) -> bool {
    // SAFETY: the planner only runs while attached to the interpreter (GIL held).
    let py = unsafe { Python::assume_attached() };
    let found = || -> PyResult<bool> {
        let modules = py.import("sys")?.getattr("modules")?;
        let modules = modules.cast::<pyo3::types::PyDict>()?;
        let class = |module: &str, name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            match modules.get_item(module)? {
                Some(m) => Ok(Some(m.getattr(name)?)),
                None => Ok(None),
            }
        };
        // SAFETY: `x` is a live object.
        let x = unsafe { Bound::from_borrowed_ptr(py, x) };
        if x.hasattr("__dict__")? {
            return Ok(false);
        }
        if let Some(decimal) = class("decimal", "Decimal")? {
            if decimal.as_ptr() == tp.cast() {
                // The C type's method (a method descriptor), not `_pydecimal`'s function.
                let method = decimal.getattr("__dict__")?.get_item("__deepcopy__")?;
                let c_method = py.import("types")?.getattr("MethodDescriptorType")?;
                return Ok(method.get_type().is(&c_method));
            }
        }
        let Some(fraction) = class("fractions", "Fraction")? else {
            return Ok(false);
        };
        if fraction.as_ptr() != tp.cast() {
            return Ok(false);
        }
        let method = fraction.getattr("__dict__")?.get_item("__deepcopy__")?;
        Ok(
            method.getattr("__module__")?.extract::<String>()? == "fractions"
                && method.getattr("__qualname__")?.extract::<String>()? == "Fraction.__deepcopy__",
        )
    };
    found().unwrap_or(false)
}

/// The arguments of `func(*args)` for reduce arguments that are false: an exact tuple as it
/// is, an iterable's items; anything else fails as that call fails (in Python, which words
/// the error after the call), before `func` runs.
fn false_args(func: *mut PyObject, args: *mut PyObject) -> R<Owned> {
    if types::is_exact_tuple(args) {
        return Ok(ffi::new_ref(args));
    }
    let it = match ffi::get_iter(args) {
        Ok(it) => it,
        Err(fail) => {
            if !ffi::err_matches(exc_types::type_error()) {
                return Err(fail);
            }
            ffi::err_clear();
            return match reduce::call_with_star_args(func, args) {
                Err(fail) => Err(fail),
                Ok(_) => Err(ffi::raise(
                    exc_types::runtime_error(),
                    "a reduce value's arguments became iterable while copium planned the copy",
                )),
            };
        }
    };
    let mut items = Vec::new();
    while let Some(item) = ffi::iter_next(it.as_ptr())? {
        items.push(item);
    }
    ffi::tuple_from(items.into_iter())
}

/// The callable of a reduce value, resolved: `copyreg.__newobj__(cls, *args)` is
/// `cls.__new__(cls, *args)`, which for a heap class of metaclass `type` is the class's
/// `tp_new` (a Python `__new__` included: its slot calls it).
fn resolve(func: Owned, args: Args) -> R<Make> {
    if func.as_ptr() != known().newobj.as_ptr() {
        return Ok(Make::Call { func, args });
    }
    let first = match &args {
        Args::Same(t) if ffi::tuple_len(t.as_ptr()) > 0 => ffi::tuple_item(t.as_ptr(), 0),
        Args::Copied(items) => match items.first() {
            Some(Child::Same(o)) => o.as_ptr(),
            _ => return Ok(Make::Call { func, args }),
        },
        _ => return Ok(Make::Call { func, args }),
    };
    let type_type: *mut PyTypeObject = std::ptr::addr_of_mut!(pyo3_ffi::PyType_Type);
    let heap = ffi::type_of(first) == type_type
        && ffi::type_flags(first.cast()) & pyo3_ffi::Py_TPFLAGS_HEAPTYPE != 0;
    if !heap {
        return Ok(Make::Call { func, args });
    }
    let cls: *mut PyTypeObject = first.cast();
    // SAFETY: `cls` is a heap type, whose slots PyType_GetSlot reads.
    let slot = unsafe { pyo3_ffi::PyType_GetSlot(cls, pyo3_ffi::Py_tp_new) };
    if slot.is_null() {
        return Ok(Make::Call { func, args });
    }
    // SAFETY: a non-NULL Py_tp_new slot is a `newfunc`.
    let tp_new = unsafe { std::mem::transmute::<*mut std::ffi::c_void, objects::NewFunc>(slot) };
    let rest = match args {
        Args::Same(t) => {
            let n = ffi::tuple_len(t.as_ptr());
            // SAFETY: `t` is a live tuple; the slice bounds are clamped by CPython.
            Args::Same(ffi::owned(unsafe {
                pyo3_ffi::PyTuple_GetSlice(t.as_ptr(), 1, n)
            })?)
        }
        Args::Copied(mut items) => {
            items.remove(0);
            if items.iter().all(|c| matches!(c, Child::Same(_))) {
                let same = items.into_iter().map(|c| match c {
                    Child::Same(o) => o,
                    _ => unreachable!("checked above"),
                });
                Args::Same(ffi::tuple_from(same)?)
            } else {
                Args::Copied(items)
            }
        }
    };
    Ok(Make::New {
        cls: ffi::new_ref(first),
        tp_new,
        args: rest,
    })
}
