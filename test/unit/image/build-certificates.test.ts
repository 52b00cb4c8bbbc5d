import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { UserError } from '../../../src/core/errors';
import { buildImage } from '../../../src/core/image';

// `tfod build --ca-certificates FILE`: what is not a PEM certificate file is refused by name
// before anything reaches the engine (the engine here is an object that fails if asked).
describe('build: extra certificate authorities', () => {
  let dir: string;
  const engine = {
    buildImage: () => Promise.reject(new Error('the engine must not be asked')),
  } as unknown as Docker;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-certs-'));
    mkdirSync(join(dir, 'container'));
    writeFileSync(join(dir, 'container', 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(dir, 'der.crt'), Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    mkdirSync(join(dir, 'folder.crt'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const build = (file: string) =>
    buildImage({ docker: engine, contextDir: dir, tag: 't:1', caCertificates: [file] });

  it('refuses a missing file, a folder and a DER file, each with what to do', async () => {
    await assert.rejects(
      build(join(dir, 'missing.crt')),
      (e: unknown) =>
        e instanceof UserError &&
        /cannot read the certificate file .*missing\.crt \(ENOENT\)/.test(e.message),
    );
    await assert.rejects(
      build(join(dir, 'folder.crt')),
      (e: unknown) => e instanceof UserError && /folder\.crt \(EISDIR\)/.test(e.message),
    );
    await assert.rejects(
      build(join(dir, 'der.crt')),
      (e: unknown) =>
        e instanceof UserError &&
        /der\.crt holds no PEM certificate/.test(e.message) &&
        /PEM \(Base-64\), not DER/.test(e.fix ?? ''),
    );
  });
});
