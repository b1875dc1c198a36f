#!/usr/bin/env bash
# Installs what the tests need beyond npm: Debian packages for interoperability tests
# (mosquitto_pub/mosquitto_sub) and the InfluxDB server the store tests start themselves
# (influxd, Debian's influxdb 1.6), then the npm packages if they are not installed yet.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)
command -v influxd >/dev/null || need+=(influxdb)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
[ -d node_modules ] || npm ci
