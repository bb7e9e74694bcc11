#!/usr/bin/env bash
# Install headless Chromium and chromedriver for the HTML report's browser tests
# (tests/report/test_html_report.py): Debian's `chromium` and `chromium-driver` packages.
# `make test` runs this before the suite; `make check` does not need a browser.
#
# Nothing happens when both are already on PATH. Where they cannot be installed
# (no apt-get, not root, apt fails) it says why and exits 0, so that the browser
# tests skip with that reason; under CI (CI set) it exits 1 instead, since CI must
# run them.
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi

cannot() {
  echo "install-chromium: $*" >&2
  if [ -n "${CI:-}" ]; then
    exit 1
  fi
  echo "install-chromium: the browser tests will be skipped" >&2
  exit 0
}

command -v apt-get >/dev/null || cannot "no apt-get here: install chromium and chromedriver yourself"
[ "$(id -u)" = 0 ] || cannot "not root: run 'apt-get install chromium chromium-driver' as root"

echo "installing chromium and chromium-driver system-wide with apt-get, for the HTML report's browser tests (tests/report/test_html_report.py); a few minutes, no further output"
apt-get update -qq || cannot "apt-get update failed"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver fonts-dejavu-core >/dev/null || cannot "apt-get install failed"
command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
  cannot "chromium or chromedriver still not on PATH after apt-get install"
