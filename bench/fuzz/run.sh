#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read bytes from the network or a file, with SharpFuzz and AFL++.
#
#   bench/fuzz/run.sh TARGET SECONDS     fuzz one target (or "all": each in turn) for SECONDS each
#   bench/fuzz/run.sh replay TARGET      run the committed corpus (and any saved crashes) of TARGET once, no afl-fuzz
#   bench/fuzz/run.sh properties [COUNT] the FsCheck property tests (tests/Balancer.Core.Tests/Fuzz) with COUNT cases
#
# Targets: response-head chunked advert proxy config (bench/fuzz/Balancer.Fuzz, one class each).
# Needs afl-fuzz (Debian afl++, which .ci/run installs) and the sharpfuzz tool (.config/dotnet-tools.json).
# The build is instrumented in $FUZZ_OUT (default bench/fuzz/out, ignored by git); findings of a target are in
# $FUZZ_OUT/TARGET/default. Exits 1 when afl-fuzz saved a crash or a hang, after copying each input that caused
# one to bench/fuzz/crashes/TARGET/ and replaying it to show the exception.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
out="${FUZZ_OUT:-$here/out}"
targets=(response-head chunked advert proxy config)

usage() { sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

if [ "${1:-}" = properties ]; then
  export FUZZ_COUNT="${2:-${FUZZ_COUNT:-1000000}}"
  dotnet test "$root/tests/Balancer.Core.Tests" -c Release --filter "FullyQualifiedName~Balancer.Core.Tests.Fuzz" --logger "console;verbosity=normal"
  exit
fi

build() {
  # A plain publish, then the sharpfuzz tool instruments Balancer.Core.dll in place: only our own code reports
  # coverage, and the build the tests use stays untouched.
  rm -rf "$out/bin"
  mkdir -p "$out"
  dotnet publish "$here/Balancer.Fuzz" -c Release -o "$out/bin" -v q --nologo > "$out/build.log" 2>&1 \
    && (cd "$root" && dotnet tool restore && dotnet tool run sharpfuzz "$out/bin/Balancer.Core.dll") >> "$out/build.log" 2>&1 \
    || { echo "the fuzz build failed:" >&2; tail -20 "$out/build.log" >&2; exit 2; }
}

check_target() {
  local t
  for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done
  echo "unknown target '$1'; targets: ${targets[*]} (or all)" >&2
  exit 2
}

if [ "${1:-}" = replay ]; then
  [ $# -eq 2 ] || usage
  check_target "$2"
  build
  shopt -s nullglob
  exec dotnet "$out/bin/Balancer.Fuzz.dll" "$2" "$here/corpus/$2"/* "$here/crashes/$2"/*
fi

[ $# -eq 2 ] || usage
case "$2" in ''|*[!0-9]*) echo "SECONDS must be a whole number, not '$2'" >&2; exit 2 ;; esac
if [ "$1" = all ]; then run=("${targets[@]}"); else check_target "$1"; run=("$1"); fi
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
build

# The runtime is not an AFL-instrumented binary (SharpFuzz reports coverage through the shared map itself), and
# a shared CI machine has neither a fixed CPU governor nor a free core to bind to.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_UI=1 AFL_QUIET=1 AFL_SKIP_CRASHES=1 DOTNET_TieredPGO=0

status=0
for target in "${run[@]}"; do
  findings="$out/$target"
  dict=()
  [ -f "$here/dict/$target.dict" ] && dict=(-x "$here/dict/$target.dict")
  # -t: a generous per-input time (the first inputs JIT); -m none: the runtime reserves far more address space
  # than afl-fuzz's default memory limit; -V: stop after SECONDS. A session already in $findings is resumed (-i -).
  input=(-i "$here/corpus/$target")
  [ -f "$findings/default/fuzzer_stats" ] && [ -z "${FUZZ_FRESH:-}" ] && input=(-i -)
  echo "== $target: fuzzing for $2 s (findings in $findings)"
  afl-fuzz "${input[@]}" -o "$findings" -t 5000+ -m none -V "$2" "${dict[@]}" -- dotnet "$out/bin/Balancer.Fuzz.dll" "$target" \
    > "$findings.log" 2>&1 || { status=1; echo "afl-fuzz failed, see $findings.log:"; tail -20 "$findings.log"; continue; }
  stats="$findings/default/fuzzer_stats"
  awk -F' *: *' '/^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs|stability)/ {printf "   %s=%s", $1, $2} END {print ""}' "$stats"
  shopt -s nullglob
  found=("$findings"/default/crashes/id:* "$findings"/default/hangs/id:*)
  shopt -u nullglob
  if [ ${#found[@]} -gt 0 ]; then
    status=1
    mkdir -p "$here/crashes/$target"
    for f in "${found[@]}"; do
      kept="$here/crashes/$target/$(basename "$(dirname "$f")")-$(sha1sum "$f" | cut -c1-12)"
      cp "$f" "$kept"
      echo "   FOUND: $kept"
      dotnet "$out/bin/Balancer.Fuzz.dll" "$target" "$kept" 2>&1 | head -15 | sed 's/^/     /' || true
    done
  fi
done
exit $status
