//! Placeholder module while the engine is written; replaced by the real engine.
use pyo3::prelude::*;

#[pymodule]
fn _copium(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let copy = m.py().import("copy")?;
    m.add("deepcopy", copy.getattr("deepcopy")?)?;
    m.add("copy", copy.getattr("copy")?)?;
    m.add("Error", copy.getattr("Error")?)?;
    Ok(())
}
