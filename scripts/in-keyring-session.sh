#!/usr/bin/env bash
# Runs inside `dbus-run-session`: unlocks a fresh gnome-keyring, then the Rust tests and the
# desktop end-to-end test.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# An empty unlock password does not work: gnome-keyring then leaves the collection locked.
printf %s paydesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null

cargo test --workspace --locked

node tests/e2e/run.mjs
