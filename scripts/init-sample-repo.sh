#!/usr/bin/env bash
# Turns samples/sample-target into a git repository with a short, recent
# history at .autocode/sample-repo (or $1), the default target of the mesh.
# Idempotent: an existing repository is left as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/samples/sample-target"
DEST="${1:-$ROOT/.autocode/sample-repo}"

if [[ -d $DEST/.git ]]; then
  echo "$DEST"
  exit 0
fi

rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
git_() { git -C "$DEST.tmp" -c user.name="Sample Author" -c user.email="sample@autocode.invalid" -c commit.gpgsign=false "$@"; }
git_ init -q -b main
commit() { # commit <hours-ago> <message> <paths...>
  local when; when="$(date -u -d "$1 hours ago" +%Y-%m-%dT%H:%M:%SZ)"; shift
  local message=$1; shift
  for path in "$@"; do mkdir -p "$DEST.tmp/$(dirname "$path")"; cp "$SRC/$path" "$DEST.tmp/$path"; done
  git_ add -- "$@"
  GIT_AUTHOR_DATE="$when" GIT_COMMITTER_DATE="$when" git_ commit -q -m "$message"
}

commit 30 "Initial project skeleton" package.json tsconfig.json README.md
commit 20 "Add inventory" src/inventory.ts
commit 6 "Add pricing with tests" src/pricing.ts test/pricing.test.ts
commit 2 "Add currency formatting" src/format.ts

mv "$DEST.tmp" "$DEST"
echo "$DEST"
