# shellcheck shell=bash disable=SC2034  # the variables are used by the sourcing scripts
# Shared by every script in wheelhouse-scripts/: repository paths, interpreter discovery,
# venv helpers and logging. Source it; it defines functions and variables only.
#
# Environment it reads (all optional):
#   COPIUM_CACHE_DIR       where tool venvs, wheels and results live        [$REPO_ROOT/.cache]
#   COPIUM_TEST_VENVS_DIR  where the per-run test venvs live (outside the repository)
#                                                     [$TMPDIR/copium-test-venvs-<checkout id>]
#   COPIUM_DEFAULT_PYTHON  interpreter for tools and the fast-paths build  [CPython 3.11]
#   COPIUM_PYTHONS         minor versions to test, e.g. "3.11 3.13"         [3.9 ... 3.15]
#   COPIUM_CHROOT_DIR      the Debian-sid chroot of provision-pythons.sh [/var/cache/copium/debian-sid]
#   COPIUM_UV              the uv binary that installs venvs    [the one of requirements/lock.txt]
#   PYENV_ROOT             where pyenv keeps interpreters                   [`pyenv root`]

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPTS_DIR/.." && pwd)"
REQUIREMENTS_DIR="$SCRIPTS_DIR/requirements"
CACHE_DIR="${COPIUM_CACHE_DIR:-$REPO_ROOT/.cache}"
# Test venvs stay outside the checkout: the suite refuses a copium imported from anywhere
# under the repository root, and that must hold for the installed package too. The
# checkout id keeps two checkouts testing at once from sharing venvs.
TEST_VENVS_DIR="${COPIUM_TEST_VENVS_DIR:-${TMPDIR:-/tmp}/copium-test-venvs-$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)}"

# The versions the single abi3 wheel promises to work on.
SUPPORTED_MINORS=(3.9 3.10 3.11 3.12 3.13 3.14 3.15)
DEFAULT_MINOR=3.11

# Versions a host may lack (pyenv cannot build them without their sources) that Debian
# sid ships as binary packages: provision-pythons.sh puts them in a sid chroot here, and
# find_python finds them there. sid's binaries need sid's glibc, so they only run inside
# (in-chroot.sh). The chroot is a cache: outside the checkout, shared by checkouts.
CHROOT_MINORS=(3.14 3.15)
CHROOT_DIR="${COPIUM_CHROOT_DIR:-/var/cache/copium/debian-sid}"
CHROOT_SUITE=sid
CHROOT_MIRROR=http://deb.debian.org/debian
# Written last, once every interpreter in it has been seen to work.
CHROOT_STAMP=.copium-chroot-complete
# Host files the chroot reads in place of its own: name resolution, the CA bundle (which
# may hold a local CA) and pip's settings.
CHROOT_HOST_FILES=(/etc/resolv.conf /etc/ssl/certs/ca-certificates.crt /etc/pip.conf)

export PIP_DISABLE_PIP_VERSION_CHECK=1
# uv's downloads stay with the checkout's other caches, where the chroot sees them too.
export UV_CACHE_DIR="${UV_CACHE_DIR:-$CACHE_DIR/uv}"
export PYTHONDONTWRITEBYTECODE=1

# Colour only on a terminal, so CI logs stay plain text.
if [ -t 2 ]; then
    _bold=$'\033[1m' _yellow=$'\033[33m' _red=$'\033[31m' _plain=$'\033[0m'
else
    _bold="" _yellow="" _red="" _plain=""
fi
log() { printf '%s==> %s%s\n' "$_bold" "$*" "$_plain" >&2; }
warn() { printf '%swarning:%s %s\n' "$_yellow" "$_plain" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$_red" "$_plain" "$*" >&2
    exit 1
}

is_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

# An interpreter is named by a path on the host, or by "chroot:PATH" for one that
# find_python found inside the Debian-sid chroot (PATH is then a path inside it).
is_chroot_python() { [[ "$1" == chroot:* ]]; }

# with_python PYTHON COMMAND [ARGS...]: runs COMMAND where PYTHON runs, on the host or
# inside the chroot (with no folder of the host bound; in-chroot.sh binds some).
with_python() {
    local python="$1"
    shift
    if is_chroot_python "$python"; then
        bash "$SCRIPTS_DIR/in-chroot.sh" -- "$@"
    else
        "$@"
    fi
}

# Prints "3.11" for a working CPython interpreter; fails for anything else (PyPy,
# free-threaded builds, which cannot load abi3 extensions, or a broken shim).
python_minor() {
    with_python "$1" "${1#chroot:}" - <<'PY' 2>/dev/null
import sys, sysconfig
if sys.implementation.name != "cpython" or sysconfig.get_config_var("Py_GIL_DISABLED"):
    sys.exit(1)
print("%d.%d" % sys.version_info[:2])
PY
}

