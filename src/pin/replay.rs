//! Replaying a plan: the building steps of `deepcopy`, in its order, with every decision
//! already taken. Two ways to track the copies made:
//!
//! * [`Fast`], with no memo at all: a later visit finds the copy of its node in a slot the
//!   plan assigned. Used for a pin's own copies when no node hands a memo to code (no
//!   custom `__deepcopy__`, no other pin inside).
//! * [`Live`], on a memo: every node is looked up, stored and kept alive exactly where the
//!   engine would do it, so code that sees the memo (a `__deepcopy__`, the deepcopy the
//!   pinned object was found in) sees what it would see without the pin, and objects it
//!   copied itself are shared.
//!
//! Objects the plan copies as themselves are never looked up in a live memo: `deepcopy`
//! never stores them, so only code writing the memo by hand could map their ids to
//! something else.

use super::plan::{Args, Child, Kind, Make, Node, NodeId, Plan, Reduce, NO_SLOT};
use crate::deepcopy::Memo;
use crate::ffi::{self, exc_types, Owned, PyObject, Py_ssize_t, R};
use crate::half_made::OpenCopy;
use crate::native_memo::NativeMemo;
use crate::recursion::Depth;
use crate::reduce;
use crate::types;
use crate::user_memo::UserMemo;

/// How a replay keeps track of the copies it made.
pub trait Track {
    /// Whether this track consults a memo.
    const LIVE: bool;
    /// The memo's copy of a node's original, before the node is built.
    fn known(&mut self, node: &Node) -> R<Option<Owned>>;
    /// The copy a node's first visit made, for a later visit; `None` when that copy was
    /// not kept (the object copied as itself, which stdlib does not memoize).
    fn earlier(&mut self, node: &Node) -> Option<Owned>;
    /// A handler storing its new copy before copying the contents.
    fn stored(&mut self, node: &Node, y: &Owned) -> R<()>;
    /// The end of a node's visit (`memo[id(x)] = y; _keep_alive(x, memo)`); `root` is the
    /// end of the copy's outermost visit.
    fn done(&mut self, node: &Node, y: &Owned, stored: bool, root: bool) -> R<()>;
    /// The copy a tuple or frozendict got while its items were copied, if any.
    fn recheck(&mut self, node: &Node, target: Option<&Node>) -> R<Option<Owned>>;
    /// `copier(memo)` for a custom `__deepcopy__`.
    fn hook(&mut self, copier: *mut PyObject, x: *mut PyObject) -> R<Owned>;
    /// Another pin's plan, inside this one.
    fn embedded(&mut self, plan: &Plan) -> R<Owned>;
    /// Can Python code see the memo already? A list or dict is then built item by item.
    fn visible(&self) -> bool;
    /// The innermost list or dict being filled from its template (see `half_made`).
    fn open_top(&self) -> *const OpenCopy;
    fn set_open_top(&mut self, top: *const OpenCopy);
}

/// No memo: copies of nodes referred to again live in the plan's slots.
pub struct Fast {
    slots: Vec<Option<Owned>>,
}

impl Fast {
    fn new(slots: u32) -> Self {
        Fast {
            slots: (0..slots).map(|_| None).collect(),
        }
    }

    #[inline(always)]
    fn keep(&mut self, node: &Node, y: &Owned) {
        if node.slot != NO_SLOT {
            self.slots[node.slot as usize] = Some(y.clone());
        }
    }
}

impl Track for Fast {
    const LIVE: bool = false;

    #[inline(always)]
    fn known(&mut self, _node: &Node) -> R<Option<Owned>> {
        Ok(None)
    }

    #[inline(always)]
    fn earlier(&mut self, node: &Node) -> Option<Owned> {
        if node.slot == NO_SLOT {
            return None;
        }
        self.slots[node.slot as usize].clone()
    }

    #[inline(always)]
    fn stored(&mut self, node: &Node, y: &Owned) -> R<()> {
        self.keep(node, y);
        Ok(())
    }

    #[inline(always)]
    fn done(&mut self, node: &Node, y: &Owned, stored: bool, _root: bool) -> R<()> {
        if !stored && y.as_ptr() != node.original.as_ptr() {
            self.keep(node, y);
        }
        Ok(())
    }

    fn recheck(&mut self, _node: &Node, target: Option<&Node>) -> R<Option<Owned>> {
        Ok(target.and_then(|t| self.earlier(t)))
    }

