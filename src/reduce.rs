//! The reduce protocol, shared by deep and shallow copies: obtaining the reduce value
//! (`copyreg.dispatch_table`, `__reduce_ex__(4)`, `__reduce__`) and `_reconstruct` with every
//! legal shape of result: `(callable, args[, state[, listitems[, dictitems]]])`.

use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, exc_types, Owned, PyObject, PyTypeObject, R};
use crate::types::{self, statics};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// How the parts of a reduce value are copied: deeply (through the engine and its memo) or
/// not at all (shallow copy).
pub trait Parts {
    const DEEP: bool;
    type Key;
    fn part(&mut self, obj: *mut PyObject) -> R<Owned>;
    /// Called as soon as the new object exists, before its state is set (cycles).
    fn created(&mut self, key: &Self::Key, y: &Owned) -> R<()>;
}

impl<M: Memo> Parts for Engine<M> {
    const DEEP: bool = true;
    type Key = M::Key;

    fn part(&mut self, obj: *mut PyObject) -> R<Owned> {
        self.deep(obj)
    }

    fn created(&mut self, key: &M::Key, y: &Owned) -> R<()> {
        self.memo.store(key, y)
    }
}

pub struct Shallow;

impl Parts for Shallow {
    const DEEP: bool = false;
    type Key = ();

    fn part(&mut self, obj: *mut PyObject) -> R<Owned> {
        Ok(ffi::new_ref(obj))
    }

    fn created(&mut self, _key: &(), _y: &Owned) -> R<()> {
        Ok(())
    }
}

/// The reduce value of `x`, or `copy.Error` when it has no way to be reduced.
pub fn reduce_value(x: *mut PyObject, tp: *mut PyTypeObject, deep: bool) -> R<Owned> {
    let s = statics();
    if let Some(reductor) = types::dispatch_table_get(tp)? {
        // deepcopy tests the reductor's truth, copy tests `is not None`.
        if !deep || ffi::is_true(reductor.as_ptr())? {
            return ffi::call1(reductor.as_ptr(), x);
        }
    }
    if let Some(reductor) = ffi::getattr_not_none(x, s.names.reduce_ex.as_ptr())? {
        if calls_class_reduce(reductor.as_ptr(), x, tp) {
            return ffi::call_method0(x, s.names.reduce.as_ptr());
        }
        return ffi::call1(reductor.as_ptr(), s.four.as_ptr());
    }
    if let Some(reductor) = ffi::getattr_opt(x, s.names.reduce.as_ptr())? {
        if ffi::is_true(reductor.as_ptr())? {
            return ffi::call0(reductor.as_ptr());
        }
    }
    Err(types::raise_uncopyable(tp, deep))
}

/// Would `reductor(4)` be `object.__reduce_ex__(x, 4)` finding that the class overrides
/// `__reduce__` with a function, so that all it does is return `x.__reduce__()`? Then that
/// call is made directly. `object.__reduce_ex__` tells an override by `getattr(cls,
/// "__reduce__")`, which for a class of the plain `type` metaclass whose MRO holds a
/// function is that function; `x.__reduce__` is found by the generic getattr.
fn calls_class_reduce(reductor: *mut PyObject, x: *mut PyObject, tp: *mut PyTypeObject) -> bool {
    let s = statics();
    let d = &s.defaults;
    if ffi::type_of(reductor) != d.bound_reduce_ex_t
        || ffi::c_function_self(reductor) != x
        || ffi::c_function_impl(reductor) != Some(d.reduce_ex_impl)
    {
        return false;
    }
    let plain_metaclass = ffi::type_of(tp.cast()) == &raw mut pyo3_ffi::PyType_Type;
    plain_metaclass
        && ffi::type_flags(tp) & pyo3_ffi::Py_TPFLAGS_HEAPTYPE != 0
        && crate::objects::generic_getattr(tp)
        && matches!(
            ffi::type_lookup(tp, s.names.reduce.as_ptr()),
            Ok(f) if !f.is_null() && ffi::type_of(f) == s.function_t
        )
}

pub fn as_tuple(obj: *mut PyObject) -> R<Owned> {
    if types::is_exact_tuple(obj) {
        Ok(ffi::new_ref(obj))
    } else {
        ffi::tuple_from_iterable(obj)
    }
}

