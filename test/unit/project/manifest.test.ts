import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The manifest is code VS Code executes; these checks catch a contribution that points nowhere.
const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

/** Command ids the extension registers (the COMMANDS table in src/extension/commands/index.ts). */
function registeredCommandIds(): string[] {
  const source = readFileSync(join(root, 'src', 'extension', 'commands', 'index.ts'), 'utf8');
  const table = /export const COMMANDS = \{([\s\S]*?)\} as const/.exec(source);
  assert.ok(table, 'COMMANDS table not found');
  return [...(table[1] ?? '').matchAll(/'(tfod\.[\w.]+)'\s*:/g)].map((m) => m[1] ?? '');
}

describe('package.json manifest', () => {
  it('names the extension as the design says', () => {
    assert.equal(pkg.name, 'tfod-sagemaker');
    assert.equal(pkg.displayName, 'TensorFlow Object Detection for SageMaker');
    assert.equal(pkg.main, './dist/extension.js');
  });

  it('activates lazily', () => {
    assert.ok(Array.isArray(pkg.activationEvents));
    assert.ok(!pkg.activationEvents.includes('*'), 'no * activation');
    assert.ok(pkg.activationEvents.includes('onView:tfod.views.jobs'));
    // Not on every XML file (a model-zoo *.config opened as XML is switched once active).
    assert.ok(!pkg.activationEvents.includes('onLanguage:xml'));
    // A restored webview panel activates the extension that serializes it.
    for (const panel of ['tfod.preview', 'tfod.metrics'])
      assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${panel}`), panel);
  });

  it('has the jobs view in its own activity-bar container, with a welcome that links real commands', () => {
    const container = contributes.viewsContainers.activitybar.find(
      (c: { id: string }) => c.id === 'tfod',
    );
    assert.ok(container, 'activity bar container tfod');
    assert.ok(contributes.views.tfod.some((v: { id: string }) => v.id === 'tfod.views.jobs'));
    const welcome = contributes.viewsWelcome.find(
      (w: { view: string }) => w.view === 'tfod.views.jobs',
    );
    assert.ok(welcome, 'welcome content for tfod.views.jobs');
    const linked = [...welcome.contents.matchAll(/\(command:([\w.]+)/g)].map(
      (m: RegExpMatchArray) => m[1],
    );
    assert.ok(linked.length >= 2, 'the welcome has buttons');
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const id of linked) {
      assert.ok(
        contributed.has(id) || id.startsWith('workbench.'),
        `welcome links unknown command ${id}`,
      );
    }
  });

  it('contributes exactly the commands the extension registers, named tfod.<area>.<verb> in one category', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, registeredCommandIds().sort());
    for (const command of contributes.commands) {
      assert.match(command.command, /^tfod\.[a-z]+\.[a-zA-Z]+$/);
      assert.equal(command.category, 'Object Detection');
    }
  });

  it('every menu entry refers to a contributed command', () => {
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const [menu, entries] of Object.entries(contributes.menus ?? {})) {
      for (const entry of entries as { command: string }[]) {
        assert.ok(contributed.has(entry.command), `${menu} refers to ${entry.command}`);
      }
    }
  });

  it('has the target, jobs view and AWS settings with safe defaults', () => {
    const properties = contributes.configuration.properties;
    assert.deepEqual(properties['tfod.target'].enum, ['local', 'sagemaker']);
    assert.equal(properties['tfod.target'].default, 'local');
    assert.deepEqual(properties['tfod.jobs.targets'].enum, ['all', 'selected']);
    assert.equal(properties['tfod.jobs.targets'].default, 'all');
    assert.equal(properties['tfod.aws.profile'].default, '');
    assert.equal(properties['tfod.aws.region'].default, '');
    const region = new RegExp(properties['tfod.aws.region'].pattern);
    for (const ok of ['', 'us-east-1', 'eu-west-2', 'ap-southeast-3', 'us-gov-west-1'])
      assert.ok(region.test(ok), ok);
    for (const bad of ['US-EAST-1', 'us-east', 'useast1']) assert.ok(!region.test(bad), bad);
    for (const key of Object.keys(properties)) {
      // camelCase names; digits allowed after the first letter (tfod.data.s3Prefix).
      assert.match(key, /^tfod\.([a-z]+\.)?[a-zA-Z][a-zA-Z0-9]*$/);
      assert.doesNotMatch(key, /\.\d|[-_]/);
      assert.doesNotMatch(key, /secret|password|accessKey|token/i, 'no secrets in settings');
    }
  });

  it('keeps native TensorFlow out of the root package, and in the container package', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies };
    assert.ok(!('@tensorflow/tfjs-node' in all) && !('@tensorflow/tfjs-node-gpu' in all));
    for (const dep of [
      '@aws-sdk/client-sagemaker',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-ecr',
      'dockerode',
      'vscode-languageclient',
    ]) {
      assert.ok(dep in pkg.dependencies, `${dep} is a dependency`);
    }
    assert.ok('@types/vscode' in pkg.devDependencies);
    // The image installs one binding (install.sh tfjs), by the name and version declared here;
    // as dependencies, a CPU image would first download the GPU one.
    const container = JSON.parse(readFileSync(join(root, 'container', 'package.json'), 'utf8'));
    assert.equal(container.dependencies, undefined);
    assert.deepEqual(container.tfodNativeBindings, {
      gpu: `@tensorflow/tfjs-node-gpu@${pkg.dependencies['@tensorflow/tfjs-core'].replace(/^\^/, '')}`,
      cpu: `@tensorflow/tfjs-node@${pkg.dependencies['@tensorflow/tfjs-core'].replace(/^\^/, '')}`,
    });
  });

  it('engines.vscode is not older than the API types the code compiles against', () => {
    const types = JSON.parse(
      readFileSync(join(root, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8'),
    );
    const [major, minor] = types.version.split('.').map(Number);
    const [emajor, eminor] = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    assert.ok(
      emajor > major || (emajor === major && eminor >= minor),
      `${pkg.engines.vscode} vs @types/vscode ${types.version}`,
    );
  });
});
