//! The hot entry points `deepcopy` and `copy`, defined as raw C functions rather than through
//! pyo3's wrappers: an abi3-py39 build would otherwise pay for an argument tuple and generic
//! keyword parsing on every call, which dwarfs copying a small object.
//!
//! `deepcopy` uses the vectorcall convention (`METH_FASTCALL | METH_KEYWORDS`, limited API
//! from 3.10) when the running interpreter offers it, and `METH_VARARGS | METH_KEYWORDS` on
//! 3.9; `copy` takes one positional argument (`METH_O`).

use crate::deepcopy as engine;
use crate::ffi::{self, exc_types, Owned, PyObject, Py_ssize_t, R};
use crate::shallow;
use pyo3::prelude::*;
use pyo3_ffi as pf;
use std::ffi::CStr;
use std::os::raw::c_int;
use std::ptr;

const DEEPCOPY_DOC: &CStr = c"deepcopy($module, x, memo=None)
--

Deep copy operation on arbitrary Python objects, with the semantics of copy.deepcopy.

Without memo, copium keeps its memo natively; a custom __deepcopy__ then receives a
copium.memo mapping. With memo (a dict or any mapping), every lookup and store happens
on it as copy.deepcopy would do them.";

const COPY_DOC: &CStr = c"copy($module, x, /)
--

Shallow copy operation on arbitrary Python objects, with the semantics of copy.copy.";

/// Runs `f`, turning its result into a C return value; a panic becomes a Python exception
/// instead of unwinding into the interpreter.
fn guarded(f: impl FnOnce() -> R<Owned>) -> *mut PyObject {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(obj)) => obj.into_ptr(),
        Ok(Err(ffi::Fail)) => ptr::null_mut(),
        Err(_) => {
            ffi::raise(
                exc_types::runtime_error(),
                "copium internal error (a Rust panic); please report it",
            );
            ptr::null_mut()
        }
    }
}

fn run_deepcopy(x: *mut PyObject, memo: *mut PyObject) -> R<Owned> {
    if memo.is_null() || memo == ffi::none() {
        engine::deepcopy_native(x)
    } else {
        engine::deepcopy_with_memo(x, memo)
    }
}

fn type_error(msg: &str) -> ffi::Fail {
    ffi::raise(exc_types::type_error(), msg)
}

fn is_name(name: *mut PyObject, expected: &CStr) -> bool {
    // SAFETY: `name` is a str from a kwnames tuple or a kwargs dict; comparing reads it only.
    unsafe { pf::PyUnicode_CompareWithASCIIString(name, expected.as_ptr()) == 0 }
}

/// Binds `deepcopy(x, memo=None)` arguments given positionally and by name.
struct Args {
    x: *mut PyObject,
    memo: *mut PyObject,
}

impl Args {
    fn positional(args: &[*mut PyObject]) -> R<Args> {
        if args.len() > 2 {
            return Err(type_error(&format!(
                "deepcopy() takes from 1 to 2 positional arguments but {} were given",
                args.len()
            )));
        }
        Ok(Args {
            x: args.first().copied().unwrap_or(ptr::null_mut()),
            memo: args.get(1).copied().unwrap_or(ptr::null_mut()),
        })
    }

    fn keyword(&mut self, name: *mut PyObject, value: *mut PyObject) -> R<()> {
        let slot = if is_name(name, c"x") {
            &mut self.x
        } else if is_name(name, c"memo") {
            &mut self.memo
        } else {
            return Err(type_error(&format!(
                "deepcopy() got an unexpected keyword argument '{}'",
                ffi::to_display(name)
            )));
        };
        if !slot.is_null() {
            return Err(type_error(&format!(
                "deepcopy() got multiple values for argument '{}'",
                ffi::to_display(name)
            )));
        }
        *slot = value;
        Ok(())
    }

    fn call(self) -> R<Owned> {
        if self.x.is_null() {
            return Err(type_error(
                "deepcopy() missing 1 required positional argument: 'x'",
            ));
        }
        run_deepcopy(self.x, self.memo)
    }
}

unsafe extern "C" fn deepcopy_fastcall(
    _module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    guarded(|| {
        if kwnames.is_null() && nargs == 1 {
            // SAFETY: the interpreter passes `nargs` live arguments.
            return run_deepcopy(unsafe { *args }, ptr::null_mut());
        }
        let nkw = if kwnames.is_null() {
            0
        } else {
            ffi::tuple_len(kwnames)
        };
        // SAFETY: the interpreter passes `nargs` positional then `nkw` keyword values.
        let all = unsafe { std::slice::from_raw_parts(args, (nargs + nkw) as usize) };
        let mut bound = Args::positional(&all[..nargs as usize])?;
        for (i, value) in all[nargs as usize..].iter().enumerate() {
            bound.keyword(ffi::tuple_item(kwnames, i as Py_ssize_t), *value)?;
        }
        bound.call()
    })
}

