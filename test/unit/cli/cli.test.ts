import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

// Runs the bundled CLI exactly as `npm install -g` users get it (dist/cli.js is the package's bin).
const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');

function tfod(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tfod CLI', () => {
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\` first`);
  });

  it('is the package bin, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin.tfod, './dist/cli.js');
    assert.match(readFileSync(cli, 'utf8').split('\n')[0] ?? '', /^#!\/usr\/bin\/env node$/);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = tfod('--version');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), pkg.version);
  });

  it('--help describes the tool and its options', () => {
    const result = tfod('--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tfod /);
    assert.match(result.stdout, /locally in Docker/);
    assert.match(result.stdout, /--version/);
  });

  it('no arguments prints the help', () => {
    const result = tfod();
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: tfod /);
  });

  it('a bad option is one clear line on stderr and a non-zero exit, no stack trace', () => {
    const result = tfod('--no-such-option');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /unknown option '--no-such-option'/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe('tfod on Ctrl+C', () => {
  it('stops what was under way and exits 130 with one line, not an internal error', async () => {
    // A SageMaker endpoint that accepts connections and never answers: `tfod deploy` waits until Ctrl+C.
    const { createServer } = await import('node:net');
    const { spawn } = await import('node:child_process');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const child = spawn(process.execPath, [cli, 'deploy', 'some-job', '--target', 'sagemaker'], {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/nonexistent/config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Interrupt once the CLI is waiting on the endpoint.
      for (const deadline = Date.now() + 30_000; sockets.length === 0 && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(sockets.length > 0, `the CLI reached the endpoint; stderr: ${stderr}`);
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 130, stderr);
      assert.match(stderr, /^tfod: cancelled$/m);
      assert.doesNotMatch(stderr, /internal error|\n\s+at /);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
