import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listProfiles, parseSharedFile } from '../../../src/core/aws/profiles';

describe('AWS profiles for the picker', () => {
  it('reads profile sections the way the AWS CLI does', () => {
    const sections = parseSharedFile(
      [
        '[default]',
        'region = eu-west-1',
        '[profile ml]',
        'sso_session = corp',
        'region=us-east-1',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        '; comment',
        '[services local]',
        's3 =',
        '  endpoint_url = http://localhost:9000',
      ].join('\n'),
      'config',
    );
    assert.deepEqual(
      sections.map((s) => [s.name, Object.fromEntries(s.keys)]),
      [
        ['default', { region: 'eu-west-1' }],
        ['ml', { sso_session: 'corp', region: 'us-east-1' }],
      ],
    );
  });

  it('merges config and credentials, default first, and never returns secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-aws-'));
    try {
      writeFileSync(
        join(dir, 'config'),
        '[profile research]\nregion = us-west-2\n[default]\nregion = eu-west-1\n',
      );
      writeFileSync(
        join(dir, 'credentials'),
        '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRETEXAMPLE\n[ci]\naws_access_key_id = AKIA2\naws_secret_access_key = S2\n',
      );
      const profiles = await listProfiles({
        AWS_CONFIG_FILE: join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      });
      assert.deepEqual(profiles, [
        { name: 'default', sso: false, sources: ['config', 'credentials'], region: 'eu-west-1' },
        { name: 'ci', sso: false, sources: ['credentials'] },
        { name: 'research', sso: false, sources: ['config'], region: 'us-west-2' },
      ]);
      assert.doesNotMatch(JSON.stringify(profiles), /SECRET|AKIA/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no profiles when the files do not exist', async () => {
    assert.deepEqual(
      await listProfiles({
        AWS_CONFIG_FILE: '/nonexistent/a',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/b',
      }),
      [],
    );
  });
});
