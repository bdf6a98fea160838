#!/usr/bin/env bash
# Starts a fresh demo server and runs the browser journeys (journeys.mjs) in headless Chromium at
# 1366×900 and at 375×812: what each role sees at each step, no sideways scrolling, axe-core.
# Failure screenshots go to target/journeys/. Exit status 1 when a step fails.
# Needs Debian's chromium (apt-get install chromium fonts-wqy-microhei) and Node.
#   scripts/browser/journeys.sh            # debug build
#   PROFILE=release scripts/browser/journeys.sh
set -euo pipefail
source "$(dirname "$0")/demo-server.sh"
OUT=target/journeys
rm -rf "$OUT"
node scripts/browser/journeys.mjs "$BASE" "$LOGINS" "$OUT"
