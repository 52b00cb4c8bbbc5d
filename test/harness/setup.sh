#!/usr/bin/env bash
# Installs what the test layers need on a fresh Debian 12 machine of this project's kind, and
# nothing that is already there (so a second run takes seconds). Usage:
#   test/harness/setup.sh [unit] [integration] [e2e]
# Each install step says what it does; a step that cannot run fails with the reason and the
# command to run by hand, never silently.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(unit integration e2e)
wants() { local l; for l in "${layers[@]}"; do [ "$l" = "$1" ] && return 0; done; return 1; }

apt_packages=()
# protoc is the reference text-format parser some unit tests compare with; shellcheck lints shell.
wants unit && apt_packages+=(protobuf-compiler shellcheck)
wants integration && apt_packages+=(docker.io docker-registry apache2-utils)
wants e2e && apt_packages+=(chromium)

# The AWS CLI validates request shapes against the official API models offline (unit layer).
if wants unit && ! command -v aws >/dev/null 2>&1; then apt_packages+=(awscli); fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]} (apt)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if wants integration; then
  if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "setup: installing moto server (pip)"
    python3 -m pip install --quiet 'moto[server]' || {
      echo "setup: moto is missing and pip could not install it; run: python3 -m pip install 'moto[server]'" >&2
      exit 1
    }
  fi
fi

if wants e2e; then
  bash "$here/install-code-server.sh"
fi

if [ -f "$here/fixtures.sh" ] && { wants integration || wants e2e; }; then
  bash "$here/fixtures.sh" >/dev/null
fi
echo "setup: ready for ${layers[*]}"