/// A function of `copium._reconstruct_steps`: the steps of stdlib's `_reconstruct` that run as
/// Python code when the input is unusual, so that their errors are the interpreter's own.
fn python_step(cell: &'static PyOnceLock<Py<PyAny>>, name: &str) -> R<*mut PyObject> {
    // SAFETY: the engine only runs while attached to the interpreter (GIL held).
    let py = unsafe { Python::assume_attached() };
    match cell.import(py, "copium._reconstruct_steps", name) {
        // Borrowed from the cell, which keeps it for the life of the process.
        Ok(step) => Ok(step.as_ptr()),
        Err(e) => {
            e.restore(py);
            Err(ffi::Fail)
        }
    }
}

/// `_reconstruct(x, memo, *rv)`'s binding of the reduce value: `(func, args, state,
/// listiter, dictiter)`, plus `deepcopy` on 3.9. An exact tuple of a length stdlib accepts
/// is used as it is; anything else is bound in Python, which raises what stdlib raises.
pub fn reduce_parts<P: Parts>(rv: *mut PyObject) -> R<Owned> {
    static DEEP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static SHALLOW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let max = if P::DEEP {
        5
    } else {
        crate::semantics::get().max_shallow_reduce_items
    };
    if types::is_exact_tuple(rv) && (2..=max).contains(&ffi::tuple_len(rv)) {
        return Ok(ffi::new_ref(rv));
    }
    let none = ffi::none();
    if P::DEEP {
        // `memo` only takes part in the binding; any value does.
        let step = python_step(&DEEP, "reduce_parts_deep")?;
        ffi::call_tuple(
            step,
            ffi::tuple_from(
                [ffi::new_ref(none), ffi::new_ref(none), ffi::new_ref(rv)].into_iter(),
            )?
            .as_ptr(),
        )
    } else {
        let step = python_step(&SHALLOW, "reduce_parts_shallow")?;
        ffi::call2(step, none, rv)
    }
}

/// `func(*args)` for `args` that are not an exact tuple: Python words what can go wrong
/// after the call and the version (`X() argument after * must be an iterable, not int`).
pub fn call_with_star_args(func: *mut PyObject, args: *mut PyObject) -> R<Owned> {
    static CALL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    ffi::call2(python_step(&CALL, "call")?, func, args)
}

/// Optional item `i` of a reduce tuple, `None` counting as absent.
pub fn optional(parts: *mut PyObject, i: isize) -> Option<*mut PyObject> {
    (i < ffi::tuple_len(parts))
        .then(|| ffi::tuple_item(parts, i))
        .filter(|p| *p != ffi::none())
}

/// Deep copies of a reduce value's parts. On 3.9 a reduce value may have a 6th item, which
/// `_reconstruct` takes as the `deepcopy` function to copy the parts with: a non-callable one
/// fails as stdlib fails calling it; copium cannot call a callable one with the memo.
fn part<P: Parts>(
    p: &mut P,
    custom_deepcopy: Option<*mut PyObject>,
    obj: *mut PyObject,
) -> R<Owned> {
    match custom_deepcopy {
        None => p.part(obj),
        Some(f) => custom_part(f, obj),
    }
}

/// The copy of `obj` by a 3.9 reduce value's 6th item `f`.
pub fn custom_part(f: *mut PyObject, obj: *mut PyObject) -> R<Owned> {
    // SAFETY: `f` is a live object held by the reduce parts.
    if unsafe { pyo3_ffi::PyCallable_Check(f) } == 0 {
        return ffi::call2(f, obj, ffi::none());
    }
    Err(ffi::raise(
        exc_types::type_error(),
        "copium cannot use the 6th item of a reduce value (the deepcopy function \
         Python 3.9's copy._reconstruct accepts) to copy the other items",
    ))
}

