#!/usr/bin/env bash
# Runs every test against a real PostgreSQL and a real Mosquitto, which the tests start themselves under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_packages python3-paho-mqtt python3-requests nodejs
# The Kubernetes, Prometheus-operator and Flux schemas the manifests are validated against (versions in its lock file).
npm ci --prefix src/test/k8s-schema --no-audit --no-fund --loglevel=error
exec ./mvnw -B verify "$@"
