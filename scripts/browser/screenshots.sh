#!/usr/bin/env bash
# Regenerates the user guide's screenshots (docs/guide/img/<role>/*.png): starts a fresh demo
# server and runs the journeys at 1366×900 only, saving the window at the steps the guide shows.
# The journeys' checks still apply: a failing step stops with exit status 1.
#   scripts/browser/screenshots.sh
set -euo pipefail
source "$(dirname "$0")/demo-server.sh"
IMG=docs/guide/img
rm -rf "$IMG"
mkdir -p "$IMG"
SHOTS="$IMG" VIEWS=desktop node scripts/browser/journeys.mjs "$BASE" "$LOGINS" target/journeys
du -sh "$IMG"
