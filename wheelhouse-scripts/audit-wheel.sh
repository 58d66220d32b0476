#!/usr/bin/env bash
# Usage: audit-wheel.sh WHEEL abi3|fast-paths
# Fails unless the wheel is what its variant promises:
#   abi3        named copium-*-cp39-abi3-*.whl, and abi3audit --strict finds no symbol
#               outside the 3.9 limited API;
#   fast-paths  named for exactly one CPython (copium-*-cpXY-cpXY-*.whl).
# On Linux both must also pass `auditwheel show`: a manylinux (glibc) or musllinux tag
# consistent with the symbols the extension really links. Both must then hold exactly
# the files a copium wheel should (wheel-contents.py).
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
    # manylinux promises a glibc version, musllinux a musl version: the tag auditwheel
    # settles on and the one in the file name must be of the same family.
    [[ "$name" =~ (manylinux|musllinux)_([0-9]+)_([0-9]+)_ ]] ||
        die "$name carries no manylinux or musllinux tag"
    family="${BASH_REMATCH[1]}"
    claimed=$((BASH_REMATCH[2] * 1000 + BASH_REMATCH[3]))
    # The report wraps lines; join them before reading the tag it settled on.
    [[ "$(tr '\n' ' ' <<<"$report")" =~ platform\ tag:\ \"${family}_([0-9]+)_([0-9]+)_ ]] ||
        die "auditwheel: $name is not consistent with any $family tag"
    needed=$((BASH_REMATCH[1] * 1000 + BASH_REMATCH[2]))
    # The libc version the file name promises must be at least what the linked symbols need.
    [ "$claimed" -ge "$needed" ] ||
        die "auditwheel: $name claims an older $family libc than its symbols need"
fi

# What is inside: the package files byte for byte, one extension of the variant, the
# metadata (standard library only, so the tools venv's interpreter runs it).
"$tools_bin/python" "$SCRIPTS_DIR/wheel-contents.py" "$wheel" "$variant"
log "$name passed the $variant audit"
