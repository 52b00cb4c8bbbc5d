#!/usr/bin/env bash
# Builds the stand-in for `tensorflow/tensorflow:<version>` (Docker Hub is out of reach here): a
# Debian 11 root filesystem from Debian's mirror with Python 3.9, pip and `tensorflow-cpu` from
# PyPI, imported as a Docker image. The real image is Ubuntu 20.04 with Python 3.8 and the same
# TensorFlow; what the production Dockerfile relies on (python3, pip, apt-get, bash, TensorFlow
# importable by python3) is the same. Usage:
#   scripts/tensorflow-base.sh [IMAGE_TAG]       (default tfod-test/tensorflow:2.9.1)
# The image is kept and reused while this recipe is unchanged (label tfod.recipe).
set -euo pipefail
tag="${1:-tfod-test/tensorflow:2.9.1}"

TF_VERSION=2.9.1
# What tensorflow/tensorflow:2.9.1 has next to TensorFlow: numpy 1.x (TF 2.9 is built against it;
# an unpinned install now picks numpy 2) and protobuf 3.19 (TF 2.9 pins < 3.20).
BASE_PINS=("tensorflow-cpu==$TF_VERSION" numpy==1.23.5 protobuf==3.19.6)
SUITE=bullseye
MIRROR="${TFOD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The image is rebuilt when this changes: bump RECIPE when the steps below change.
RECIPE=2
recipe="$(printf '%s\n' "$RECIPE" "$SUITE" "${BASE_PINS[@]}" | sha256sum | cut -c1-16)"

if [ "$(docker image inspect --format '{{ index .Config.Labels "tfod.recipe" }}' "$tag" 2>/dev/null)" = "$recipe" ]; then
  echo "tensorflow-base: $tag is up to date"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "tensorflow-base: building $tag needs root (debootstrap and chroot); run: sudo $0 $tag" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "tensorflow-base: debootstrap is missing; install it with: apt-get install -y debootstrap" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tfod-tf-base.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
root="$work/rootfs"
started=$SECONDS

echo "tensorflow-base: Debian $SUITE root filesystem from $MIRROR (debootstrap, about a minute)"
if ! debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
  "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
  tail -n 20 "$work/debootstrap.log" >&2
  echo "tensorflow-base: debootstrap failed (log above); check that $MIRROR is reachable, or set TFOD_DEBIAN_MIRROR" >&2
  exit 1
fi

# pip inside the root filesystem resolves names and trusts TLS the way this machine does (this
# network may intercept TLS with its own authority); both are removed again before the import.
cp /etc/resolv.conf "$root/etc/resolv.conf"
ca_bundle="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
cp "$ca_bundle" "$root/tmp/host-ca.crt"
echo "tensorflow-base: pip install ${BASE_PINS[*]} (about 500 MB)"
if ! chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  PIP_CERT=/tmp/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
  ${PIP_INDEX_URL:+PIP_INDEX_URL="$PIP_INDEX_URL"} \
  python3 -m pip install --quiet --no-cache-dir "${BASE_PINS[@]}"; then
  echo "tensorflow-base: pip could not install ${BASE_PINS[*]}; check that PyPI is reachable (pip config list)" >&2
  exit 1
fi
chroot "$root" python3 -c 'import tensorflow as tf; print("tensorflow-base: TensorFlow", tf.__version__)' 2>/dev/null
rm -f "$root/tmp/host-ca.crt" "$root/etc/resolv.conf"
# As in the CUDA images, an apt source for NVIDIA's repository that makes `apt-get update` fail
# (those images' key was rotated: NO_PUBKEY A4B469963BF863CC; here a path without a Release file,
# the same exit 100). The image build must not depend on it: install.sh leaves it out.
echo "deb $MIRROR/tfod-no-such-cuda-repo /" >"$root/etc/apt/sources.list.d/cuda.list"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/root/.cache"

echo "tensorflow-base: importing as $tag"
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL tfod.recipe=$recipe" \
  --change "LABEL tfod.stands-in-for=tensorflow/tensorflow:$TF_VERSION" \
  --change 'CMD ["bash"]' \
  - "$tag" >/dev/null
echo "tensorflow-base: $tag built in $((SECONDS - started)) s"