/// `_reconstruct(x, memo, *rv)`.
pub fn reconstruct<P: Parts>(p: &mut P, key: &P::Key, rv: Owned) -> R<Owned> {
    let parts = reduce_parts::<P>(rv.as_ptr())?;
    let parts = parts.as_ptr();
    let func = ffi::tuple_item(parts, 0);
    let args = ffi::tuple_item(parts, 1);
    // Given (even as None) only on 3.9, whose `_reconstruct` has it as a positional parameter.
    let custom_deepcopy = (P::DEEP && ffi::tuple_len(parts) > 5).then(|| ffi::tuple_item(parts, 5));

    let y = if P::DEEP && ffi::is_true(args)? {
        let src = as_tuple(args)?;
        let n = ffi::tuple_len(src.as_ptr());
        let copied = (0..n)
            .map(|i| part(p, custom_deepcopy, ffi::tuple_item(src.as_ptr(), i)))
            .collect::<R<ffi::Items>>()?;
        ffi::call_tuple(func, ffi::tuple_from(copied.into_iter())?.as_ptr())?
    } else if types::is_exact_tuple(args) {
        ffi::call_tuple(func, args)?
    } else {
        call_with_star_args(func, args)?
    };
    p.created(key, &y)?;

    if let Some(state) = optional(parts, 2) {
        let state = if P::DEEP {
            part(p, custom_deepcopy, state)?
        } else {
            ffi::new_ref(state)
        };
        set_state(y.as_ptr(), state.as_ptr())?;
    }
    if let Some(listitems) = optional(parts, 3) {
        let mut append = Appender::default();
        let it = ffi::get_iter(listitems)?;
        while let Some(item) = ffi::iter_next(it.as_ptr())? {
            let item = if P::DEEP {
                part(p, custom_deepcopy, item.as_ptr())?
            } else {
                item
            };
            append.push(y.as_ptr(), item.as_ptr())?;
        }
    }
    if let Some(dictitems) = optional(parts, 4) {
        let it = ffi::get_iter(dictitems)?;
        while let Some(pair) = ffi::iter_next(it.as_ptr())? {
            let (k, v) = unpack2(pair.as_ptr())?;
            let (k, v) = if P::DEEP {
                let k = part(p, custom_deepcopy, k.as_ptr())?;
                (k, part(p, custom_deepcopy, v.as_ptr())?)
            } else {
                (k, v)
            };
            ffi::setitem(y.as_ptr(), k.as_ptr(), v.as_ptr())?;
        }
    }
    Ok(y)
}

/// `y.__setstate__(state)`, or `y.__dict__.update(state)` plus `setattr` of slot state.
pub fn set_state(y: *mut PyObject, state: *mut PyObject) -> R<()> {
    let names = &statics().names;
    if let Some(setstate) = ffi::getattr_opt(y, names.setstate.as_ptr())? {
        return ffi::call1(setstate.as_ptr(), state).map(drop);
    }
    let (dict_state, slot_state) = if types::is_tuple_instance(state) && ffi::tuple_len(state) == 2
    {
        (ffi::tuple_item(state, 0), ffi::tuple_item(state, 1))
    } else {
        (state, ffi::none())
    };
    if dict_state != ffi::none() {
        let dict = ffi::getattr(y, names.dict.as_ptr())?;
        if types::is_exact_dict(dict.as_ptr()) && types::is_exact_dict(dict_state) {
            // SAFETY: both are live dicts.
            ffi::status(unsafe { pyo3_ffi::PyDict_Update(dict.as_ptr(), dict_state) })?;
        } else {
            let update = ffi::getattr(dict.as_ptr(), names.update.as_ptr())?;
            ffi::call1(update.as_ptr(), dict_state)?;
        }
    }
    if slot_state != ffi::none() {
        let items = ffi::getattr(slot_state, names.items.as_ptr())?;
        let items = ffi::call0(items.as_ptr())?;
        let it = ffi::get_iter(items.as_ptr())?;
        while let Some(pair) = ffi::iter_next(it.as_ptr())? {
            let (k, v) = unpack2(pair.as_ptr())?;
            ffi::setattr(y, k.as_ptr(), v.as_ptr())?;
        }
    }
    Ok(())
}

/// `a, b = pair`: natively for an exact 2-tuple, else by Python, whose unpacking errors
/// (and their wording on this version) are stdlib's.
pub fn unpack2(pair: *mut PyObject) -> R<(Owned, Owned)> {
    static PAIR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let pair = if types::is_exact_tuple(pair) && ffi::tuple_len(pair) == 2 {
        ffi::new_ref(pair)
    } else {
        ffi::call1(python_step(&PAIR, "pair")?, pair)?
    };
    Ok((
        ffi::new_ref(ffi::tuple_item(pair.as_ptr(), 0)),
        ffi::new_ref(ffi::tuple_item(pair.as_ptr(), 1)),
    ))
}

/// `y.append(item)` for each of a reduce value's list items. `y.append` is looked up for each
/// item, after copying it, as stdlib does (an object without `append` is fine while there are
/// no items); found once, it is kept.
#[derive(Default)]
pub struct Appender {
    append: Option<Owned>,
}

impl Appender {
    pub fn push(&mut self, y: *mut PyObject, item: *mut PyObject) -> R<()> {
        if self.append.is_none() && types::is_exact_list(y) {
            return ffi::list_append(y, item);
        }
        let f = match &self.append {
            Some(f) => f.as_ptr(),
            None => self
                .append
                .insert(ffi::getattr(y, statics().names.append.as_ptr())?)
                .as_ptr(),
        };
        drop(ffi::call1(f, item)?);
        Ok(())
    }
}
