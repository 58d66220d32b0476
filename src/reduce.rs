//! The reduce protocol, shared by deep and shallow copies: obtaining the reduce value
//! (`copyreg.dispatch_table`, `__reduce_ex__(4)`, `__reduce__`) and `_reconstruct` with every
//! legal shape of result: `(callable, args[, state[, listitems[, dictitems]]])`.

use crate::deepcopy::{Engine, Memo};
use crate::ffi::{self, exc_types, Owned, PyObject, PyTypeObject, R};
use crate::types::{self, statics};

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
        return ffi::call1(reductor.as_ptr(), s.four.as_ptr());
    }
    if let Some(reductor) = ffi::getattr_opt(x, s.names.reduce.as_ptr())? {
        if ffi::is_true(reductor.as_ptr())? {
            return ffi::call0(reductor.as_ptr());
        }
    }
    Err(types::raise_uncopyable(tp, deep))
}

pub fn as_tuple(obj: *mut PyObject) -> R<Owned> {
    if types::is_exact_tuple(obj) {
        Ok(ffi::new_ref(obj))
    } else {
        ffi::tuple_from_iterable(obj)
    }
}

/// Optional item `i` of a reduce tuple, `None` counting as absent.
pub fn optional(parts: *mut PyObject, i: isize) -> Option<*mut PyObject> {
    (i < ffi::tuple_len(parts))
        .then(|| ffi::tuple_item(parts, i))
        .filter(|p| *p != ffi::none())
}

/// `_reconstruct(x, memo, *rv)`.
pub fn reconstruct<P: Parts>(p: &mut P, key: &P::Key, rv: Owned) -> R<Owned> {
    let parts = as_tuple(rv.as_ptr())?;
    let n = ffi::tuple_len(parts.as_ptr());
    let max = if P::DEEP {
        5
    } else {
        crate::semantics::get().max_shallow_reduce_items
    };
    if !(2..=max).contains(&n) {
        return Err(ffi::raise(
            exc_types::type_error(),
            &format!(
                "__reduce__ must return a string or a tuple of 2 to 5 items \
                 (callable, args[, state[, listitems[, dictitems]]]), got {n} items"
            ),
        ));
    }
    let func = ffi::tuple_item(parts.as_ptr(), 0);
    let args = ffi::tuple_item(parts.as_ptr(), 1);

    let args = if P::DEEP && ffi::is_true(args)? {
        // Copied into a vector first: no half-filled tuple while user code runs.
        let src = as_tuple(args)?;
        let n = ffi::tuple_len(src.as_ptr());
        let copied = (0..n)
            .map(|i| p.part(ffi::tuple_item(src.as_ptr(), i)))
            .collect::<R<Vec<Owned>>>()?;
        ffi::tuple_from_vec(copied)?
    } else {
        as_tuple(args)?
    };
    let y = ffi::call_tuple(func, args.as_ptr())?;
    p.created(key, &y)?;

    if let Some(state) = optional(parts.as_ptr(), 2) {
        let state = p.part(state)?;
        set_state(y.as_ptr(), state.as_ptr())?;
    }
    if let Some(listitems) = optional(parts.as_ptr(), 3) {
        let append = if types::is_exact_list(y.as_ptr()) {
            None
        } else {
            Some(ffi::getattr(y.as_ptr(), statics().names.append.as_ptr())?)
        };
        let it = ffi::get_iter(listitems)?;
        while let Some(item) = ffi::iter_next(it.as_ptr())? {
            let item = p.part(item.as_ptr())?;
            match &append {
                None => ffi::list_append(y.as_ptr(), item.as_ptr())?,
                Some(f) => drop(ffi::call1(f.as_ptr(), item.as_ptr())?),
            }
        }
    }
    if let Some(dictitems) = optional(parts.as_ptr(), 4) {
        let it = ffi::get_iter(dictitems)?;
        while let Some(pair) = ffi::iter_next(it.as_ptr())? {
            let (k, v) = unpack2(pair.as_ptr())?;
            let k = p.part(k.as_ptr())?;
            let v = p.part(v.as_ptr())?;
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

/// `a, b = pair`, with the errors unpacking raises.
pub fn unpack2(pair: *mut PyObject) -> R<(Owned, Owned)> {
    if types::is_exact_tuple(pair) && ffi::tuple_len(pair) == 2 {
        return Ok((
            ffi::new_ref(ffi::tuple_item(pair, 0)),
            ffi::new_ref(ffi::tuple_item(pair, 1)),
        ));
    }
    let it = match ffi::get_iter(pair) {
        Ok(it) => it,
        Err(fail) => {
            if ffi::err_matches(exc_types::type_error()) {
                ffi::err_clear();
                let name = types::qualname_of(ffi::type_of(pair));
                return Err(ffi::raise(
                    exc_types::type_error(),
                    &format!("cannot unpack non-iterable {name} object"),
                ));
            }
            return Err(fail);
        }
    };
    let not_enough = |got: usize| {
        ffi::raise(
            exc_types::value_error(),
            &format!("not enough values to unpack (expected 2, got {got})"),
        )
    };
    let a = ffi::iter_next(it.as_ptr())?.ok_or_else(|| not_enough(0))?;
    let b = ffi::iter_next(it.as_ptr())?.ok_or_else(|| not_enough(1))?;
    if ffi::iter_next(it.as_ptr())?.is_some() {
        return Err(ffi::raise(
            exc_types::value_error(),
            "too many values to unpack (expected 2)",
        ));
    }
    Ok((a, b))
}
