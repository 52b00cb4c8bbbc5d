import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  describeImageBuildSettings,
  imageBuildSettings,
} from '../../../src/core/image/buildSettings';

// tfod.image.buildArgs and tfod.image.caCertificates: what Build Training Image needs on a network
// without Docker Hub, checked as read from the settings (any JSON a user may have written).
describe('the image build settings', () => {
  const workspace = join('/', 'home', 'me', 'project');

  it('are empty by default', () => {
    const settings = imageBuildSettings({}, workspace);
    assert.deepEqual(settings, { buildArgs: {}, caCertificates: [] });
    assert.equal(describeImageBuildSettings(settings), 'no build arguments, no certificate files');
  });

  it('keep the build arguments and resolve a relative certificate path from the workspace', () => {
    const settings = imageBuildSettings(
      {
        buildArgs: { BASE_IMAGE: 'mirror.example.com/tf:2.9.1', NODE_SOURCE: 'npm' },
        caCertificates: ['/etc/ssl/certs/ca-certificates.crt', 'certs/proxy.pem '],
      },
      workspace,
    );
    assert.deepEqual(settings.buildArgs, {
      BASE_IMAGE: 'mirror.example.com/tf:2.9.1',
      NODE_SOURCE: 'npm',
    });
    assert.deepEqual(settings.caCertificates, [
      '/etc/ssl/certs/ca-certificates.crt',
      join(workspace, 'certs', 'proxy.pem'),
    ]);
    assert.equal(
      describeImageBuildSettings(settings),
      'BASE_IMAGE=mirror.example.com/tf:2.9.1 NODE_SOURCE=npm, 2 certificate files',
    );
  });

  it('refuse what is not a build argument, naming the setting and how to write it', () => {
    const refused = (buildArgs: unknown, message: RegExp, fix: RegExp) =>
      assert.throws(
        () => imageBuildSettings({ buildArgs }, workspace),
        (e: unknown) =>
          e instanceof UserError &&
          e.message.includes('tfod.image.buildArgs') &&
          message.test(e.message) &&
          fix.test(e.fix ?? ''),
      );
    refused(['BASE_IMAGE=x'], /is not an object of build arguments/, /\{ "NAME": "value" \}/);
    refused('BASE_IMAGE=x', /is not an object/, /BASE_IMAGE/);
    refused({ 'BASE-IMAGE': 'x' }, /'BASE-IMAGE' in the setting/, /letters, digits and _/);
    refused({ ARCHITECTURE: '2.9.1' }, /sets ARCHITECTURE/, /build's first step/);
    refused(
      { NODE_VERSION: 20 },
      /NODE_VERSION .* is a number, not a string/,
      /"NODE_VERSION": "20"/,
    );
    refused({ NODE_SOURCE: null }, /NODE_SOURCE .* is null/, /in quotes/);
  });

  it('refuse certificate entries that are not paths, and a relative one with no folder open', () => {
    for (const caCertificates of ['/etc/ssl/cert.pem', [''], [42]])
      assert.throws(
        () => imageBuildSettings({ caCertificates }, workspace),
        (e: unknown) =>
          e instanceof UserError &&
          /tfod\.image\.caCertificates is not a list of file paths/.test(e.message),
      );
    assert.throws(
      () => imageBuildSettings({ caCertificates: ['proxy.pem'] }, undefined),
      (e: unknown) =>
        e instanceof UserError &&
        /proxy\.pem in the setting .* relative path, and no folder is open/.test(e.message),
    );
  });
});
