import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Checks a request against the official API model, offline: the AWS CLI (v1 from pip or v2 from
 * apt's `awscli`) validates parameters before it sends anything, so with an endpoint where nothing
 * listens a valid request ends in a connection error and an invalid one in "Parameter validation
 * failed". Nothing leaves the machine and no credentials are involved (dummy ones are set).
 */
export type CliVerdict =
  { readonly valid: true } | { readonly valid: false; readonly message: string };

const NOTHING_LISTENS = 'http://127.0.0.1:9';

/** `CreateTrainingJob` or `CreateTrainingJobCommand` -> `create-training-job`. */
export function cliOperation(operation: string): string {
  return operation
    .replace(/Command$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

export function validateWithAwsCli(
  service: string,
  operation: string,
  request: unknown,
): CliVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-cli-'));
  try {
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify(request));
    const result = spawnSync(
      'aws',
      [
        service,
        cliOperation(operation),
        '--cli-input-json',
        `file://${file}`,
        '--endpoint-url',
        NOTHING_LISTENS,
        '--region',
        'us-east-1',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          AWS_ACCESS_KEY_ID: 'offline-validation',
          AWS_SECRET_ACCESS_KEY: 'offline-validation',
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_MAX_ATTEMPTS: '1',
          AWS_RETRY_MODE: 'standard',
          AWS_PAGER: '',
        },
      },
    );
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail(
        'the AWS CLI (`aws`) is not installed; it validates request shapes offline. Install it with ' +
          '`apt-get install -y awscli` (v2) or `python3 -m pip install awscli` (v1); test/harness/setup.sh should do this',
      );
    }
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (/Parameter validation failed/i.test(output))
      return { valid: false, message: output.trim() };
    if (/Could not connect to the endpoint URL/i.test(output)) return { valid: true };
    assert.fail(
      `unexpected output from \`aws ${service} ${cliOperation(operation)}\` (exit ${result.status}): ${output.trim() || result.error?.message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts the request passes the CLI's validation, showing what it says otherwise. */
export function assertValidRequest(service: string, operation: string, request: unknown): void {
  const verdict = validateWithAwsCli(service, operation, request);
  assert.ok(
    verdict.valid,
    `${operation} request failed the AWS CLI's parameter validation: ${verdict.valid ? '' : verdict.message}`,
  );
}
