#!/usr/bin/env bash
# Runs inside `docker build` (see Dockerfile): installs Node.js, protoc and the Object Detection
# API matching the TensorFlow major version of the base image.
set -euo pipefail
architecture="$1"
node_version="$2"
models_commit="$3"

case "$architecture" in
  1.*) tf_major=1 ;;
  2.*) tf_major=2 ;;
  *) echo "ARCHITECTURE '$architecture' is not a tensorflow/tensorflow tag starting with 1. or 2." >&2; exit 1 ;;
esac
echo "TFOD_TF_MAJOR=$tf_major" > /opt/tfod/tf_major.env

apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates curl git protobuf-compiler xz-utils
rm -rf /var/lib/apt/lists/*

curl -fsSL "https://unofficial-builds.nodejs.org/download/release/v${node_version}/node-v${node_version}-linux-x64-glibc-217.tar.xz" \
  | tar -xJ -C /opt
mv "/opt/node-v${node_version}-linux-x64-glibc-217" /opt/node

git clone --filter=blob:none https://github.com/tensorflow/models.git /opt/models
git -C /opt/models checkout -q "$models_commit"
cd /opt/models/research
protoc object_detection/protos/*.proto --python_out=.
cp "object_detection/packages/tf${tf_major}/setup.py" ./setup.py
if [ "$tf_major" = 2 ]; then
  # Pin the TF Model Garden to the base image's TensorFlow so pip does not replace it.
  tf_version="$(python3 -c 'import tensorflow as tf; print(tf.__version__)')"
  python3 -m pip install --no-cache-dir "tf-models-official==${tf_version%.*}.*" .
else
  python3 -m pip install --no-cache-dir .
fi
python3 -c 'import object_detection; print("Object Detection API installed")'
