//! Build-time checks and cfgs: a clear message on too old a compiler or on an
//! impossible feature combination, plus pyo3's interpreter cfgs (`Py_3_x`,
//! `Py_LIMITED_API`) that `src/ffi/` uses to pick limited or fast code.

use rustc_version::{version, Version};

const MIN_RUSTC: (u64, u64) = (1, 83);

fn main() {
    let rustc = version().expect("could not determine the rustc version");
    if rustc < Version::new(MIN_RUSTC.0, MIN_RUSTC.1, 0) {
        panic!(
            "copium needs rustc >= {}.{} (stable); found {rustc}. Run `rustup update stable`.",
            MIN_RUSTC.0, MIN_RUSTC.1
        );
    }

    let abi3 = std::env::var_os("CARGO_FEATURE_ABI3").is_some();
    let fast = std::env::var_os("CARGO_FEATURE_FAST_PATHS").is_some();
    if abi3 && fast {
        panic!(
            "features `abi3` and `fast-paths` are exclusive: build the fast paths with \
             `--no-default-features --features fast-paths`"
        );
    }

    println!("cargo:rustc-check-cfg=cfg(copium_fast)");
    if fast {
        println!("cargo:rustc-cfg=copium_fast");
    }
    pyo3_build_config::use_pyo3_cfgs();
    embed_build_hash();
    println!("cargo:rerun-if-changed=build.rs");
}

/// The commit the extension was built from, for `copium.__about__`; "unknown" outside git
/// (an sdist build).
fn embed_build_hash() {
    let hash = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(hash) = hash {
        println!("cargo:rustc-env=COPIUM_BUILD_HASH={hash}");
    }
    // A commit moves the branch ref, not HEAD.
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
