#!/usr/bin/env bash
# Usage: provision-pythons.sh [MINOR...]
# Makes each CPython MINOR (default: every one of SUPPORTED_MINORS, 3.9-3.15) available to
# the test scripts and logs where each one is:
#   * one the host has (pyenv, the GitHub runners' tool cache, PATH: find_python in
#     common.sh) is used as it is;
#   * one of CHROOT_MINORS (3.14, 3.15) that the host lacks comes from Debian sid's binary
#     packages (python3.X, python3.X-venv and libpython3.X-testsuite, which holds
#     Lib/test/test_copy.py), installed by debootstrap into a minbase chroot at
#     $COPIUM_CHROOT_DIR [/var/cache/copium/debian-sid]. sid's binaries need sid's glibc,
#     so they run only inside the chroot (in-chroot.sh).
# Making the chroot takes a minute or two and needs root and a Debian host that reaches
# deb.debian.org (debootstrap is installed with apt-get if missing). It is made in a
# .partial folder next to it, checked (every interpreter runs and imports venv and
# test.test_copy), stamped, and only then moved into place; a complete chroot of the
# same recipe is reused, and anything else at its place (a half-made one, another
# recipe) is removed and made again. Deleting the folder makes the next run fetch
# current sid packages. Concurrent runs wait for each other (flock).
#
# Exits non-zero if any MINOR is still missing afterwards; test-all.sh decides whether
# that is an error (under CI=true it is) or a warning.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

minors=("$@")
[ "${#minors[@]}" -gt 0 ] || minors=("${SUPPORTED_MINORS[@]}")

# Fails (with the reason on stderr) if this machine cannot make the chroot.
can_make_chroot() {
    if [ "$(id -u)" != 0 ]; then
        warn "making the CPython chroot needs root (debootstrap, unshare, chroot)"
        return 1
    fi
    if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
        warn "making the CPython chroot needs a Debian host (apt-get, debootstrap)"
        return 1
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "apt-get install debootstrap"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q debootstrap >&2 ||
            { apt-get update -q >&2 && apt-get install -y -q debootstrap >&2; } || return 1
    fi
}

# Refuses to delete a folder with anything mounted below it (a chroot someone entered
# by hand): rm would go through the mount into the host's files.
remove_unmounted() {
    local dir="$1"
    [ -e "$dir" ] || return 0
    if awk -v dir="$dir/" 'index($2 "/", dir) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        warn "something is mounted under $dir; unmount it, then run this again"
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

make_chroot() {
    local partial="$CHROOT_DIR.partial" minor file started=$SECONDS
    remove_unmounted "$CHROOT_DIR" || return 1
    remove_unmounted "$partial" || return 1
    log "making the Debian $CHROOT_SUITE chroot for CPython ${CHROOT_MINORS[*]} at $CHROOT_DIR (a minute or two)"
    debootstrap --variant=minbase --include="$(chroot_packages)" \
        "$CHROOT_SUITE" "$partial" "$CHROOT_MIRROR" >&2 || return 1
    # Targets for the binds of in-chroot.sh, which keep these current at every entry.
    for file in "${CHROOT_HOST_FILES[@]}"; do
        if [ -f "$file" ]; then
            mkdir -p "$partial$(dirname "$file")" && cp "$file" "$partial$file" || return 1
        fi
    done
    # in-chroot.sh enters only a stamped chroot: stamp the partial one, check it through
    # in-chroot.sh itself, and move it into place only if every interpreter works.
    chroot_recipe >"$partial/$CHROOT_STAMP"
    for minor in "${CHROOT_MINORS[@]}"; do
        COPIUM_CHROOT_DIR="$partial" bash "$SCRIPTS_DIR/in-chroot.sh" -- "/usr/bin/python$minor" -c '
import sys, sysconfig, test.test_copy, venv
assert not sysconfig.get_config_var("Py_GIL_DISABLED")
print(sys.version.split()[0])' >>"$partial/$CHROOT_STAMP" || {
            warn "CPython $minor does not work in the new chroot at $partial"
            return 1
        }
    done
    mv "$partial" "$CHROOT_DIR" || return 1
    log "chroot ready after $((SECONDS - started)) s: CPython $(tail -n +2 "$CHROOT_DIR/$CHROOT_STAMP" | tr '\n' ' ')"
}

ensure_chroot() {
    mkdir -p "$(dirname "$CHROOT_DIR")"
    # One maker at a time; the others wait here, then find the chroot complete.
    exec 9>"$CHROOT_DIR.lock"
    flock 9
    chroot_complete || { can_make_chroot && make_chroot; }
    local status=$?
    exec 9>&-
    return "$status"
}

missing=()
tried_chroot=0
for minor in "${minors[@]}"; do
    [[ " ${SUPPORTED_MINORS[*]} " == *" $minor "* ]] ||
        die "$minor is not one of ${SUPPORTED_MINORS[*]}"
    if ! py="$(find_python "$minor")" && [ "$tried_chroot" -eq 0 ] &&
        [[ " ${CHROOT_MINORS[*]} " == *" $minor "* ]]; then
        tried_chroot=1
        ensure_chroot || warn "could not make the chroot at $CHROOT_DIR"
        py="$(find_python "$minor")" || true
    fi
    if [ -n "${py:-}" ]; then
        log "CPython $minor: $py"
    else
        missing+=("$minor")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    warn "no CPython ${missing[*]}"
    exit 1
fi
