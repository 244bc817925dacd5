#!/usr/bin/env bash
# Runs Omnii Server locally with a real PostgreSQL and a real Mosquitto, their data under target/local (kept between
# runs). Builds first unless nothing changed since the last build. Prints the URLs and the admin token, which is kept
# in target/local/admin-token (OMNII_ADMIN_TOKEN overrides it). QUARKUS_HTTP_PORT, QUARKUS_MANAGEMENT_PORT,
# OMNII_LOCAL_MQTT_PORT and OMNII_LOCAL_POSTGRES_PORT move the ports. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
. scripts/lib/local.sh
ensure_packages
build_if_changed
exec_test_tree io.omnii.server.testsupport.LocalStack
