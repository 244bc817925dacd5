#!/usr/bin/env bash
# Runs Omnii Server locally with a real PostgreSQL and a real Mosquitto, both throwaway, data under target/local.
# Prints the API URL and the admin token to use. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_packages
./mvnw -B -q package -DskipTests
exec java -cp "target/test-classes:$(cat target/local-stack.classpath)" io.omnii.server.testsupport.LocalStack
