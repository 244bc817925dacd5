#!/usr/bin/env bash
# The ingest benchmark (docs/performance.md): starts its own PostgreSQL and Mosquitto under target/bench, measures
# the broker's raw ceiling, then the packaged server end to end, and prints a table. About 9 minutes; not part of the
# test run. Options go to io.omnii.server.sim.Benchmark, e.g. --runs 3 --messages 300000 --rate 5000; one replica
# against two: --phases raw,e2e,replicas.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/local.sh
ensure_packages
./mvnw -B -q package -DskipTests
exec java -Xmx2g -cp "$(tools_classpath)" io.omnii.server.sim.Benchmark "$@"
