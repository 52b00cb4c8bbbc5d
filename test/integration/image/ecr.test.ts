import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { createEcrClient, ecrLogin, ensureRepository, imageUri } from '../../../src/core/image/ecr';
import { useMoto } from '../harness/services';

describe('ECR repository and login (moto)', () => {
  let moto: ReturnType<typeof useMoto>;
  before(() => {
    moto = useMoto();
  });
  after(() => moto?.restore());

  it('creates the repository when missing and finds it afterwards', async () => {
    const ecr = createEcrClient({});
    const name = `tfod/training-${process.pid}`;
    const first = await ensureRepository(ecr, name);
    assert.equal(first.created, true);
    assert.match(
      first.uri,
      new RegExp(`^\\d{12}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/${name}$`),
    );
    const second = await ensureRepository(ecr, name);
    assert.deepEqual(second, { ...first, created: false });
    const account = first.uri.split('.')[0] ?? '';
    assert.equal(imageUri(account, 'us-east-1', name, '2.9.1-gpu'), `${first.uri}:2.9.1-gpu`);
    await assert.rejects(ensureRepository(ecr, 'Not_Valid'), UserError);
    ecr.destroy();
  });

  it('logs in with GetAuthorizationToken and keeps the token out of printouts', async () => {
    const ecr = createEcrClient({});
    const credentials = await ecrLogin(ecr);
    ecr.destroy();
    assert.equal(credentials.username, 'AWS');
    assert.match(credentials.serverAddress, /^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    assert.ok(credentials.password.length > 8);
    assert.ok(credentials.expiresAt instanceof Date);
    for (const text of [JSON.stringify(credentials), inspect(credentials), String(credentials)])
      assert.ok(!text.includes(credentials.password), text);
    assert.deepEqual(credentials.toDockerAuth(), {
      username: 'AWS',
      password: credentials.password,
      serveraddress: credentials.serverAddress,
    });
  });
});
