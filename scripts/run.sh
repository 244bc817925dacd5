#!/usr/bin/env bash
# Runs Omnii Server locally with a real PostgreSQL and a real Mosquitto, their data under target/local (kept between
# runs; OMNII_LOCAL_DIR puts them elsewhere). Builds first unless nothing changed since the last build; --no-build
# starts the last build as it is. Prints the URLs and the admin token, which is kept in target/local/admin-token
# (OMNII_ADMIN_TOKEN overrides it). QUARKUS_HTTP_PORT, QUARKUS_MANAGEMENT_PORT, OMNII_LOCAL_MQTT_PORT and
# OMNII_LOCAL_POSTGRES_PORT move the ports. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/local.sh
ensure_packages
case "$*" in
  "") build_if_changed ;;
  --no-build) built || { echo "There is no build to start: run scripts/run.sh without --no-build" >&2; exit 1; } ;;
  *) echo "usage: scripts/run.sh [--no-build]" >&2; exit 2 ;;
esac
exec_tool io.omnii.server.testsupport.LocalStack
