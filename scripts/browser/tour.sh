#!/usr/bin/env bash
# Starts a fresh demo server on a free loopback port and tours it in headless Chromium
# (tour.mjs): screenshots in target/tour/, a table of page weight, sideways scrolling at phone
# width and axe-core violations. Needs Debian's chromium (apt-get install chromium) and Node.
#   scripts/browser/tour.sh            # debug build
#   PROFILE=release scripts/browser/tour.sh
set -euo pipefail
source "$(dirname "$0")/demo-server.sh"
OUT=target/tour
rm -rf "$OUT"
node scripts/browser/tour.mjs "$BASE" "$LOGINS" "$OUT"
