#!/usr/bin/env bash
# Usage: lint-python.sh [--fix]
# ruff check and ruff format --check, with the ruff pinned in requirements/lint.txt and
# the settings in pyproject.toml [tool.ruff], over every Python file of the project:
# copium/, tests/, tools/ and wheelhouse-scripts/. Runs both and fails if either does.
# --fix applies ruff's safe fixes and reformats instead of only reporting.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case "${1:-}" in
    "") fix=0 ;;
    --fix) fix=1 ;;
    *) die "usage: lint-python.sh [--fix]" ;;
esac

ruff="$(dirname "$(cached_venv lint "$(default_python)" "$REQUIREMENTS_DIR/lint.txt")")/ruff"
cd "$REPO_ROOT"
paths=(copium tests tools wheelhouse-scripts)

if [ "$fix" -eq 1 ]; then
    "$ruff" check --fix "${paths[@]}" || true
    "$ruff" format "${paths[@]}"
fi

status=0
log "ruff check"
"$ruff" check "${paths[@]}" || {
    warn "ruff check: fix the findings above (wheelhouse-scripts/lint-python.sh --fix applies the safe ones)"
    status=1
}
log "ruff format --check"
"$ruff" format --check "${paths[@]}" || {
    warn "ruff format: run wheelhouse-scripts/lint-python.sh --fix and commit the result"
    status=1
}
exit "$status"
