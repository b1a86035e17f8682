#!/usr/bin/env bash
# Installs what paydesk needs on a Debian machine, skipping whatever is already there, so it
# is safe to run again. Sourced by run.sh and test.sh; `setup.sh --test` adds test tools.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build and run: Tauri's WebKitGTK stack. Tests add a virtual display, the WebDriver for
# WebKitGTK, a Secret Service (gnome-keyring) in a private D-Bus session, sqlite3, Debian's
# chromium for the browser tests of the built UI, wrk for the benchmarks (scripts/bench.sh),
# PostgreSQL (its pg_virtualenv runs the tests of the shared store in a throwaway cluster) and
# openssl (the TLS test makes its own CA); a CJK font so the window's 简体中文 shows in the
# desktop tests' screenshots and the PDFs' Chinese is printed; poppler-utils, whose pdftotext
# reads the PDFs back in the tests; python3-gi for the desktop test's notification server on its
# private session bus, and xdotool to focus and hide the window as a desktop would and to answer
# the system's file dialogs as a person would.
APT_RUN=(libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev
         libayatana-appindicator3-dev librsvg2-dev)
APT_TEST=(xvfb webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools sqlite3 chromium wrk
          postgresql openssl fonts-noto-cjk poppler-utils python3-gi xdotool)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_npm() {
  local dir="$1"
  # npm ci is exact (package-lock.json) and repeatable; skip it when node_modules matches.
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.paydesk-lock"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.paydesk-lock)
  fi
}

install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --locked --version "^2"
  fi
}

install_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "setup: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version "^0.13"
  fi
}

# The dependency graph's licenses, sources and bans (deny.toml), checked by scripts/test.sh.
install_cargo_deny() {
  if ! cargo deny --version >/dev/null 2>&1; then
    echo "setup: installing cargo-deny"
    cargo install cargo-deny --locked --version "^0.20"
  fi
}

setup_main() {
  install_apt "${APT_RUN[@]}"
  if [ "${1:-}" = "--test" ]; then
    install_apt "${APT_TEST[@]}"
    install_tauri_driver
    install_cargo_fuzz
    install_cargo_deny
    install_npm "$ROOT/tests/e2e"
  fi
  install_npm "$ROOT/ui"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_main "$@"
fi
