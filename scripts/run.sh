#!/usr/bin/env bash
# Runs the console. With nothing configured it starts on the built-in sandbox gateways.
# Extra arguments go to paydesk (e.g. `scripts/run.sh --data-dir /tmp/pd`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
setup_main
cd "$ROOT"

# The UI is built again only when what it is built from changed: a rebuilt ui/dist would make
# the release binary, which embeds it, compile again at every launch.
ui_sources() {
  local inputs=() path
  for path in src public index.html package-lock.json vite.config.ts tsconfig.json; do
    [ -e "ui/$path" ] && inputs+=("$path")
  done
  (cd ui && find "${inputs[@]}" -type f -not -name '*.test.*' | LC_ALL=C sort \
    | xargs sha256sum | sha256sum | cut -d' ' -f1)
}
stamp="$ROOT/target/ui-sources.sha256"
sources="$(ui_sources)"
if [ ! -f ui/dist/index.html ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sources" ]; then
  (cd ui && npm run build --silent)
  mkdir -p "$(dirname "$stamp")" && echo "$sources" > "$stamp"
fi
cargo build --release --locked
exec "$ROOT/target/release/paydesk" "$@"