    fn hook(&mut self, _copier: *mut PyObject, _x: *mut PyObject) -> R<Owned> {
        Err(ffi::raise(
            exc_types::runtime_error(),
            "copium internal error: a pin replayed a __deepcopy__ without a memo; please report it",
        ))
    }

    fn embedded(&mut self, plan: &Plan) -> R<Owned> {
        copy(plan)
    }

    /// No memo: no Python code can reach a half-made copy except through the collector.
    #[inline(always)]
    fn visible(&self) -> bool {
        false
    }

    #[inline(always)]
    fn open_top(&self) -> *const OpenCopy {
        std::ptr::null()
    }

    #[inline(always)]
    fn set_open_top(&mut self, _top: *const OpenCopy) {}
}

/// On a memo, exactly as the engine uses it.
pub struct Live<'m, M: Memo> {
    memo: &'m mut M,
}

impl<M: Memo> Track for Live<'_, M> {
    const LIVE: bool = true;

    #[inline]
    fn known(&mut self, node: &Node) -> R<Option<Owned>> {
        let key = self.memo.key(node.original.as_ptr())?;
        self.memo.lookup(&key)
    }

    #[inline]
    fn earlier(&mut self, _node: &Node) -> Option<Owned> {
        None
    }

    #[inline]
    fn stored(&mut self, node: &Node, y: &Owned) -> R<()> {
        let key = self.memo.key(node.original.as_ptr())?;
        self.memo.store(&key, y)
    }

    #[inline]
    fn done(&mut self, node: &Node, y: &Owned, stored: bool, root: bool) -> R<()> {
        let x = node.original.as_ptr();
        if y.as_ptr() == x || (root && !self.memo.observable()) {
            return Ok(());
        }
        let key = self.memo.key(x)?;
        self.memo.memoize(x, &key, y, stored)
    }

    fn recheck(&mut self, node: &Node, _target: Option<&Node>) -> R<Option<Owned>> {
        let key = self.memo.key(node.original.as_ptr())?;
        self.memo.recheck(&key)
    }

    fn hook(&mut self, copier: *mut PyObject, x: *mut PyObject) -> R<Owned> {
        self.memo.call_deepcopy(copier, x)
    }

    fn embedded(&mut self, plan: &Plan) -> R<Owned> {
        copy_within(plan, &mut *self.memo)
    }

    #[inline]
    fn visible(&self) -> bool {
        self.memo.observable()
    }

    #[inline]
    fn open_top(&self) -> *const OpenCopy {
        self.memo.open_top()
    }

    #[inline]
    fn set_open_top(&mut self, top: *const OpenCopy) {
        self.memo.set_open_top(top);
    }
}

struct Replay<'p, T: Track> {
    plan: &'p Plan,
    track: T,
    depth: Depth,
    /// The replay is the whole copy (not a part of a deepcopy the pinned object was found in).
    top: bool,
}

/// A copy from the plan, as `deepcopy(obj)` with no memo passed would make it.
pub fn copy(plan: &Plan) -> R<Owned> {
    if !plan.needs_memo() {
        return Replay::new(plan, Fast::new(plan.slots), true).run();
    }
    if crate::config::dict_memo() {
        let memo = ffi::dict_new()?;
        let mut memo = UserMemo::new(memo.as_ptr())?;
        return Replay::new(plan, Live { memo: &mut memo }, true).run();
    }
    let mut memo = NativeMemo::new();
    let result = Replay::new(plan, Live { memo: &mut memo }, true).run();
    memo.finish();
    result
}

/// The copy of the pinned object inside a deepcopy that found it, on that deepcopy's memo.
pub fn copy_within<M: Memo>(plan: &Plan, memo: &mut M) -> R<Owned> {
    Replay::new(plan, Live { memo }, false).run()
}

impl<'p, T: Track> Replay<'p, T> {
    fn new(plan: &'p Plan, track: T, top: bool) -> Self {
        Replay {
            plan,
            track,
            depth: Depth::new(),
            top,
        }
    }

    fn run(mut self) -> R<Owned> {
        let plan = self.plan;
        self.child(&plan.root)
    }

    #[inline]
    fn child(&mut self, c: &Child) -> R<Owned> {
        match c {
            Child::Same(o) => Ok(o.clone()),
            Child::Node(n) => self.visit(*n),
            Child::Ref(n) => {
                let plan = self.plan;
                if let Some(y) = self.track.earlier(plan.node(*n)) {
                    return Ok(y);
                }
                self.visit(*n)
            }
        }
    }

