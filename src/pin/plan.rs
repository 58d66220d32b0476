//! A copy plan: what `deepcopy(obj)` does, recorded once by the planner as the tree of object
//! visits in stdlib's order. A replay walks the same tree and performs only the building
//! steps, none of the decisions.
//!
//! * A child is an object copied as itself (`Same`: atomics, classes, enum members, tuples of
//!   such), the first visit of a node (`Node`), or a later visit of one (`Ref`), which is where
//!   stdlib's memo would have found the copy already made: sharing and cycles are resolved in
//!   advance, as node indices.
//! * A node records how its copy is built: containers from a template (a list or dict of
//!   everything copied as itself, with placeholders where copies go, cloned in one call and
//!   patched), instances as class + state, reduce values with their callables resolved, and
//!   the `__deepcopy__` methods that have to run again at every copy.
//!
//! Every node keeps its original alive, so its address stays unique: a replay that shares a
//! memo with other code (a hook's, or a deepcopy the pinned object is found in) keys that memo
//! by it, exactly as the engine would.

use crate::ffi::{Owned, Py_ssize_t};
use crate::objects::NewFunc;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

pub type NodeId = u32;

/// `Node::slot` of a node no later visit refers to.
pub const NO_SLOT: u32 = u32::MAX;

pub enum Child {
    /// Copied as itself (the object is not new in a copy).
    Same(Owned),
    /// The first visit of a node: built here.
    Node(NodeId),
    /// A later visit of a node: the copy made at its first visit (stdlib's memo hit).
    Ref(NodeId),
}

pub struct Node {
    /// The object this node copies (for a reduce value's parts: the part).
    pub original: Owned,
    /// Where a replay keeps this node's copy for the later visits that refer to it.
    pub slot: u32,
    pub kind: Kind,
}

pub enum Kind {
    /// Filled in once the node's children are planned.
    Pending,
    /// A new list: `template[:]`, then `(index, child)` copies written over placeholders.
    List {
        template: Owned,
        patches: Vec<(Py_ssize_t, Child)>,
    },
    /// A new dict whose keys are all copied as themselves: a clone of `template`, then the
    /// values that are copies set under their keys (in the original's order).
    Dict {
        template: Owned,
        /// Key, copy plan, and the key's entry position in the template (and in its clones).
        patches: Vec<(Owned, Child, Py_ssize_t)>,
    },
    /// A new dict filled item by item, `(key, value)`, each value copied before its key.
    DictItems {
        items: Vec<(Child, Child)>,
    },
    /// A new tuple of the copies of its items, or the original when every copy is its item;
    /// `recheck` is the copy the tuple itself got while its items were being copied (a cycle
    /// through the tuple), which is then the result.
    Tuple {
        items: Vec<Child>,
        recheck: Option<NodeId>,
    },
    /// The builtin frozendict (3.15+): always a new one.
    FrozenDict {
        items: Vec<(Child, Child)>,
        recheck: Option<NodeId>,
    },
    /// A new set or frozenset; `template` holds the items when every one is copied as itself.
    Set {
        frozen: bool,
        items: Vec<Child>,
        template: Option<Owned>,
    },
    ByteArray {
        data: Owned,
    },
    /// A bound method: `type(m)(m.__func__, copy of m.__self__)`.
    Method {
        func: Owned,
        bound: Child,
    },
    /// `_reconstruct`: an object made by a resolved callable, then given its state and items.
    Reduce(Box<Reduce>),
    /// A custom `__deepcopy__`, called at every copy with the memo.
    Hook {
        copier: Owned,
    },
    /// Another pin's plan, for an object that was pinned when this plan was made.
    Embedded {
        plan: Arc<Plan>,
    },
}

pub struct Reduce {
    pub make: Make,
    pub state: Option<Child>,
    /// The state is a dict no other visit refers to and the new object's class takes it as
    /// its instance dict (no `__setstate__`, the standard `__dict__`): a replay without a memo
    /// installs the copy as the instance dict instead of updating an empty one from it.
    pub direct_dict: bool,
    pub listitems: Vec<Child>,
    pub dictitems: Vec<(Child, Child)>,
}

pub enum Make {
    /// `copyreg.__newobj__(cls, *args)` (or a plain instance's `cls.__new__(cls)`), resolved
    /// to the class's own `tp_new`.
    New {
        cls: Owned,
        tp_new: NewFunc,
        args: Args,
    },
    /// `func(*args)`.
    Call { func: Owned, args: Args },
}

