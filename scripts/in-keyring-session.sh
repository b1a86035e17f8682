#!/usr/bin/env bash
# Runs inside `dbus-run-session`: unlocks a fresh gnome-keyring, then the Rust tests (with a
# throwaway PostgreSQL cluster for the shared store's, from pg_virtualenv) and the desktop
# end-to-end test (with one of its own: its windows on a shared store), then the installed
# package.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# An empty unlock password does not work: gnome-keyring then leaves the collection locked.
printf %s paydesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null

PAYDESK_TEST_POSTGRES=1 pg_virtualenv cargo test --workspace --locked

# The README's two desks and a support login on a throwaway server, without windows.
bash scripts/shared-desks.sh --check

PAYDESK_TEST_POSTGRES=1 pg_virtualenv node tests/e2e/run.mjs

# The .deb installed with apt-get and run: --version, a CLI payment, a payment in its window.
bash scripts/package-check.sh