pyenv_root() {
    if [ -n "${PYENV_ROOT:-}" ]; then
        printf '%s\n' "$PYENV_ROOT"
    elif command -v pyenv >/dev/null 2>&1; then
        pyenv root
    else
        printf '%s\n' "$HOME/.pyenv"
    fi
}

# Release folders named exactly MINOR.N under PARENT (so no -dev or free-threaded "t"
# builds), newest first.
release_dirs() {
    local parent="$1" minor="$2" dir
    for dir in "$parent/$minor".*; do
        [[ "${dir##*/}" =~ ^${minor//./\\.}\.[0-9]+$ ]] && printf '%s\n' "$dir"
    done | sort -V -r
}

# The first CPython MINOR interpreter found in the folders read from stdin, in order:
# bin/python3 (POSIX layout) or python.exe (Windows layout) in each.
first_python_in() {
    local minor="$1" dir candidate
    while IFS= read -r dir; do
        for candidate in "$dir/bin/python3" "$dir/python.exe"; do
            if [ -x "$candidate" ] && [ "$(python_minor "$candidate")" = "$minor" ]; then
                printf '%s\n' "$candidate"
                return 0
            fi
        done
    done
    return 1
}

# find_python 3.11 -> path of the newest CPython 3.11.x, looked for in this order:
#   1. pyenv's release builds ($(pyenv root)/versions/3.11.N);
#   2. GitHub runners' tool cache, where actions/setup-python installs every version it
#      is asked for but puts only the last on PATH: $RUNNER_TOOL_CACHE/Python/3.11.N/ARCH/
#      holding python.exe on Windows and bin/python3 on macOS and Linux;
#   3. python3.11 on PATH;
#   4. for CHROOT_MINORS, /usr/bin/python3.X in a complete chroot (printed as
#      chroot:/usr/bin/python3.X; provision-pythons.sh makes the chroot).
find_python() {
    local minor="$1" cache candidate
    first_python_in "$minor" < <(release_dirs "$(pyenv_root)/versions" "$minor") && return 0
    if [ -n "${RUNNER_TOOL_CACHE:-}" ]; then
        cache="$RUNNER_TOOL_CACHE"
        # Git Bash on Windows sees C:\hostedtoolcache\windows; globs need /c/hostedtoolcache/windows.
        if command -v cygpath >/dev/null 2>&1; then cache="$(cygpath -u "$cache")"; fi
        first_python_in "$minor" < <(
            release_dirs "$cache/Python" "$minor" | while IFS= read -r dir; do
                # One folder per architecture (x64, arm64, x64-freethreaded, ...);
                # python_minor turns away free-threaded ones.
                for arch in "$dir"/*/; do
                    [ -d "$arch" ] && printf '%s\n' "${arch%/}"
                done
            done
        ) && return 0
    fi
    candidate="$(command -v "python$minor" 2>/dev/null || true)"
    if [ -n "$candidate" ] && [ "$(python_minor "$candidate")" = "$minor" ]; then
        printf '%s\n' "$candidate"
        return 0
    fi
    if [[ " ${CHROOT_MINORS[*]} " == *" $minor "* ]] && chroot_complete &&
        [ -x "$CHROOT_DIR/usr/bin/python$minor" ]; then
        printf 'chroot:/usr/bin/python%s\n' "$minor"
        return 0
    fi
    return 1
}

# The packages of the chroot: each interpreter with its venv module and its test
# package (Lib/test, where test_copy.py lives), and the CA bundle.
chroot_packages() {
    local minor packages=ca-certificates
    for minor in "${CHROOT_MINORS[@]}"; do
        packages+=",python$minor,python$minor-venv,libpython$minor-testsuite"
    done
    printf '%s\n' "$packages"
}

# What the chroot is made of; one made from another recipe counts as not made.
chroot_recipe() {
    printf '%s %s %s\n' "$CHROOT_SUITE" "$CHROOT_MIRROR" "$(chroot_packages)"
}

chroot_complete() {
    [ -f "$CHROOT_DIR/$CHROOT_STAMP" ] &&
        [ "$(head -n 1 "$CHROOT_DIR/$CHROOT_STAMP")" = "$(chroot_recipe)" ]
}

default_python() {
    if [ -n "${COPIUM_DEFAULT_PYTHON:-}" ]; then
        python_minor "$COPIUM_DEFAULT_PYTHON" >/dev/null ||
            die "COPIUM_DEFAULT_PYTHON=$COPIUM_DEFAULT_PYTHON is not a usable CPython"
        printf '%s\n' "$COPIUM_DEFAULT_PYTHON"
        return 0
    fi
    find_python "$DEFAULT_MINOR" ||
        die "no CPython $DEFAULT_MINOR found (pyenv: $(pyenv_root)/versions, or python$DEFAULT_MINOR on PATH)"
}

# The interpreter inside a venv: bin/python on POSIX, Scripts/python.exe on Windows.
venv_python() {
    if [ -x "$1/bin/python" ]; then
        printf '%s\n' "$1/bin/python"
    else
        printf '%s\n' "$1/Scripts/python.exe"
    fi
}

# Short content hash of files plus a salt, computed by Python so it is the same on
# every OS (no sha256sum vs shasum differences).
content_hash() {
    local py="$1" salt="$2"
    shift 2
    "$py" - "$salt" "$@" <<'PY'
import hashlib, sys
h = hashlib.sha256(sys.argv[1].encode())
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        h.update(f.read())
print(h.hexdigest()[:12])
PY
}

# in_chroot_with_caches [DIR...] -- COMMAND [ARGS...]: runs COMMAND inside the chroot
# (in-chroot.sh) seeing the checkout, the caches, the uv of requirements/lock.txt and each
# DIR, for a script that re-runs itself there. uv is resolved here, as the default
# interpreter that installs it does not run in the chroot; the cache is a separate mount in
# there, so uv copies instead of hard-linking across mounts.
in_chroot_with_caches() {
    local uv dir binds=()
    uv="$(uv_bin)" || return 1
    mkdir -p "$CACHE_DIR" "$UV_CACHE_DIR" || return 1
    for dir in "$REPO_ROOT" "$CACHE_DIR" "$UV_CACHE_DIR" "$(dirname "$(dirname "$uv")")"; do
        binds+=(--bind "$dir")
    done
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        binds+=(--bind "$1")
        shift
    done
    shift
    COPIUM_UV="$uv" COPIUM_CACHE_DIR="$CACHE_DIR" UV_LINK_MODE=copy \
        bash "$SCRIPTS_DIR/in-chroot.sh" "${binds[@]}" -- "$@"
}

# fresh_venv DIR PYTHON REQUIREMENTS [VENV_ARGS...] -> a new venv at DIR (`python -m venv
# VENV_ARGS...`) holding exactly the pinned requirements. Prints its interpreter.
# uv installs exactly the lines of the file (--no-deps), and `uv pip check` then fails if
# they miss a dependency, so nothing unpinned is fetched. Only the venv of lock.txt, which
# holds uv itself, is installed by pip. (Explicit returns: callers may run it where set -e
# is off, inside `if` or `$(...)`.)
fresh_venv() {
    local dir="$1" py="$2" requirements="$3" vpy uv
    shift 3
    rm -rf "$dir" || return 1
    "$py" -m venv "$@" "$dir" >&2 || return 1
    vpy="$(venv_python "$dir")"
    if [ "$requirements" = "$REQUIREMENTS_DIR/lock.txt" ]; then
        "$vpy" -m pip install --quiet -r "$requirements" >&2 || return 1
    else
        uv="$(uv_bin)" || return 1
        "$uv" pip install --quiet --python "$vpy" --no-deps -r "$requirements" >&2 || return 1
        "$uv" pip check --python "$vpy" >&2 || return 1
    fi
    printf '%s\n' "$vpy"
}

# cached_venv NAME PYTHON REQUIREMENTS -> a venv reused for as long as the requirements
# file and the interpreter stay the same; stale ones of the same NAME are removed.
# Prints its interpreter.
cached_venv() {
    local name="$1" py="$2" requirements="$3" key dir
    key="$(content_hash "$py" "$("$py" -c 'import sys; print(sys.version)')" "$requirements")" ||
        return 1
    dir="$CACHE_DIR/venvs/$name-$key"
    if [ ! -f "$dir/.complete" ]; then
        log "setting up the $name venv ($(basename "$requirements"))"
        mkdir -p "$CACHE_DIR/venvs"
        rm -rf "$CACHE_DIR/venvs/$name-"*
        fresh_venv "$dir" "$py" "$requirements" >/dev/null || return 1
        touch "$dir/.complete" || return 1
    fi
    venv_python "$dir"
}

# The venv holding maturin, abi3audit and auditwheel. Prints its interpreter.
tools_python() {
    cached_venv tools "$(default_python)" "$REQUIREMENTS_DIR/build.txt"
}

# The uv pinned in requirements/lock.txt, which installs every venv but its own. Where the
# default interpreter cannot run (inside the chroot), the caller passes it as COPIUM_UV.
uv_bin() {
    if [ -n "${COPIUM_UV:-}" ]; then
        printf '%s\n' "$COPIUM_UV"
        return 0
    fi
    local resolver
    resolver="$(cached_venv lock "$(default_python)" "$REQUIREMENTS_DIR/lock.txt")" || return 1
    printf '%s\n' "$(dirname "$resolver")/uv"
}