    fn visit(&mut self, n: NodeId) -> R<Owned> {
        let plan = self.plan;
        let node = plan.node(n);
        if T::LIVE {
            if let Some(y) = self.track.known(node)? {
                return Ok(y);
            }
        }
        self.depth.enter()?;
        let built = self.build(node);
        self.depth.leave();
        let (y, stored) = built?;
        let root = self.top && self.depth.level() == 0;
        self.track.done(node, &y, stored, root)?;
        Ok(y)
    }

    /// The node's copy; the flag says whether it was stored when it was created.
    fn build(&mut self, node: &'p Node) -> R<(Owned, bool)> {
        match &node.kind {
            Kind::List { template, patches } => self.list(node, template, patches),
            Kind::Dict { template, patches } => self.dict(node, template, patches),
            Kind::DictItems { items } => {
                let y = ffi::dict_with_capacity(items.len() as Py_ssize_t)?;
                self.track.stored(node, &y)?;
                self.items_into(items, y.as_ptr())?;
                Ok((y, true))
            }
            Kind::Tuple { items, recheck } => self.tuple(node, items, *recheck),
            Kind::FrozenDict { items, recheck } => {
                let y = ffi::dict_with_capacity(items.len() as Py_ssize_t)?;
                self.items_into(items, y.as_ptr())?;
                let target = recheck.map(|m| self.plan.node(m));
                if let Some(y) = self.track.recheck(node, target)? {
                    return Ok((y, false));
                }
                let frozendict = types::frozendict_type().cast();
                Ok((ffi::call1(frozendict, y.as_ptr())?, false))
            }
            Kind::Set {
                frozen,
                items,
                template,
            } => {
                let src = match template {
                    Some(t) => t.clone(),
                    None => {
                        let list = ffi::list_new_empty()?;
                        for c in items {
                            let item = self.child(c)?;
                            ffi::list_append(list.as_ptr(), item.as_ptr())?;
                        }
                        list
                    }
                };
                Ok((new_set(src.as_ptr(), *frozen)?, false))
            }
            Kind::ByteArray { data } => Ok((ffi::bytearray_copy(data.as_ptr())?, false)),
            Kind::Method { func, bound } => {
                let bound = self.child(bound)?;
                let method = ffi::type_of(node.original.as_ptr()).cast();
                Ok((ffi::call2(method, func.as_ptr(), bound.as_ptr())?, false))
            }
            Kind::Reduce(r) => self.reduce(node, r),
            Kind::Hook { copier } => {
                let y = self.track.hook(copier.as_ptr(), node.original.as_ptr())?;
                Ok((y, false))
            }
            Kind::Embedded { plan } => Ok((self.track.embedded(plan)?, false)),
            Kind::Pending => Err(ffi::raise(
                exc_types::runtime_error(),
                "copium internal error: an unfinished plan node; please report it",
            )),
        }
    }

    /// `template[:]`, then each copy written at its index. User code run meanwhile may reach
    /// the new list through the collector and resize it: each write checks the length it
    /// finds. Once Python code can see the memo, the list holds only what is done and the
    /// rest is appended item by item, as the engine does it (`half_made`).
    fn list(
        &mut self,
        node: &Node,
        template: &Owned,
        patches: &'p [(Py_ssize_t, Child)],
    ) -> R<(Owned, bool)> {
        let t = template.as_ptr();
        let n = ffi::list_len(t);
        let Some(&(first, _)) = patches.first() else {
            let y = ffi::list_slice(t, 0, n)?;
            self.track.stored(node, &y)?;
            return Ok((y, true));
        };
        let visible = self.track.visible();
        let y = ffi::list_slice(t, 0, if visible { first } else { n })?;
        self.track.stored(node, &y)?;
        if visible {
            self.append_from(y.as_ptr(), t, patches, first)?;
            return Ok((y, true));
        }
        // Inlined: the closure is part of the replay's recursion.
        self.filling(
            y.as_ptr(),
            false,
            #[inline(always)]
            |r, open| r.fill_list(y.as_ptr(), t, patches, open),
        )?;
        Ok((y, true))
    }

    /// As the engine's `filling`: `fill` runs with `copy` registered as open on the track.
    #[inline(always)]
    fn filling(
        &mut self,
        copy: *mut PyObject,
        is_dict: bool,
        fill: impl FnOnce(&mut Self, &OpenCopy) -> R<()>,
    ) -> R<()> {
        let open = OpenCopy::new(copy, is_dict, self.track.open_top());
        self.track.set_open_top(&open);
        let filled = fill(self, &open);
        self.track.set_open_top(open.below());
        filled
    }

