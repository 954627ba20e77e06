#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (FuzzTesting/README.md). Run from anywhere.
#
#   FuzzTesting/fuzz.sh build                 build every target (AddressSanitizer + libFuzzer, .build-fuzz)
#   FuzzTesting/fuzz.sh run SECONDS [T...]    fuzz each target in turn for SECONDS (all targets by default)
#   FuzzTesting/fuzz.sh smoke [SECONDS]       the kept crash inputs once each, then each target briefly (CI)
#
# Environment: FUZZ_CONFIG (release), FUZZ_JOBS_NICE (19), FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (60 s per input).
set -euo pipefail

cd "$(dirname "$0")/.."
readonly ALL_TARGETS=(FuzzAnswerParser FuzzExpression FuzzDialogLoader FuzzLocaleLoader FuzzMessageFormat FuzzTranscript)
# The smoke run in `make test` leaves out FuzzTranscript: its sanitized build compiles swift-crypto's
# BoringSSL, minutes that CI cannot spare (its inputs still run in ConsultFuzzingTests, unsanitized).
readonly SMOKE_TARGETS=(FuzzAnswerParser FuzzExpression FuzzDialogLoader FuzzLocaleLoader FuzzMessageFormat)
if [ "${1:-}" = smoke ]; then TARGETS=("${SMOKE_TARGETS[@]}"); else TARGETS=("${ALL_TARGETS[@]}"); fi
readonly TARGETS
readonly CONFIG="${FUZZ_CONFIG:-release}"
readonly SCRATCH=.build-fuzz
readonly NICE="${FUZZ_JOBS_NICE:-19}"
readonly RSS_MB="${FUZZ_RSS_MB:-2048}"
# The first input of each run also loads and lints the shipped content once (seconds under ASan on a
# busy machine): 60 s, not libFuzzer's usual 10, or that load is reported as a timeout.
readonly TIMEOUT="${FUZZ_TIMEOUT:-60}"
# Swift's crash backtracer would hold a crashing fuzzer for minutes before libFuzzer writes the input.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer reports the shipped content loaded once per process (a constant ~42 KB from the
# expression and message parsers, the same after 1 or 20,000 inputs): not a finding per input, and
# it would fail every run at exit. Growth per input still shows: -rss_limit_mb stops the run.
# malloc_context_size=0: recording every allocation's stack took a sixth of the time (perf, transcript
# target); Swift's traps need no allocation stacks. Rerun a crash with ASAN_OPTIONS=detect_leaks=0 for them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0}"

binary() { echo "$SCRATCH/$CONFIG/$1"; }

build() {
  for t in "${TARGETS[@]}"; do
    echo "fuzz: building $t ($CONFIG)"
    nice -n "$NICE" swift build -c "$CONFIG" --scratch-path "$SCRATCH" \
      --sanitize=fuzzer --sanitize=address --product "$t"
  done
}

# One target for SECONDS: new inputs go to .build-fuzz/corpus/T (the committed seeds are read, never
# written), a crash to .build-fuzz/artifacts/T/. Prints libFuzzer's final statistics.
fuzz_one() {
  local t=$1 seconds=$2
  local corpus="$SCRATCH/corpus/$t" artifacts="$SCRATCH/artifacts/$t" log="$SCRATCH/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  local dict=()
  [ -f "FuzzTesting/$t.dict" ] && dict=(-dict="FuzzTesting/$t.dict")
  echo "fuzz: $t for ${seconds}s (log $log)"
  local status=0
  nice -n "$NICE" "$(binary "$t")" "$corpus" "FuzzTesting/Corpus/$t" "${dict[@]}" \
    -max_total_time="$seconds" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  local runs per_second
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  local size
  size=$(find "$corpus" -type f | wc -l)
  printf 'fuzz: %-18s %12s executions  %6ss  %8s exec/s  corpus %s (+%s seeds)  %s\n' "$t" "${runs:-?}" "$seconds" \
    "${per_second:-?}" "$size" "$(find "FuzzTesting/Corpus/$t" -type f | wc -l)" "$([ $status -eq 0 ] && echo ok || echo "FAILED ($status)")"
  if [ $status -ne 0 ]; then
    grep -E "^==[0-9]+==ERROR|^SUMMARY|Fatal error|fuzz invariant|Test unit written" "$log" | head -20 >&2 || true
    return $status
  fi
}

# The kept crash inputs, each run once under the sanitizers (the same inputs feed ConsultFuzzingTests).
regressions() {
  for t in "${TARGETS[@]}"; do
    local cases=(FuzzTesting/FailCases/"$t"/*)
    [ -e "${cases[0]}" ] || continue
    echo "fuzz: $t on ${#cases[@]} kept crash inputs"
    "$(binary "$t")" -rss_limit_mb="$RSS_MB" -timeout="$TIMEOUT" "${cases[@]}" >"$SCRATCH/logs/$t.regressions.log" 2>&1 \
      || { tail -30 "$SCRATCH/logs/$t.regressions.log" >&2; return 1; }
  done
}

case "${1:-}" in
  build)
    build
    ;;
  run)
    seconds=${2:?"usage: $0 run SECONDS [TARGET...]"}
    shift 2
    chosen=("$@")
    [ ${#chosen[@]} -eq 0 ] && chosen=("${TARGETS[@]}")
    failed=0
    for t in "${chosen[@]}"; do fuzz_one "$t" "$seconds" || failed=1; done
    exit $failed
    ;;
  smoke)
    seconds=${2:-5}
    build
    mkdir -p "$SCRATCH/logs"
    regressions
    failed=0
    for t in "${TARGETS[@]}"; do fuzz_one "$t" "$seconds" || failed=1; done
    exit $failed
    ;;
  *)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac
