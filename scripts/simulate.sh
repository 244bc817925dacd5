#!/usr/bin/env bash
# A simulated fleet of Home Assistant instances (the add-on guide's add-on) against a running server, e.g. the one
# scripts/run.sh starts: ./scripts/simulate.sh --instances 50 --token <the token it printed>
# Options (io.omnii.server.sim.FleetSimulator): --instances 50 --server http://localhost:3001 --token T (or
# OMNII_ADMIN_TOKEN) --heartbeat 30 --metrics 300 --duration 0 (seconds; 0 = until Ctrl-C), or as a load generator
# --rate 5000|max --duration 60. Enrolled instances are remembered under target/simulator and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/local-stack.classpath ] || [ ! -d target/test-classes/io/omnii/server/sim ]; then
  ./mvnw -B -q package -DskipTests
fi
exec java -cp "target/test-classes:$(cat target/local-stack.classpath)" io.omnii.server.sim.FleetSimulator "$@"