unsafe extern "C" fn deepcopy_varargs(
    _module: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    guarded(|| {
        let n = ffi::tuple_len(args);
        let positional: Vec<*mut PyObject> = (0..n).map(|i| ffi::tuple_item(args, i)).collect();
        let mut bound = Args::positional(&positional)?;
        if !kwargs.is_null() {
            let mut pos = 0;
            while let Some((k, v)) = ffi::dict_next(kwargs, &mut pos) {
                bound.keyword(k, v)?;
            }
        }
        bound.call()
    })
}

/// The stdlib `copy.deepcopy(x, memo=None[, _nil=[]])` bound as Python binds it: `None` when
/// the arguments do not fit its parameters (the function's own entry point then raises the
/// interpreter's exact error). `_nil` is accepted and unused, as the trampoline does.
fn bind_stdlib(
    args: &[*mut PyObject],
    nargs: usize,
    kwnames: *mut PyObject,
    parameters: usize,
) -> Option<(*mut PyObject, *mut PyObject)> {
    const NAMES: [&CStr; 3] = [c"x", c"memo", c"_nil"];
    if nargs > parameters {
        return None;
    }
    let mut bound = [ptr::null_mut(); 3];
    bound[..nargs].copy_from_slice(&args[..nargs]);
    for (i, value) in args[nargs..].iter().enumerate() {
        let name = ffi::tuple_item(kwnames, i as Py_ssize_t);
        let slot = NAMES[..parameters].iter().position(|n| is_name(name, n))?;
        if !bound[slot].is_null() {
            return None;
        }
        bound[slot] = *value;
    }
    (!bound[0].is_null()).then_some((bound[0], bound[1]))
}

/// The entry point the stdlib `copy.deepcopy` function object gets from `copium.patch` where
/// the interpreter allows it (see `patch.rs`): its calls run copium directly.
pub unsafe extern "C" fn patched_deepcopy(
    callable: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let nargs = ffi::vectorcall_nargs(nargsf) as usize;
    if kwnames.is_null() && nargs == 1 {
        // SAFETY: the interpreter passes `nargs` live arguments.
        return guarded(|| run_deepcopy(unsafe { *args }, ptr::null_mut()));
    }
    let nkw = if kwnames.is_null() {
        0
    } else {
        ffi::tuple_len(kwnames) as usize
    };
    // SAFETY: the interpreter passes `nargs` positional then `nkw` keyword values.
    let all = unsafe { std::slice::from_raw_parts(args, nargs + nkw) };
    match bind_stdlib(all, nargs, kwnames, crate::patch::parameters()) {
        Some((x, memo)) => guarded(|| run_deepcopy(x, memo)),
        // SAFETY: the function's own entry point, called exactly as it would have been; it
        // raises the argument error before running any of the function's code.
        None => match crate::patch::original() {
            Some(own) => unsafe { own(callable, args, nargsf, kwnames) },
            None => {
                ffi::raise(exc_types::type_error(), "deepcopy(): invalid arguments");
                ptr::null_mut()
            }
        },
    }
}

unsafe extern "C" fn copy_one(_module: *mut PyObject, x: *mut PyObject) -> *mut PyObject {
    guarded(|| shallow::copy(x))
}

fn leak_def(
    name: &'static CStr,
    meth: pf::PyMethodDefPointer,
    flags: c_int,
    doc: &'static CStr,
) -> *mut pf::PyMethodDef {
    Box::leak(Box::new(pf::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: meth,
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }))
}

fn add(m: &Bound<'_, PyModule>, def: *mut pf::PyMethodDef, name: &str) -> PyResult<()> {
    let py = m.py();
    let module_name = m.name()?;
    // SAFETY: `def` lives forever (leaked) and describes a function with a matching
    // calling convention; the module and its name are live.
    let func = unsafe {
        let f = pf::PyCMethod_New(def, m.as_ptr(), module_name.as_ptr(), ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, f)?
    };
    m.add(name, func)
}

pub fn register(m: &Bound<'_, PyModule>, fastcall: bool) -> PyResult<()> {
    let deepcopy = if fastcall {
        type Fast = unsafe extern "C" fn(
            *mut PyObject,
            *const *mut PyObject,
            Py_ssize_t,
            *mut PyObject,
        ) -> *mut PyObject;
        let f: Fast = deepcopy_fastcall;
        // SAFETY: the interpreter calls it with the FASTCALL|KEYWORDS signature, as flagged.
        let meth = pf::PyMethodDefPointer {
            PyCFunction: unsafe { std::mem::transmute::<Fast, pf::PyCFunction>(f) },
        };
        leak_def(
            c"deepcopy",
            meth,
            ffi::METH_FASTCALL | pf::METH_KEYWORDS,
            DEEPCOPY_DOC,
        )
    } else {
        let meth = pf::PyMethodDefPointer {
            PyCFunctionWithKeywords: deepcopy_varargs,
        };
        leak_def(
            c"deepcopy",
            meth,
            pf::METH_VARARGS | pf::METH_KEYWORDS,
            DEEPCOPY_DOC,
        )
    };
    add(m, deepcopy, "deepcopy")?;
    let copy = leak_def(
        c"copy",
        pf::PyMethodDefPointer {
            PyCFunction: copy_one,
        },
        pf::METH_O,
        COPY_DOC,
    );
    add(m, copy, "copy")
}
