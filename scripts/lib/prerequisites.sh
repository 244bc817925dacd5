# Installs what the local run and the tests need from the distribution, if it is missing:
# Mosquitto (the broker); for the tests Python 3 with paho-mqtt 1.6 and requests (the add-on test) and Node.js with
# npm (offline validation of the Kubernetes manifests and the workflows) and shellcheck (the workflows' run: blocks);
# Chromium and its driver (the console's browser tests); promtool, from the prometheus package (checks and
# unit-tests the chart's alerts).
# Sourced by scripts/run.sh and scripts/test.sh.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  [ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
  for pkg in "$@"; do
    case "$pkg" in
      shellcheck) command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck) ;;
      python3-paho-mqtt) /usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null || missing+=(python3 python3-paho-mqtt) ;;
      python3-requests) /usr/bin/python3 -c 'import requests' 2>/dev/null || missing+=(python3 python3-requests) ;;
      nodejs) command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm) ;;
      chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
      chromium-driver) [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver) ;;
      prometheus) command -v promtool >/dev/null 2>&1 || missing+=(prometheus) ;;
      openssl) command -v openssl >/dev/null 2>&1 || missing+=(openssl) ;;
      *) echo "ensure_packages: no check for $pkg" >&2; return 1 ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from the distribution" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Only promtool is wanted: where systemd runs, the package would also leave a Prometheus server running.
    if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 \
        && systemctl is-active --quiet prometheus 2>/dev/null; then
      as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
  fi
}
