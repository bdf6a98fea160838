#!/usr/bin/env bash
# A long random run over the calculator's JSON entry point (issue #19 item 6): mutated
# requests and policy documents, random bytes, through the reader, the rule checks and the
# engine, for a fixed budget of inputs. Prints the count and the crashes; exits non-zero on
# any crash. cargo-fuzz needs a nightly toolchain and the cargo-fuzz tool, which this project
# does not require; this proptest-driven run (crates/ipfin-domain/tests/calc_fuzz.rs) takes
# their place.
#
#   scripts/fuzz-calc.sh            # 200,000 inputs
#   scripts/fuzz-calc.sh 1000000    # another budget
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-200000}"
out="$(FUZZ_CASES="$cases" cargo test --release -q -p ipfin-domain --test calc_fuzz -- --nocapture 2>&1)" || {
    echo "$out" | tail -30
    exit 1
}
echo "$out" | grep '^fuzz-calc:'
