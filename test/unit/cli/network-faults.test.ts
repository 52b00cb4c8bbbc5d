import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

// The AWS commands when AWS cannot be reached: a refused connection, and a proxy that answers
// with its own HTML error page. Each says what happened and what to check, exits 1, and prints
// neither an internal error nor the AWS SDK's Node.js version notice.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const COMMANDS = [
  ['jobs', '--target', 'sagemaker'],
  ['endpoints', '--target', 'sagemaker'],
  ['logs', 'some-job', '--target', 'sagemaker'],
  ['deploy', 'some-job', '--target', 'sagemaker'],
  ['push', '--tag', 'tfod-sagemaker:test'],
];

function tfod(endpoint: string, args: string[]) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args, '--region', 'us-east-1'], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_MAX_ATTEMPTS: '1',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('AWS commands without AWS', () => {
  let proxy: Server;
  let proxyUrl: string;
  let refusedUrl: string;
  before(async () => {
    proxy = createServer((req, res) => {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1><p>upstream unreachable</p></body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });
  after(() => new Promise((resolve) => proxy.close(resolve)));

  for (const args of COMMANDS) {
    it(`tfod ${args[0]}: a refused connection is a clear error, exit 1`, async () => {
      const result = await tfod(refusedUrl, args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^tfod: error: cannot reach AWS: ECONNREFUSED .*Check the network connection and any proxy/m,
      );
      assert.doesNotMatch(result.stderr, /internal error|NodeVersionSupportWarning|\n\s+at /);
    });

    it(`tfod ${args[0]}: a proxy's HTML 502 is named as such, exit 1`, async () => {
      const result = await tfod(proxyUrl, args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^tfod: error: AWS did not answer: something between answered HTTP 502/m,
      );
      assert.doesNotMatch(result.stderr, /internal error|NodeVersionSupportWarning|\n\s+at /);
    });
  }
});