    fn fill_list(
        &mut self,
        y: *mut PyObject,
        template: *mut PyObject,
        patches: &'p [(Py_ssize_t, Child)],
        open: &OpenCopy,
    ) -> R<()> {
        for (p, (i, c)) in patches.iter().enumerate() {
            open.copying(*i);
            let v = self.child(c)?;
            if open.settled() {
                ffi::list_append(y, v.as_ptr())?;
                return self.append_from(y, template, &patches[p + 1..], *i + 1);
            }
            if *i < ffi::list_len(y) {
                ffi::list_set(y, *i, v)?;
            } else {
                ffi::list_append(y, v.as_ptr())?;
            }
        }
        Ok(())
    }

    /// Appends the copy's items from index `from` on: the template's, or a patch's copy.
    fn append_from(
        &mut self,
        y: *mut PyObject,
        template: *mut PyObject,
        patches: &'p [(Py_ssize_t, Child)],
        from: Py_ssize_t,
    ) -> R<()> {
        let mut patches = patches.iter().peekable();
        for j in from..ffi::list_len(template) {
            match patches.next_if(|(i, _)| *i == j) {
                Some((_, c)) => {
                    let v = self.child(c)?;
                    ffi::list_append(y, v.as_ptr())?;
                }
                None => ffi::list_append(y, ffi::list_item(template, j))?,
            }
        }
        Ok(())
    }

    /// A clone of the template, then each copied value written at its entry; once Python
    /// code can see the memo, the rest item by item, as for a list (all of it, into a new
    /// dict of the right size, when it can from the start).
    fn dict(
        &mut self,
        node: &Node,
        template: &Owned,
        patches: &'p [(Owned, Child, Py_ssize_t)],
    ) -> R<(Owned, bool)> {
        let t = template.as_ptr();
        if !patches.is_empty() && self.track.visible() {
            let y = ffi::dict_with_capacity(ffi::dict_len(t))?;
            self.track.stored(node, &y)?;
            self.set_from(y.as_ptr(), t, patches, 0)?;
            return Ok((y, true));
        }
        let y = ffi::dict_copy(t)?;
        self.track.stored(node, &y)?;
        if patches.is_empty() {
            return Ok((y, true));
        }
        ffi::dict_track(y.as_ptr());
        self.filling(
            y.as_ptr(),
            true,
            #[inline(always)]
            |r, open| r.fill_dict(y.as_ptr(), t, patches, open),
        )?;
        Ok((y, true))
    }

    fn fill_dict(
        &mut self,
        y: *mut PyObject,
        template: *mut PyObject,
        patches: &'p [(Owned, Child, Py_ssize_t)],
        open: &OpenCopy,
    ) -> R<()> {
        for (p, (k, c, pos)) in patches.iter().enumerate() {
            open.copying(*pos);
            let v = self.child(c)?;
            if open.settled() {
                ffi::dict_set(y, k.as_ptr(), v.as_ptr())?;
                return self.set_from(y, template, &patches[p + 1..], *pos);
            }
            ffi::dict_replace(y, *pos, k.as_ptr(), v)?;
        }
        Ok(())
    }

    /// Sets the template's entries after position `pos` in order: the template's value, or a
    /// patch's copy. (Every key is copied as itself.)
    fn set_from(
        &mut self,
        y: *mut PyObject,
        template: *mut PyObject,
        patches: &'p [(Owned, Child, Py_ssize_t)],
        mut pos: Py_ssize_t,
    ) -> R<()> {
        let mut patches = patches.iter().peekable();
        while let Some((k, v)) = ffi::dict_next(template, &mut pos) {
            let k = ffi::new_ref(k);
            match patches.next_if(|(pk, _, _)| pk.as_ptr() == k.as_ptr()) {
                Some((_, c, _)) => {
                    let v = self.child(c)?;
                    ffi::dict_set(y, k.as_ptr(), v.as_ptr())?;
                }
                None => ffi::dict_set(y, k.as_ptr(), v)?,
            }
        }
        Ok(())
    }

    /// `y[copy(k)] = copy(v)` for each item, the value copied first.
    fn items_into(&mut self, items: &'p [(Child, Child)], y: *mut PyObject) -> R<()> {
        for (k, v) in items {
            let v = self.child(v)?;
            let k = self.child(k)?;
            ffi::dict_set(y, k.as_ptr(), v.as_ptr())?;
        }
        Ok(())
    }

