import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where test/harness/setup.sh installs what the tests need (the same rule as its own). */
export function testCacheDir(): string {
  return (
    process.env.TFOD_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfod-sagemaker')
  );
}

/**
 * The services `npm test` started for this layer (test/harness/services.mjs). A service that could
 * not start fails the test that needs it, with the reason; it is never skipped.
 */
export function requireService(name: 'DOCKER' | 'REGISTRY' | 'ECR_REGISTRY' | 'MOTO'): void {
  const error = process.env[`TFOD_TEST_${name}_ERROR`];
  assert.equal(error, undefined, `${name.toLowerCase()} is not available: ${error}`);
  if (name === 'REGISTRY')
    assert.ok(
      process.env.TFOD_TEST_REGISTRY,
      'TFOD_TEST_REGISTRY is not set: run the tests with `npm test`',
    );
  if (name === 'MOTO')
    assert.ok(
      process.env.TFOD_TEST_MOTO_URL,
      'TFOD_TEST_MOTO_URL is not set: run the tests with `npm test`',
    );
}

export function registry(): { host: string; username: string; password: string } {
  requireService('REGISTRY');
  return {
    host: process.env.TFOD_TEST_REGISTRY ?? '',
    username: process.env.TFOD_TEST_REGISTRY_USER ?? '',
    password: process.env.TFOD_TEST_REGISTRY_PASSWORD ?? '',
  };
}

/** Points the AWS SDK's standard variables at moto, as a user would with AWS_ENDPOINT_URL. */
export function useMoto(): { url: string; restore: () => void } {
  requireService('MOTO');
  const url = process.env.TFOD_TEST_MOTO_URL ?? '';
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  });
  delete process.env.AWS_PROFILE;
  return { url, restore: () => (process.env = saved) };
}
