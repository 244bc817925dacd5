#!/usr/bin/env bash
# Prints the Argon2id hash (a PHC string) of a password, for omnii.accounts.bootstrap.password-hash
# (OMNII_ACCOUNTS_BOOTSTRAP_PASSWORD_HASH), so that a deployment's secret holds the hash and not the password.
# Asks for the password twice on a terminal, or reads one line of standard input:
#   ./scripts/hash-password.sh            or   printf '%s\n' "$PASSWORD" | ./scripts/hash-password.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/local.sh
built || build >&2
# The hasher is the server's own class (target/classes); the tool around it is in target/tools-classes.
exec java -cp "target/classes:$(tools_classpath)" io.omnii.server.account.HashPassword "$@"
