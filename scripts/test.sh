#!/usr/bin/env bash
# Runs every test paydesk has: style gates, UI unit tests, Rust unit and integration tests,
# the real-keyring test and the desktop end-to-end test in a real window.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
setup_main --test
cd "$ROOT"

# Each step says when it started and how long the run has taken so far (SECONDS), so a slow
# step shows up in CI's log.
step() { printf '\n== [%s, %dm%02ds] %s\n' "$(date +%T)" $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
trap 'printf "\n== finished in %dm%02ds\n" $((SECONDS / 60)) $((SECONDS % 60))' EXIT

step "UI: type check, lint, unit tests, build"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm test --silent && npm run --silent build)

step "UI: the built console in Debian's chromium, IPC mocked (Playwright)"
(cd ui && npx playwright test)

# The advisory database cannot be fetched here (README.md says how to run that check).
step "Rust: dependency licenses, sources and bans (cargo-deny, deny.toml)"
cargo deny --workspace --locked check bans licenses sources

step "Rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust: build the app"
cargo build --locked --workspace --all-targets

# The tests' own build, bundled (no second compilation); installed and run in the keyring
# session below (scripts/package-check.sh).
step "Package: .deb and .rpm of the test build (tauri bundle)"
ui/node_modules/.bin/tauri bundle --debug --bundles deb,rpm --ci

step "Benchmarks, small: fail on a ratio 2x worse than committed (scripts/bench.sh for the full run)"
bash scripts/bench.sh --smoke

step "Fuzz: a short bounded pass of every target (scripts/fuzz.sh SECONDS for longer)"
bash scripts/fuzz.sh 20

# Everything that touches the keyring runs in a private D-Bus session with its own
# gnome-keyring (a plain keyring file that needs no password) and a fresh XDG_DATA_HOME.
step "Rust tests and desktop end-to-end, inside a private keyring session"
export XDG_DATA_HOME="$(mktemp -d)"
dbus-run-session -- bash "$ROOT/scripts/in-keyring-session.sh"

# The .deb's declared dependencies, proven where nothing else is installed (about a minute).
step "Package: the .deb in a bare Debian (debootstrap minbase)"
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/package-bare-debian.sh
else
  echo "skipped: needs root (debootstrap, chroot)"
fi
