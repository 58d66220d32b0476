#!/usr/bin/env bash
# Usage: install-rust.sh [COMPONENT...]
# Makes the pinned Rust toolchain the default one, with the given extra components
# (e.g. clippy rustfmt). Where the machine has no rustup yet (the manylinux and
# musllinux build containers, a bare runner image), rustup is installed first, into
# ~/.cargo. Used by the GitHub workflows and by cibuildwheel's Linux before-all, so
# every wheel and every lint run uses the same compiler. It changes rustup's default
# toolchain, so it is meant for CI machines and build containers, not a workstation.
#
# Deliberately self-contained (no common.sh): it runs inside build containers before
# anything else of the project is usable there.
set -euo pipefail

# The one pin of the compiler that builds release wheels and runs clippy in CI.
# The crate's floor (rust-version in Cargo.toml) is lower; this is what CI uses.
TOOLCHAIN=1.95.0

components=("$@")
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"

host_triple() {
    local arch
    arch="$(uname -m)"
    case "$arch" in
        arm64 | aarch64 | ARM64) arch=aarch64 ;;
        x86_64 | amd64 | AMD64) arch=x86_64 ;;
        *) echo "install-rust.sh: unsupported machine $arch" >&2 && exit 1 ;;
    esac
    case "$(uname -s)" in
        MINGW* | MSYS* | CYGWIN*) printf '%s-pc-windows-msvc\n' "$arch" ;;
        *) return 1 ;;
    esac
}

if ! command -v rustup >/dev/null 2>&1; then
    echo "install-rust.sh: no rustup; installing it with Rust $TOOLCHAIN" >&2
    if triple="$(host_triple)"; then
        installer="$(mktemp -d)/rustup-init.exe"
        curl --proto '=https' --tlsv1.2 -sSf -o "$installer" \
            "https://static.rust-lang.org/rustup/dist/$triple/rustup-init.exe"
        "$installer" -y --no-modify-path --profile minimal --default-toolchain "$TOOLCHAIN"
    else
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --no-modify-path --profile minimal --default-toolchain "$TOOLCHAIN"
    fi
fi

install=(rustup toolchain install "$TOOLCHAIN" --profile minimal)
if [ "${#components[@]}" -gt 0 ]; then
    install+=(--component "$(IFS=, && printf '%s' "${components[*]}")")
fi
"${install[@]}"
rustup default "$TOOLCHAIN"

# Later steps of a GitHub Actions job find cargo even where rustup was just installed.
# GITHUB_PATH wants a native path, so Git Bash's /c/... is converted on Windows.
if [ -n "${GITHUB_PATH:-}" ]; then
    if command -v cygpath >/dev/null 2>&1; then
        cygpath -w "$cargo_bin" >>"$GITHUB_PATH"
    else
        printf '%s\n' "$cargo_bin" >>"$GITHUB_PATH"
    fi
fi
rustc --version
