#!/usr/bin/env bash
# Builds a stand-in for `tensorflow/tensorflow:<tag>` (Docker Hub is out of reach): a root
# filesystem from the distribution's own mirror, pip and TensorFlow from PyPI, imported as a
# Docker image. Usage:
#   scripts/tensorflow-base.sh [IMAGE_TAG [VERSION]]   (default tfod-test/tensorflow:2.9.1)
# VERSION picks the recipe; without it, a tag ending in :1.15.0-py3 picks TF1, any other 2.9.1:
#   2.9.1       Debian 11 (Python 3.9) with tensorflow-cpu 2.9.1. The real image is Ubuntu 20.04
#               with Python 3.8 and the same TensorFlow.
#   1.15.0-py3  Ubuntu 18.04 (Python 3.6) with tensorflow-cpu 1.15.0: what the real image is.
# What the production Dockerfile relies on (python3, pip, apt-get, bash, TensorFlow importable by
# python3) is the same. The image is kept and reused while its recipe is unchanged (label
# tfod.recipe).
set -euo pipefail
tag="${1:-tfod-test/tensorflow:2.9.1}"

version="${2:-}"
if [ -z "$version" ]; then
  case "${tag##*:}" in
    1.15.0-py3) version=1.15.0-py3 ;;
    *) version=2.9.1 ;;
  esac
fi
case "$version" in
  2.9.1)
    TF_VERSION=2.9.1
    DISTRIBUTION="Debian 11"
    SUITE=bullseye
    MIRROR="${TFOD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    # What tensorflow/tensorflow:2.9.1 has next to TensorFlow: numpy 1.x (TF 2.9 is built against
    # it; an unpinned install now picks numpy 2) and protobuf 3.19 (TF 2.9 pins < 3.20).
    BASE_PINS=("tensorflow-cpu==$TF_VERSION" numpy==1.23.5 protobuf==3.19.6)
    ;;
  1.15.0-py3)
    TF_VERSION=1.15.0
    DISTRIBUTION="Ubuntu 18.04"
    SUITE=bionic
    MIRROR="${TFOD_UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}"
    # tensorflow/tensorflow:1.15.0-py3's neighbours: numpy 1.17, h5py 2.10 (h5py 3 breaks TF1's
    # Keras); protobuf as TF 2.9's base, which the Object Detection API's generated code reads.
    BASE_PINS=("tensorflow-cpu==$TF_VERSION" numpy==1.17.4 h5py==2.10.0 protobuf==3.19.6)
    # Ubuntu 18.04's own pip (9.0) cannot install manylinux2010 wheels such as TensorFlow's: the
    # last pip for Python 3.6 is installed first, as the real image has.
    PIP_BOOTSTRAP=pip==21.3.1
    ;;
  *)
    echo "tensorflow-base: no recipe for version '$version': use 2.9.1 or 1.15.0-py3" >&2
    exit 2
    ;;
esac
# The image is rebuilt when this changes: bump RECIPE when the steps below change.
RECIPE=3
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
ca_bundle="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"

debootstrap_args=(--variant=minbase)
if [ "$SUITE" = bionic ]; then
  # Debian carries no Ubuntu keyring: the archive's own ubuntu-keyring package, fetched over
  # HTTPS, signs the suite debootstrap then checks.
  keyring_deb="ubuntu-keyring_2018.09.18.1~18.04.2_all.deb"
  if ! curl -fsSL --cacert "$ca_bundle" -o "$work/keyring.deb" \
    "https://${MIRROR#*://}/pool/main/u/ubuntu-keyring/$keyring_deb"; then
    echo "tensorflow-base: could not download $keyring_deb from $MIRROR over HTTPS; check that it is reachable, or set TFOD_UBUNTU_MIRROR" >&2
    exit 1
  fi
  dpkg-deb -x "$work/keyring.deb" "$work/keyring"
  debootstrap_args+=("--keyring=$work/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg"
    "--components=main,universe")
fi
echo "tensorflow-base: $DISTRIBUTION ($SUITE) root filesystem from $MIRROR (debootstrap, about a minute)"
if ! debootstrap "${debootstrap_args[@]}" \
  --include=python3,python3-pip,python3-setuptools,python3-wheel,python3-venv,ca-certificates \
  "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
  tail -n 20 "$work/debootstrap.log" >&2
  echo "tensorflow-base: debootstrap failed (log above); check that $MIRROR is reachable, or set TFOD_DEBIAN_MIRROR / TFOD_UBUNTU_MIRROR" >&2
  exit 1
fi
if [ "$SUITE" = bionic ]; then
  # As ubuntu:18.04 lists them, so that the production build's apt-get finds what it installs.
  printf 'deb %s %s main restricted universe\n' "$MIRROR" bionic "$MIRROR" bionic-updates "$MIRROR" bionic-security \
    >"$root/etc/apt/sources.list"
fi

# pip inside the root filesystem resolves names and trusts TLS the way this machine does (this
# network may intercept TLS with its own authority); both are removed again before the import.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$ca_bundle" "$root/tmp/host-ca.crt"
in_root() {
  chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    PIP_CERT=/tmp/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 PIP_NO_WARN_SCRIPT_LOCATION=1 \
    ${PIP_INDEX_URL:+PIP_INDEX_URL="$PIP_INDEX_URL"} "$@"
}
if [ -n "${PIP_BOOTSTRAP:-}" ]; then
  # The old pip cannot download at all here (its vendored urllib3 fails on this network), so the
  # new one is fetched by this machine's pip and installed from the file (a wheel runs itself).
  if ! python3 -m pip download --quiet --no-deps --dest "$root/tmp" "$PIP_BOOTSTRAP" >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    echo "tensorflow-base: this machine's pip could not download $PIP_BOOTSTRAP; check that PyPI is reachable (pip config list)" >&2
    exit 1
  fi
  wheel="$(basename "$root"/tmp/pip-*.whl)"
  in_root python3 "/tmp/$wheel/pip" install --quiet --no-index "/tmp/$wheel" 2> >(grep -v "Running pip as the 'root' user" >&2)
  rm -f "$root/tmp/$wheel"
fi
echo "tensorflow-base: pip install ${BASE_PINS[*]} (about 500 MB)"
if ! in_root python3 -m pip install --quiet --no-cache-dir "${BASE_PINS[@]}" 2> >(grep -v "Running pip as the 'root' user" >&2); then
  echo "tensorflow-base: pip could not install ${BASE_PINS[*]}; check that PyPI is reachable (pip config list)" >&2
  exit 1
fi
in_root python3 -c 'import tensorflow as tf; print("tensorflow-base: TensorFlow", tf.__version__)' 2>/dev/null
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
  --change "LABEL tfod.stands-in-for=tensorflow/tensorflow:$version" \
  --change 'CMD ["bash"]' \
  - "$tag" >/dev/null
echo "tensorflow-base: $tag built in $((SECONDS - started)) s"
