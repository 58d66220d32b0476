#!/usr/bin/env bash
# Re-resolves requirements/*.in into the fully pinned requirements/*.txt that every other
# script installs. Run it after changing a pin in a .in file and commit both files.
# The resolution is universal (one file for every OS and every CPython from the floor
# up), so the .txt files carry environment markers instead of being per-interpreter.
# What runs inside the tested interpreters has the 3.9 floor; the build tools only run
# on the default interpreter and current abi3audit needs 3.10.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

uv="$(uv_bin)"

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
cd "$REQUIREMENTS_DIR"
for input in *.in; do
    case "$input" in
        build.in) floor=3.10 ;;
        *) floor="${SUPPORTED_MINORS[0]}" ;;
    esac
    log "resolving $input for CPython >= $floor"
    # Seeding the output with the current pins makes uv keep them unless they must move.
    if [ -f "${input%.in}.txt" ]; then cp "${input%.in}.txt" "$tmp"; else : >"$tmp"; fi
    "$uv" pip compile --quiet --universal --python-version "$floor" \
        --no-header --annotation-style line --output-file "$tmp" "$input"
    {
        printf '# Pinned from %s by wheelhouse-scripts/lock-requirements.sh: edit %s, not this file.\n' "$input" "$input"
        cat "$tmp"
    } >"${input%.in}.txt"
done
