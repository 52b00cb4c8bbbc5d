import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainAwsError, whoAmI } from '../../../src/core/aws/session';
import { UserError } from '../../../src/core/errors';

function sdkError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('AWS errors become advice', () => {
  it('missing credentials name the profile and the fix', () => {
    const explained = explainAwsError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      { profile: 'ml' },
    );
    assert.ok(explained instanceof UserError);
    assert.match(
      explained.toLine(),
      /no AWS credentials found through profile 'ml'.*aws sso login/,
    );
  });

  it('expired tokens say to refresh', () => {
    const explained = explainAwsError(
      sdkError('ExpiredToken', 'The security token included in the request is expired'),
    );
    assert.ok(explained instanceof UserError);
    assert.match(explained.message, /have expired/);
  });

  it('leaves unrelated errors alone', () => {
    const original = sdkError('ThrottlingException', 'Rate exceeded');
    assert.equal(explainAwsError(original), original);
  });

  it('a missing region is reported before any request, with the setting to change', async () => {
    const saved = { ...process.env };
    try {
      for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'])
        delete process.env[key];
      process.env.AWS_CONFIG_FILE = '/nonexistent/config';
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
      await assert.rejects(whoAmI({}), (error: unknown) => {
        assert.ok(error instanceof UserError, String(error));
        assert.match(error.toLine(), /no AWS region is configured.*tfod\.aws\.region/);
        return true;
      });
    } finally {
      process.env = saved;
    }
  });
});
