#!/usr/bin/env bash
# Usage: audit-wheel.sh WHEEL abi3|fast-paths
# Fails unless the wheel is what its variant promises:
#   abi3        named copium-*-cp39-abi3-*.whl, and abi3audit --strict finds no symbol
#               outside the 3.9 limited API;
#   fast-paths  named for exactly one CPython (copium-*-cpXY-cpXY-*.whl).
# On Linux both must also pass `auditwheel show`: a manylinux tag consistent with the
# symbols the extension really links.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

wheel="${1:-}"
variant="${2:-}"
[ -f "$wheel" ] || die "usage: audit-wheel.sh WHEEL abi3|fast-paths"
name="$(basename "$wheel")"
tools_bin="$(dirname "$(tools_python)")"

case "$variant" in
    abi3)
        [[ "$name" == copium-*-cp39-abi3-*.whl ]] ||
            die "$name is not a cp39-abi3 wheel (expected copium-*-cp39-abi3-*.whl)"
        log "abi3audit --strict $name"
        "$tools_bin/abi3audit" --strict --verbose "$wheel" >&2 ||
            die "abi3audit found symbols outside the 3.9 limited API in $name"
        ;;
    fast-paths)
        [[ "$name" =~ ^copium-[^-]+-(cp3[0-9]+)-(cp3[0-9]+)-.+\.whl$ ]] &&
            [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
            die "$name is not a single-interpreter wheel (expected copium-*-cpXY-cpXY-*.whl)"
        ;;
    *) die "usage: audit-wheel.sh WHEEL abi3|fast-paths" ;;
esac

if [ "$(uname -s)" = "Linux" ]; then
    log "auditwheel show $name"
    report="$("$tools_bin/auditwheel" show "$wheel" 2>&1)" || {
        printf '%s\n' "$report" >&2
        die "auditwheel show failed on $name"
    }
    printf '%s\n' "$report" >&2
    # The report wraps lines; join them before reading the tag it settled on.
    [[ "$(tr '\n' ' ' <<<"$report")" =~ platform\ tag:\ \"manylinux_([0-9]+)_([0-9]+)_ ]] ||
        die "auditwheel: $name is not consistent with any manylinux tag"
    needed=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
    # The glibc the file name promises must be at least what the linked symbols need.
    [[ "$name" =~ manylinux_([0-9]+)_([0-9]+)_ ]] || die "$name carries no manylinux tag"
    claimed=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
    [ "$claimed" -ge "$needed" ] ||
        die "auditwheel: $name claims an older glibc than its symbols need"
fi
log "$name passed the $variant audit"
