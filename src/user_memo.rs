//! The caller's memo (`deepcopy(x, memo)`): a dict or any mapping, used through exactly the
//! operations stdlib's `copy.deepcopy` performs on it, so the caller sees the same contents.

use crate::deepcopy::Memo;
use crate::ffi::{self, exc_types, Owned, PyObject, R};
use crate::semantics::{self, MemoProbe};
use crate::types::{self, statics};

pub struct UserMemo {
    memo: *mut PyObject,
    exact_dict: bool,
    /// `id(memo)`, where the keepalive list lives.
    memo_id: Owned,
    /// The `_nil` sentinel of `memo.get(d, _nil)` (up to 3.14).
    nil: Owned,
}

impl UserMemo {
    /// `memo` must stay alive for the whole call (the caller's argument does).
    pub fn new(memo: *mut PyObject) -> R<Self> {
        Ok(UserMemo {
            memo,
            exact_dict: types::is_exact_dict(memo),
            memo_id: ffi::long_from_ptr(memo)?,
            nil: ffi::list_new_empty()?,
        })
    }

    /// `_keep_alive(x, memo)`.
    fn keep_alive(&mut self, x: *mut PyObject) -> R<()> {
        match ffi::getitem(self.memo, self.memo_id.as_ptr()) {
            Ok(list) => {
                if types::is_exact_list(list.as_ptr()) {
                    ffi::list_append(list.as_ptr(), x)
                } else {
                    let append = ffi::getattr(list.as_ptr(), statics().names.append.as_ptr())?;
                    ffi::call1(append.as_ptr(), x).map(drop)
                }
            }
            Err(fail) => {
                if !ffi::err_matches(exc_types::key_error()) {
                    return Err(fail);
                }
                ffi::err_clear();
                let list = ffi::list_new_empty()?;
                ffi::list_append(list.as_ptr(), x)?;
                ffi::setitem(self.memo, self.memo_id.as_ptr(), list.as_ptr())
            }
        }
    }
}

impl Memo for UserMemo {
    const NATIVE: bool = false;
    type Key = Owned;

    fn key(&self, x: *mut PyObject) -> R<Owned> {
        ffi::long_from_ptr(x)
    }

    fn lookup(&mut self, key: &Owned) -> R<Option<Owned>> {
        if self.exact_dict {
            // SAFETY: `memo` is a live dict; the borrowed result is incref'd at once.
            let p = unsafe { pyo3_ffi::PyDict_GetItemWithError(self.memo, key.as_ptr()) };
            if !p.is_null() {
                return Ok(Some(ffi::new_ref(p)));
            }
            // SAFETY: reading the current thread's error indicator.
            return if unsafe { pyo3_ffi::PyErr_Occurred() }.is_null() {
                Ok(None)
            } else {
                Err(ffi::Fail)
            };
        }
        match semantics::get().memo_probe {
            MemoProbe::Get => {
                let get = ffi::getattr(self.memo, statics().names.get.as_ptr())?;
                let y = ffi::call2(get.as_ptr(), key.as_ptr(), self.nil.as_ptr())?;
                Ok((y.as_ptr() != self.nil.as_ptr()).then_some(y))
            }
            MemoProbe::ContainsThenGetItem => {
                // SAFETY: both are live; `in` on a mapping, with its fallbacks.
                let found = unsafe { pyo3_ffi::PySequence_Contains(self.memo, key.as_ptr()) };
                ffi::status(found)?;
                if found == 0 {
                    return Ok(None);
                }
                ffi::getitem(self.memo, key.as_ptr()).map(Some)
            }
        }
    }

    fn recheck(&mut self, key: &Owned) -> R<Option<Owned>> {
        match ffi::getitem(self.memo, key.as_ptr()) {
            Ok(y) => Ok(Some(y)),
            Err(fail) => {
                if ffi::err_matches(exc_types::key_error()) {
                    ffi::err_clear();
                    Ok(None)
                } else {
                    Err(fail)
                }
            }
        }
    }

    fn store(&mut self, key: &Owned, y: &Owned) -> R<()> {
        ffi::setitem(self.memo, key.as_ptr(), y.as_ptr())
    }

    fn memoize(&mut self, x: *mut PyObject, key: &Owned, y: &Owned, _stored: bool) -> R<()> {
        self.store(key, y)?;
        self.keep_alive(x)
    }

    fn observable(&self) -> bool {
        true
    }

    fn call_deepcopy(&mut self, copier: *mut PyObject, _x: *mut PyObject) -> R<Owned> {
        ffi::call1(copier, self.memo)
    }
}
