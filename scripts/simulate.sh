#!/usr/bin/env bash
# A simulated fleet of Home Assistant instances (the add-on guide's add-on) against a running server, e.g. the one
# scripts/run.sh starts: ./scripts/simulate.sh --instances 50 (it finds that server, its broker and its token)
# Options (io.omnii.server.sim.FleetSimulator): --instances 50 --server URL --token T --broker host:port (by default
# as run.sh: QUARKUS_HTTP_PORT, OMNII_ADMIN_TOKEN, OMNII_LOCAL_MQTT_PORT, else its last run) --heartbeat 30
# --metrics 300 --duration 0 (seconds; 0 = until Ctrl-C), or as a load generator --rate 5000|max --duration 60.
# Enrolled instances are remembered under target/simulator and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/local.sh
# Builds only when there is no build at all: a rebuild would replace the jars under a server scripts/run.sh runs.
built || build
exec_tool io.omnii.server.sim.FleetSimulator "$@"
