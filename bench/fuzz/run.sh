#!/usr/bin/env bash
# Runs the property-based fuzz targets (tests/Balancer.Core.Tests/Fuzz) with more cases than CI does.
# Usage: bench/fuzz/run.sh [count]   (or FUZZ_COUNT=1000000 bench/fuzz/run.sh); default 1 000 000 per target.
# A failure prints the shrunk counter-example and the seed FsCheck needs to replay it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export FUZZ_COUNT="${1:-${FUZZ_COUNT:-1000000}}"
echo "fuzzing with FUZZ_COUNT=$FUZZ_COUNT cases per target"
dotnet build tests/Balancer.Core.Tests -c Release -v q --nologo
dotnet test tests/Balancer.Core.Tests -c Release --no-build --filter "FullyQualifiedName~Balancer.Core.Tests.Fuzz" \
  --logger "console;verbosity=normal"
