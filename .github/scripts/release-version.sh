#!/usr/bin/env bash
# The version a release tag stands for, refused unless the chart says the same: its version and appVersion (the
# image tag the chart deploys by default) must both be the tag without its "v".
# Usage: release-version.sh TAG [CHART_DIR]; prints "version=<version>" (for $GITHUB_OUTPUT), or fails naming what differs.
set -euo pipefail
tag=${1:?usage: release-version.sh TAG [CHART_DIR]}
chart=${2:-charts/omnii-server}/Chart.yaml

if [[ ! $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "tag $tag is not v<semver> (e.g. v1.2.3 or v1.2.3-rc.1)" >&2
  exit 1
fi
version=${tag#v}

# A top-level key of Chart.yaml, quotes removed.
field() {
  sed -n -E "s/^$1:[[:space:]]*[\"']?([^\"'[:space:]]*)[\"']?[[:space:]]*$/\1/p" "$chart"
}

status=0
for key in version appVersion; do
  value=$(field "$key")
  if [ "$value" != "$version" ]; then
    echo "$chart has $key '$value', the tag $tag wants '$version': bump the chart first" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "version=$version"
exit $status
