#!/usr/bin/env bash
# Installs what the test layers need on a fresh Debian 12 machine of this project's kind, and
# nothing that is already there (so a second run takes seconds). Usage:
#   test/harness/setup.sh [static] [unit] [integration] [e2e] [training]
# Each install step says what it does; a step that cannot run fails with the reason and the
# command to run by hand, never silently.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(static unit integration e2e training)
wants() { local l; for l in "${layers[@]}"; do [ "$l" = "$1" ] && return 0; done; return 1; }

apt_packages=()
# The static checks lint the shell scripts with shellcheck; protoc is the reference text-format parser
# some unit tests compare with.
wants static && apt_packages+=(shellcheck)
wants unit && apt_packages+=(protobuf-compiler)
wants integration && apt_packages+=(docker.io docker-registry apache2-utils)
# The test Python environments need a python3 that makes virtual environments (with pip).
if wants integration && ! { python3 -m venv --help && python3 -c 'import ensurepip'; } >/dev/null 2>&1; then
  apt_packages+=(python3 python3-venv)
fi
# The training layer shows the model it trained in the preview of a real VS Code too.
{ wants e2e || wants training; } && apt_packages+=(chromium)
# The training layer builds the production image on a Debian root filesystem (debootstrap).
wants training && apt_packages+=(docker.io debootstrap)

# The AWS CLI validates request shapes against the official API models offline (unit layer).
if wants unit && ! command -v aws >/dev/null 2>&1; then apt_packages+=(awscli); fi

missing=()
for pkg in "${apt_packages[@]}"; do
  # Installed, not merely known: a removed package keeps its config files and dpkg -s succeeds.
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || missing+=("$pkg")
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

# moto (the AWS APIs over HTTP) goes into a virtual environment of its own in the cache, so the
# user's Python is left alone (Debian's refuses pip installs) and the version is the one tested.
cache="${TFOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfod-sagemaker}"
venv="$cache/python"
MOTO_VERSION="${MOTO_VERSION:-5.2.1}"
if wants integration && ! "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  echo "setup: installing moto[server]==$MOTO_VERSION (pip) into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" \
    || ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"; then
    echo "setup: pip could not install moto into $venv; check that PyPI is reachable (pip config list), then run: $venv/bin/python -m pip install 'moto[server]==$MOTO_VERSION'" >&2
    exit 1
  fi
fi

# Real TensorFlow and its official TensorFlow.js converter, for the tests whose claims are about
# TensorFlow (a detector with the Object Detection API's export signature, converted and run by
# the product). tensorflowjs imports TF Decision Forests, JAX and tf_keras at load time but
# declares the full `tensorflow` package; the second pass adds those with --no-deps so
# tensorflow-cpu stays the only TensorFlow.
TF_VENV="$cache/tensorflow"
TF_PINS=(tensorflow-cpu==2.15.0 numpy==1.26.4 pandas==2.1.4 jax==0.4.23 jaxlib==0.4.23 wurlitzer==3.1.1 packaging==23.2)
TF_NO_DEPS=(tensorflowjs==4.22.0 tf-keras==2.15.0 tensorflow-hub==0.16.1 tensorflow-decision-forests==1.8.1)
if wants integration && ! "$TF_VENV/bin/python" -c 'import tensorflowjs.converters.converter' >/dev/null 2>&1; then
  # TensorFlow 2.15 publishes wheels for Python 3.9 to 3.11 only.
  if ! python3 -c 'import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 11))'; then
    echo "setup: TensorFlow 2.15 needs Python 3.9 to 3.11, and python3 is $(python3 -V 2>&1); put one of those first on PATH (e.g. with pyenv) and run again" >&2
    exit 1
  fi
  echo "setup: installing TensorFlow ${TF_PINS[0]#*==} and its converter ${TF_NO_DEPS[0]} (pip) into $TF_VENV"
  rm -rf "$TF_VENV"
  if ! python3 -m venv "$TF_VENV" \
    || ! "$TF_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${TF_PINS[@]}" \
    || ! "$TF_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${TF_NO_DEPS[@]}"; then
    echo "setup: pip could not install TensorFlow into $TF_VENV; check that PyPI is reachable, then run: $TF_VENV/bin/python -m pip install ${TF_PINS[*]} && $TF_VENV/bin/python -m pip install --no-deps ${TF_NO_DEPS[*]}" >&2
    exit 1
  fi
fi

# pycocotools, the reference the evaluation metrics are held to (test/integration/evaluation), in
# a virtual environment of its own: it needs only numpy, and a TensorFlow reinstall never touches it.
COCO_VENV="$cache/pycocotools"
COCO_PINS=(pycocotools==2.0.11 numpy==1.26.4)
if wants integration && ! "$COCO_VENV/bin/python" -c 'from pycocotools.cocoeval import COCOeval' >/dev/null 2>&1; then
  echo "setup: installing ${COCO_PINS[*]} (pip) into $COCO_VENV"
  rm -rf "$COCO_VENV"
  if ! python3 -m venv "$COCO_VENV" \
    || ! "$COCO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${COCO_PINS[@]}"; then
    echo "setup: pip could not install pycocotools into $COCO_VENV; check that PyPI is reachable (pip config list), then run: $COCO_VENV/bin/python -m pip install ${COCO_PINS[*]}" >&2
    exit 1
  fi
fi

if wants e2e || wants training; then
  bash "$here/install-code-server.sh"
fi

# The stand-ins for tensorflow/tensorflow:2.9.1 and :1.15.0-py3 (Docker Hub is out of reach): Debian,
# Ubuntu and PyPI. They need the Docker engine, which this starts when it is not running.
if wants training; then
  node -e 'import(process.argv[1]).then((m) => m.ensureDockerEngine({ logDir: process.argv[2], log: console.log })).catch((e) => { console.error("setup: " + e.message); process.exit(1); })' \
    "$here/../../scripts/docker-engine.mjs" "${TMPDIR:-/tmp}" >/dev/null
  bash "$here/../../scripts/tensorflow-base.sh"
  bash "$here/../../scripts/tensorflow-base.sh" tfod-test/tensorflow:1.15.0-py3
fi

if [ -f "$here/fixtures.sh" ] && { wants integration || wants e2e; }; then
  bash "$here/fixtures.sh" >/dev/null
fi
echo "setup: ready for ${layers[*]}"
