//! An owned strong reference that releases itself, so every error path drops what it holds.

use pyo3_ffi::PyObject;
use std::ptr::NonNull;

#[repr(transparent)]
pub struct Owned(NonNull<PyObject>);

impl Owned {
    /// Takes ownership of a new reference; `None` for NULL.
    ///
    /// # Safety
    /// `p` must be NULL or a strong reference the caller owns.
    #[inline(always)]
    pub unsafe fn from_new(p: *mut PyObject) -> Option<Owned> {
        NonNull::new(p).map(Owned)
    }

    #[inline(always)]
    pub fn as_ptr(&self) -> *mut PyObject {
        self.0.as_ptr()
    }

    /// The same reference as pyo3 sees it, for reporting it to the garbage collector.
    #[inline(always)]
    pub fn as_py(&self) -> &pyo3::Py<pyo3::PyAny> {
        // SAFETY: `Py<PyAny>` is `repr(transparent)` over `NonNull<PyObject>` (plus a
        // zero-sized marker), exactly like `Owned`; the borrow cannot outlive `self`.
        unsafe { &*(self as *const Owned).cast::<pyo3::Py<pyo3::PyAny>>() }
    }

    /// Gives the reference away (to a C API that steals it, or to a caller).
    #[inline(always)]
    pub fn into_ptr(self) -> *mut PyObject {
        let p = self.0.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Clone for Owned {
    fn clone(&self) -> Self {
        super::new_ref(self.as_ptr())
    }
}

impl Drop for Owned {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: we own one strong reference; the engine only runs with the GIL held.
        unsafe { super::decref(self.0.as_ptr()) }
    }
}
