#!/usr/bin/env bash
# Runs the console. With nothing configured it starts on the built-in sandbox gateways.
# Extra arguments go to paydesk (e.g. `scripts/run.sh --data-dir /tmp/pd`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
setup_main
(cd "$ROOT/ui" && npm run build --silent)
cd "$ROOT"
cargo build --release --locked
exec "$ROOT/target/release/paydesk" "$@"
