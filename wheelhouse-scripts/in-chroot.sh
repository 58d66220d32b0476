#!/usr/bin/env bash
# Usage: in-chroot.sh [--bind DIR]... -- COMMAND [ARGS...]
# Runs COMMAND inside the Debian-sid chroot that provision-pythons.sh makes (at
# $COPIUM_CHROOT_DIR, see common.sh), in a mount namespace of its own: /proc, a private
# /tmp, the host's DNS, CA bundle and pip settings, and each host DIR at the same path
# inside, so paths mean the same on both sides. The namespace ends with COMMAND, and its
# mounts with it: nothing stays mounted on the host, even when COMMAND is killed.
# Exits with COMMAND's status. Needs root (unshare, chroot).
#
# COMMAND gets the caller's environment, with PATH and TMPDIR set to the chroot's own.
# DIRs are bound parents first; one inside another DIR is already there and is skipped.
# A DIR whose place in the chroot holds files of the chroot itself (/usr, /etc, ...)
# is refused: binding it would hide the chroot's system. Mount points outside /tmp stay
# behind in the chroot as empty folders.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "${1:-}" = --in-namespace ]; then
    # Second stage, inside the new mount namespace (see the end of this script).
    shift
    binds=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        binds+=("$1")
        shift
    done
    shift
    root="$CHROOT_DIR"
    mount -t proc proc "$root/proc"
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
    for file in "${CHROOT_HOST_FILES[@]}"; do
        if [ -f "$file" ] && [ -f "$root$file" ]; then
            mount --bind -o ro "$file" "$root$file"
        fi
    done
    bound=()
    for dir in ${binds[@]+"${binds[@]}"}; do
        for parent in ${bound[@]+"${bound[@]}"}; do
            [[ "$dir/" == "$parent/"* ]] && continue 2
        done
        if [ -d "$root$dir" ] && [ -n "$(ls -A "$root$dir")" ]; then
            die "in-chroot.sh: will not bind $dir over the chroot's own $dir"
        fi
        mkdir -p "$root$dir"
        mount --bind "$dir" "$root$dir"
        bound+=("$dir")
    done
    exec env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/tmp \
        chroot "$root" "$@"
fi

binds=()
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
    [ "$1" = --bind ] && [ "$#" -ge 2 ] || die "usage: in-chroot.sh [--bind DIR]... -- COMMAND [ARGS...]"
    [ -d "$2" ] || die "in-chroot.sh: --bind $2: no such directory"
    dir="$(cd "$2" && pwd)"
    [ "$dir" != / ] || die "in-chroot.sh: will not bind / into the chroot"
    binds+=("$dir")
    shift 2
done
[ "$#" -ge 2 ] || die "usage: in-chroot.sh [--bind DIR]... -- COMMAND [ARGS...]"
chroot_complete || die "no complete chroot at $CHROOT_DIR (wheelhouse-scripts/provision-pythons.sh makes it)"
# Parents sort before their subfolders.
if [ "${#binds[@]}" -gt 0 ]; then
    mapfile -t binds < <(printf '%s\n' "${binds[@]}" | LC_ALL=C sort -u)
fi
# unshare's new mount namespace does not propagate its mounts back to the host.
exec unshare --mount --propagation private -- \
    bash "${BASH_SOURCE[0]}" --in-namespace ${binds[@]+"${binds[@]}"} "$@"
