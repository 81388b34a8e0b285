#!/usr/bin/env bash
# Used by docker-compose: creates the sample target repository in the shared volume.
set -euo pipefail
command -v git >/dev/null || { apt-get update -qq && apt-get install -y -qq git >/dev/null; }
bash /src/scripts/init-sample-repo.sh /target/sample-repo
# Services run as the unprivileged "node" user (uid 1000) and must own the repository.
chown -R 1000:1000 /target