pub enum Args {
    /// The reduce value's own argument tuple (empty, or false, or every item copied as
    /// itself).
    Same(Owned),
    Copied(Vec<Child>),
}

pub struct Plan {
    pub root: Child,
    pub nodes: Vec<Node>,
    pub slots: u32,
    /// Some node runs a custom `__deepcopy__`, which receives the memo: replays keep one.
    pub hooks: bool,
    /// Some node is another pin's plan: replays keep a memo so that objects of its graph met
    /// again elsewhere are shared, as deepcopy's memo shares them.
    pub embedded: bool,
    /// Nodes built from the plan alone.
    pub planned: usize,
    /// Nodes whose copy calls code (a `__deepcopy__`, a reduce callable, a `__setstate__`).
    pub runs_code: usize,
    pub hits: AtomicU64,
    /// The pinned object.
    pub obj: Owned,
}

// SAFETY: a plan is never changed once made (its hit counter is atomic), and its Python
// references are cloned, read and released only by code holding the GIL (copium declares
// `gil_used`), which serializes every thread that uses a shared plan.
unsafe impl Send for Plan {}
// SAFETY: as above.
unsafe impl Sync for Plan {}

impl Plan {
    /// Whether a replay needs a memo (see `hooks` and `embedded`).
    pub fn needs_memo(&self) -> bool {
        self.hooks || self.embedded
    }

    pub fn node(&self, n: NodeId) -> &Node {
        &self.nodes[n as usize]
    }

    /// Every strong reference the plan owns, once each (for the garbage collector); plans of
    /// other pins inside it are entered only where this plan is their only owner.
    pub fn for_each_ref<E>(&self, f: &mut impl FnMut(&Owned) -> Result<(), E>) -> Result<(), E> {
        f(&self.obj)?;
        child_refs(&self.root, f)?;
        for node in &self.nodes {
            f(&node.original)?;
            match &node.kind {
                Kind::Pending => {}
                Kind::List { template, patches } => {
                    f(template)?;
                    for (_, c) in patches {
                        child_refs(c, f)?;
                    }
                }
                Kind::Dict { template, patches } => {
                    f(template)?;
                    for (k, c, _) in patches {
                        f(k)?;
                        child_refs(c, f)?;
                    }
                }
                Kind::DictItems { items } | Kind::FrozenDict { items, .. } => {
                    pair_refs(items, f)?;
                }
                Kind::Tuple { items, .. } => {
                    for c in items {
                        child_refs(c, f)?;
                    }
                }
                Kind::Set {
                    items, template, ..
                } => {
                    for c in items {
                        child_refs(c, f)?;
                    }
                    if let Some(t) = template {
                        f(t)?;
                    }
                }
                Kind::ByteArray { data } => f(data)?,
                Kind::Method { func, bound } => {
                    f(func)?;
                    child_refs(bound, f)?;
                }
                Kind::Reduce(r) => {
                    let (callable, args) = match &r.make {
                        Make::New { cls, args, .. } => (cls, args),
                        Make::Call { func, args } => (func, args),
                    };
                    f(callable)?;
                    match args {
                        Args::Same(t) => f(t)?,
                        Args::Copied(items) => {
                            for c in items {
                                child_refs(c, f)?;
                            }
                        }
                    }
                    if let Some(s) = &r.state {
                        child_refs(s, f)?;
                    }
                    for c in &r.listitems {
                        child_refs(c, f)?;
                    }
                    pair_refs(&r.dictitems, f)?;
                }
                Kind::Hook { copier } => f(copier)?,
                Kind::Embedded { plan } => {
                    if Arc::strong_count(plan) == 1 {
                        plan.for_each_ref(f)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn child_refs<E>(c: &Child, f: &mut impl FnMut(&Owned) -> Result<(), E>) -> Result<(), E> {
    match c {
        Child::Same(o) => f(o),
        Child::Node(_) | Child::Ref(_) => Ok(()),
    }
}

fn pair_refs<E>(
    items: &[(Child, Child)],
    f: &mut impl FnMut(&Owned) -> Result<(), E>,
) -> Result<(), E> {
    for (k, v) in items {
        child_refs(k, f)?;
        child_refs(v, f)?;
    }
    Ok(())
}