    /// The items' copies, built into a tuple only once they all exist (code run meanwhile must
    /// never meet a tuple with empty slots); the original when every copy is its item.
    fn tuple(
        &mut self,
        node: &Node,
        items: &'p [Child],
        recheck: Option<NodeId>,
    ) -> R<(Owned, bool)> {
        let x = node.original.as_ptr();
        let mut copies = ffi::Items::new();
        if copies.try_reserve_exact(items.len()).is_err() {
            // SAFETY: sets MemoryError on the current thread, which holds the GIL.
            unsafe { pyo3_ffi::PyErr_NoMemory() };
            return Err(ffi::Fail);
        }
        let mut differs = false;
        for (i, c) in items.iter().enumerate() {
            let y = self.child(c)?;
            differs |= y.as_ptr() != ffi::tuple_item(x, i as Py_ssize_t);
            copies.push(y);
        }
        let target = recheck.map(|m| self.plan.node(m));
        if let Some(y) = self.track.recheck(node, target)? {
            return Ok((y, false));
        }
        if differs {
            Ok((ffi::tuple_from(copies.into_iter())?, false))
        } else {
            Ok((ffi::new_ref(x), false))
        }
    }

    fn args(&mut self, args: &'p Args) -> R<Owned> {
        match args {
            Args::Same(t) => Ok(t.clone()),
            Args::Copied(items) => {
                let copies = items
                    .iter()
                    .map(|c| self.child(c))
                    .collect::<R<ffi::Items>>()?;
                ffi::tuple_from(copies.into_iter())
            }
        }
    }

    /// `_reconstruct` with the callable resolved: the new object is stored as soon as it
    /// exists, then given its state, its list items and its dict items.
    fn reduce(&mut self, node: &Node, r: &'p Reduce) -> R<(Owned, bool)> {
        let y = match &r.make {
            Make::New { cls, tp_new, args } => {
                let args = self.args(args)?;
                // SAFETY: `tp_new` is `cls`'s own slot, called as `cls.__new__(cls, *args)`
                // calls it: the class, an argument tuple and no keywords.
                ffi::owned(unsafe {
                    tp_new(cls.as_ptr().cast(), args.as_ptr(), std::ptr::null_mut())
                })?
            }
            Make::Call { func, args } => {
                let args = self.args(args)?;
                ffi::call_tuple(func.as_ptr(), args.as_ptr())?
            }
        };
        self.track.stored(node, &y)?;
        if let Some(state) = &r.state {
            match state {
                Child::Node(d) if r.direct_dict && !T::LIVE => {
                    let dict = self.visit(*d)?;
                    // SAFETY: `y` is a new instance of a class with the standard `__dict__`
                    // (checked when the plan was made) and `dict` a new dict of its state.
                    ffi::status(unsafe {
                        pyo3_ffi::PyObject_GenericSetDict(
                            y.as_ptr(),
                            dict.as_ptr(),
                            std::ptr::null_mut(),
                        )
                    })?;
                }
                _ => {
                    let state = self.child(state)?;
                    reduce::set_state(y.as_ptr(), state.as_ptr())?;
                }
            }
        }
        let mut append = reduce::Appender::default();
        for c in &r.listitems {
            let item = self.child(c)?;
            append.push(y.as_ptr(), item.as_ptr())?;
        }
        for (k, v) in &r.dictitems {
            let k = self.child(k)?;
            let v = self.child(v)?;
            ffi::setitem(y.as_ptr(), k.as_ptr(), v.as_ptr())?;
        }
        Ok((y, true))
    }
}

/// A new set, or frozenset, of the items of `src` (a set or a list).
fn new_set(src: *mut PyObject, frozen: bool) -> R<Owned> {
    if !frozen {
        // SAFETY: `src` is a live iterable of hashable items.
        return ffi::owned(unsafe { pyo3_ffi::PySet_New(src) });
    }
    // SAFETY: `src` is a live set or list; reading its size calls no code.
    let empty = unsafe { pyo3_ffi::PyObject_Size(src) } == 0;
    if empty {
        // Through the type, as stdlib's reduce path does: on 3.9 an empty result is the
        // shared empty frozenset.
        return ffi::call1(types::frozenset_type().cast(), src);
    }
    // SAFETY: `src` is a live iterable of hashable items.
    ffi::owned(unsafe { pyo3_ffi::PyFrozenSet_New(src) })
}
