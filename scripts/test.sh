#!/usr/bin/env bash
# Runs every test against a real PostgreSQL and a real Mosquitto, which the tests start themselves under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_packages python3-paho-mqtt python3-requests
exec ./mvnw -B verify "$@"
