#!/usr/bin/env bash
# Usage: check-workflows.sh
# Static checks of the release machinery, all offline, with the tools pinned in
# requirements/release.txt:
#   1. every workflow validates against GitHub's workflow JSON schema, and
#      .github/dependabot.yml against Dependabot's (check-jsonschema);
#   2. zizmor --offline finds nothing in either (pinned actions, permissions,
#      credentials, injection, update cooldown);
#   3. actionlint, with shellcheck on every `run:` script, finds nothing;
#   4. every wheelhouse-scripts/ file the workflows and pyproject.toml run exists;
#   5. cibuildwheel selects exactly one build per platform/arch (cp39, and cp311 on
#      Windows ARM64, see pyproject.toml), and cibuildwheel.sh tests that wheel on
#      CPython 3.9-3.15 (3.11-3.15 on Windows ARM64), with no free-threaded interpreter.
# Runs every check and reports each; exits non-zero if any failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

tools="$(cached_venv release "$(default_python)" "$REQUIREMENTS_DIR/release.txt")"
tools_bin="$(dirname "$tools")"
cd "$REPO_ROOT"
# Only the project's configuration may steer the identifier listings below.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(CIBW_[A-Z0-9_]*\)=.*/\1/p')

workflows=(.github/workflows/*.yml)
[ -f "${workflows[0]}" ] || die "no workflows in .github/workflows"
failed=()

run_check() {
    local name="$1"
    shift
    log "$name"
    if "$@"; then
        log "$name: ok"
    else
        warn "$name: FAILED"
        failed+=("$name")
    fi
}

# --- the exact builds, and the exact interpreters the wheel is tested on ---
expected_builds() {
    case "$1" in
        linux) printf '%s\n' cp39-manylinux_x86_64 cp39-manylinux_aarch64 \
            cp39-musllinux_x86_64 cp39-musllinux_aarch64 ;;
        macos) printf '%s\n' cp39-macosx_x86_64 cp39-macosx_arm64 ;;
        windows) printf '%s\n' cp39-win_amd64 cp311-win_arm64 ;;
    esac
}

# Every build identifier, followed by the same platform on each later CPython up to 3.15
# (the last of SUPPORTED_MINORS).
expected_tests() {
    local build minor newest="${SUPPORTED_MINORS[${#SUPPORTED_MINORS[@]} - 1]}"
    expected_builds "$1" | while IFS= read -r build; do
        minor="${build%%-*}"
        minor="${minor#cp3}"
        for ((; minor <= ${newest#3.}; minor++)); do
            printf 'cp3%s-%s\n' "$minor" "${build#*-}"
        done
    done | sort
}

compare_listing() {
    local what="$1" expected="$2" actual="$3" lines
    if [ "$expected" = "$actual" ]; then
        return 0
    fi
    mapfile -t lines <<<"$expected"
    warn "$what: expected"
    printf '  %s\n' "${lines[@]}" >&2
    mapfile -t lines <<<"$actual"
    warn "$what: got"
    printf '  %s\n' "${lines[@]}" >&2
    return 1
}

check_identifiers() {
    local platform actual ok=0
    for platform in linux macos windows; do
        actual="$("$tools" -m cibuildwheel --print-build-identifiers --platform "$platform")" ||
            return 1
        compare_listing "builds on $platform" "$(expected_builds "$platform")" "$actual" || ok=1
        actual="$(bash "$SCRIPTS_DIR/cibuildwheel.sh" --print-build-identifiers \
            --platform "$platform" | sort)" || return 1
        compare_listing "tested interpreters on $platform" "$(expected_tests "$platform")" \
            "$actual" || ok=1
    done
    return "$ok"
}

run_check "check-jsonschema (GitHub workflow schema)" \
    "$tools_bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
run_check "check-jsonschema (Dependabot schema)" \
    "$tools_bin/check-jsonschema" --builtin-schema vendor.dependabot .github/dependabot.yml
run_check "zizmor --offline" "$tools_bin/zizmor" --offline --no-progress --strict-collection \
    .github/dependabot.yml "${workflows[@]}"
# The pinned shellcheck checks `run:` scripts; the workflows run no inline Python, so the
# pyflakes integration is off rather than depending on whatever the machine has.
run_check "actionlint" "$tools_bin/actionlint" -no-color -pyflakes "" \
    -shellcheck "$tools_bin/shellcheck" "${workflows[@]}"
# A renamed or deleted script would otherwise only show up on GitHub.
check_referenced_scripts() {
    local script ok=0
    while IFS= read -r script; do
        [ -f "$script" ] || {
            warn "$script is run by a workflow or pyproject.toml but does not exist"
            ok=1
        }
    done < <(grep -ohE 'wheelhouse-scripts/[A-Za-z0-9_./-]+\.(sh|py)' "${workflows[@]}" pyproject.toml | sort -u)
    return "$ok"
}

run_check "scripts the workflows run exist" check_referenced_scripts
run_check "cibuildwheel identifiers" check_identifiers

if [ "${#failed[@]}" -gt 0 ]; then
    die "failed: ${failed[*]}"
fi
log "all workflow checks passed"
