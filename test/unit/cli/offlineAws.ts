import { join } from 'node:path';

/**
 * The environment of a CLI process that must not reach real AWS: no profile or config files from
 * the machine, fake keys, one attempt, and every service at `endpoint` (by default a port where
 * nothing listens, so a request that gets through fails at once).
 */
export function offlineAwsEnv(home: string, endpoint = 'http://127.0.0.1:9'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'offline',
    AWS_SECRET_ACCESS_KEY: 'offline',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_ENDPOINT_URL: endpoint,
    AWS_MAX_ATTEMPTS: '1',
  };
}
