import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readLocalizedManifest } from './localizedManifest';

// The manifest is code VS Code executes; these checks catch a contribution that points nowhere.
const root = join(__dirname, '..', '..', '..');
const pkg = readLocalizedManifest(root);
const contributes = pkg.contributes;

/** A setting's schema, as loosely typed as the rest of the manifest here. */
type Setting = ReturnType<typeof JSON.parse>;
interface SettingsSection {
  id: string;
  title: string;
  order: number;
  properties: Record<string, Setting>;
}
const sections = contributes.configuration as SettingsSection[];
/** Every setting, whichever section of the Settings editor it is in. */
const settings: SettingsSection['properties'] = Object.assign(
  {},
  ...sections.map((s) => s.properties),
);

/**
 * The "Category: Label" the Settings editor shows for `key` in the group `groupId` as you browse
 * it (VS Code's settingKeyToDisplayFormat): the key's last part is the label, the parts before
 * it the category, less the longest leading part of the group's id that begins it; the words
 * capitalised, dots shown as " › ". Enough of the rule for our ids, which are key prefixes.
 */
function settingsEditorLabel(key: string, groupId: string): string {
  const dot = key.lastIndexOf('.');
  let category = key.slice(0, dot);
  const label = key.slice(dot + 1);
  const parts = groupId.split('.');
  for (let n = parts.length; n > 0; n--) {
    const prefix = parts.slice(0, n).join('.');
    if (category === prefix || category.startsWith(`${prefix}.`)) {
      category = category.slice(prefix.length + 1);
      break;
    }
  }
  const words = (text: string) =>
    text
      .replace(/\.([a-z0-9])/g, (_m, c: string) => ` › ${c.toUpperCase()}`)
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/^[a-z]/, (c) => c.toUpperCase());
  return category ? `${words(category)}: ${words(label)}` : words(label);
}

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
    const welcomes = contributes.viewsWelcome.filter(
      (w: { view: string }) => w.view === 'tfod.views.jobs',
    );
    assert.ok(welcomes.length > 0, 'welcome content for tfod.views.jobs');
    const linked = welcomes.flatMap((welcome: { contents: string }) =>
      [...welcome.contents.matchAll(/\(command:([\w.]+)/g)].map((m: RegExpMatchArray) => m[1]),
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

  it('has one welcome per state of the jobs view, each with one button and real commands', () => {
    const welcomes = contributes.viewsWelcome.filter(
      (w: { view: string }) => w.view === 'tfod.views.jobs',
    ) as { when: string; contents: string }[];
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    const states = [
      // [trusted, target, docker] -> the welcome that shows
      { trusted: false, target: 'local', docker: undefined, says: /Restricted Mode/ },
      { trusted: true, target: 'local', docker: 'notRunning', says: /Docker is not running/ },
      { trusted: true, target: 'local', docker: 'running', says: /Create Sample Project/ },
      { trusted: true, target: undefined, docker: undefined, says: /Create Sample Project/ },
      { trusted: true, target: 'sagemaker', docker: 'notRunning', says: /Amazon SageMaker/ },
    ];
    for (const state of states) {
      const shown = welcomes.filter((w) => evaluateWhen(w.when, state));
      assert.equal(shown.length, 1, `one welcome for ${JSON.stringify(state)}`);
      assert.match(shown[0]!.contents, state.says);
    }
    for (const { contents } of welcomes) {
      // A line that is only a command link is a button; one per state, the rest are links.
      const buttons = contents.split('\n').filter((line) => /^\[[^\]]+\]\([^)]+\)$/.test(line));
      assert.equal(buttons.length, 1, contents);
      for (const [, id] of contents.matchAll(/\(command:([\w.]+)/g))
        assert.ok(contributed.has(id) || id!.startsWith('workbench.'), `unknown command ${id}`);
    }
    const local = welcomes.find((w) => /Create Sample Project/.test(w.contents))!.contents;
    assert.doesNotMatch(local, /S3|ECR|AWS Profile/, 'no AWS actions on the local welcome');
  });

  it('offers S3, ECR, AWS profile and deploy actions only off the local target', () => {
    const palette = contributes.menus.commandPalette as { command: string; when: string }[];
    for (const id of [
      'tfod.data.upload',
      'tfod.image.push',
      'tfod.image.buildAndPush',
      'tfod.aws.selectProfile',
      'tfod.aws.selectRegion',
      'tfod.endpoint.deploy',
    ]) {
      const entry = palette.find((e) => e.command === id);
      assert.equal(entry?.when, 'tfod:target != local', id);
      // Before activation the key is unset: the entry still shows.
      assert.ok(evaluateWhen(entry!.when, { trusted: true }), `${id} before activation`);
      assert.ok(!evaluateWhen(entry!.when, { trusted: true, target: 'local' }), id);
    }
    const title = contributes.menus['view/title'] as { command: string; when: string }[];
    for (const id of ['tfod.data.upload', 'tfod.image.buildAndPush'])
      assert.match(title.find((e) => e.command === id)?.when ?? '', /tfod:target != local/);
    assert.match(
      title.find((e) => e.command === 'tfod.image.build')?.when ?? '',
      /tfod:target != sagemaker/,
    );
  });

  it('declares Restricted Mode support, restricting every setting that steers data, images or jobs', () => {
    const trust = pkg.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    for (const key of trust.restrictedConfigurations)
      assert.ok(key in settings, `${key} is a setting`);
    for (const key of [
      'tfod.target',
      'tfod.aws.profile',
      'tfod.aws.region',
      'tfod.image.repository',
      'tfod.training.roleArn',
      'tfod.data.s3Prefix',
      'tfod.modelZoo.url',
    ])
      assert.ok(trust.restrictedConfigurations.includes(key), `${key} is restricted`);
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    // The commands that work untrusted run no Docker and no AWS (registerCommands asks for trust
    // for every other).
    const source = readFileSync(join(root, 'src', 'extension', 'commands', 'index.ts'), 'utf8');
    const untrusted = /RESTRICTED_MODE_COMMANDS[^=]*= new Set\(\[([^\]]*)\]/.exec(source)?.[1];
    assert.deepEqual([...(untrusted ?? '').matchAll(/'([\w.]+)'/g)].map((m) => m[1]).sort(), [
      'tfod.jobs.refresh',
      'tfod.log.show',
      'tfod.palette.show',
      'tfod.sample.create',
      'tfod.target.select',
    ]);
  });

  it('orders the settings: the target first, then AWS, data and images, the local target, validation', () => {
    const ordered = Object.entries(settings).sort(
      (a, b) => ((a[1].order as number) ?? 99) - ((b[1].order as number) ?? 99),
    );
    assert.equal(ordered[0]?.[0], 'tfod.target');
    assert.ok(Object.values(settings).every((p) => typeof p.order === 'number'));
    assert.equal(new Set(Object.values(settings).map((p) => p.order)).size, ordered.length);
  });

  it('names the settings under the extension in the Settings editor, never "Tfod › …"', () => {
    // With one section VS Code groups the settings by the extension's id
    // (tfod-sagemaker.tfod-sagemaker), which is no prefix of the keys: every setting read
    // "Tfod › Aws: Profile". With several, each section's id is its group: ids that begin the
    // keys leave the rest ("Profile"), under the section's title.
    assert.ok(sections.length >= 2, 'several sections, so that their ids name the groups');
    const ids = sections.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, 'one id per section');
    for (const section of sections) {
      assert.notEqual(section.id, `${pkg.publisher}.${pkg.name}`);
      assert.ok(section.title, `${section.id} has a title`);
      for (const key of Object.keys(section.properties)) {
        assert.ok(key === section.id || key.startsWith(`${section.id.split('.')[0]}.`), key);
        assert.doesNotMatch(settingsEditorLabel(key, section.id), /^Tfod\b/, key);
      }
    }
    // The first section, the target on top, is "Object Detection". Not the extension's own name:
    // VS Code would show that section's settings on the extension's node, grouped by the
    // extension's id again ("Tfod: Target", as the e2e test saw).
    const first = [...sections].sort((a, b) => a.order - b.order)[0]!;
    assert.equal(first.title, 'Object Detection');
    for (const section of sections) assert.notEqual(section.title, pkg.displayName, section.id);
    assert.equal(Object.keys(first.properties)[0], 'tfod.target');
    assert.equal(settingsEditorLabel('tfod.target', first.id), 'Target');
    assert.equal(settingsEditorLabel('tfod.aws.profile', 'tfod.aws'), 'Profile');
    assert.equal(settingsEditorLabel('tfod.data.s3Prefix', 'tfod.aws'), 'Data: S3 Prefix');
    // What one section made of the same key, as a check on the rule above.
    assert.equal(
      settingsEditorLabel('tfod.aws.profile', 'tfod-sagemaker.tfod-sagemaker'),
      'Tfod › Aws: Profile',
    );
    // Within each section, the settings in their order.
    for (const section of sections) {
      const orders = Object.values(section.properties).map((p) => p.order as number);
      assert.deepEqual(
        orders,
        [...orders].sort((a, b) => a - b),
        section.id,
      );
    }
  });

  it('gives configs and label maps a file icon for light and dark themes', () => {
    const language = contributes.languages.find((l: { id: string }) => l.id === 'textproto');
    for (const theme of ['light', 'dark']) {
      const svg = readFileSync(join(root, language.icon[theme]), 'utf8');
      assert.match(svg, /^<svg /);
      assert.doesNotMatch(svg, /currentColor/, 'a file icon is an image: no theme colour');
    }
  });

  it('reaches the AWS profile and region in every window (not machine-scoped)', () => {
    for (const key of ['tfod.aws.profile', 'tfod.aws.region'])
      assert.equal(settings[key].scope, 'window', key);
  });

  it('contributes exactly the commands the extension registers, named tfod.<area>.<verb> in one category', () => {
    const contributed = contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, registeredCommandIds().sort());
    for (const command of contributes.commands) {
      assert.match(command.command, /^tfod\.[a-z]+\.[a-zA-Z]+$/);
      assert.equal(command.category, 'Object Detection');
    }
  });

  it('has a walkthrough whose steps link real commands, complete on them, and show files that ship', () => {
    const [walkthrough, ...others] = contributes.walkthroughs as {
      id: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string; image?: string };
        completionEvents: string[];
      }[];
    }[];
    assert.ok(walkthrough, 'contributes.walkthroughs');
    assert.equal(others.length, 0);
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['target', 'project', 'image', 'validate', 'train', 'preview'],
    );
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const step of walkthrough.steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(linked.length > 0, `${step.id} links a command`);
      for (const id of linked) assert.ok(contributed.has(id), `${step.id} links unknown ${id}`);
      assert.ok(step.completionEvents.length > 0, `${step.id} completes on something`);
      for (const event of step.completionEvents) {
        const command = /^onCommand:(tfod\.[\w.]+)$/.exec(event)?.[1];
        assert.ok(command && contributed.has(command), `${step.id}: ${event}`);
      }
      // A step is done when the user runs the command it links (all of them, for a choice).
      for (const id of linked)
        assert.ok(step.completionEvents.includes(`onCommand:${id}`), `${step.id} on ${id}`);
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media, `${step.id} has media`);
      assert.ok(existsSync(join(root, media)), `${step.id}: ${media} exists`);
      assert.match(media, /^media\/walkthrough\/[\w-]+\.md$/);
      assert.ok(readFileSync(join(root, media), 'utf8').startsWith('# '), `${media} has a heading`);
    }
    assert.ok(shipped.includes('!media/walkthrough/*.md'), 'the .vsix carries the steps');
  });

  it('every menu entry refers to a contributed command', () => {
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    for (const [menu, entries] of Object.entries(contributes.menus ?? {})) {
      for (const entry of entries as { command: string }[]) {
        assert.ok(contributed.has(entry.command), `${menu} refers to ${entry.command}`);
      }
    }
  });

  it('offers the Explorer folder actions where they apply, together in a group of their own', () => {
    const explorer = contributes.menus['explorer/context'] as {
      command: string;
      when: string;
      group: string;
    }[];
    const shows = (id: string, state: Parameters<typeof evaluateWhen>[1]) => {
      const entry = explorer.find((e) => e.command === id);
      assert.ok(entry, `${id} is in the Explorer's context menu`);
      return entry.when.split('||').some((when) => evaluateWhen(when, state));
    };
    const folder = { trusted: true, folder: true };
    for (const id of ['tfod.data.upload', 'tfod.job.start', 'tfod.data.convert']) {
      assert.ok(shows(id, { ...folder, target: 'sagemaker' }), `${id} on a folder`);
      assert.ok(!shows(id, { ...folder, trusted: false }), `${id} not in Restricted Mode`);
      assert.ok(!shows(id, { trusted: true, folder: false, extname: '.png' }), `${id} on a file`);
    }
    assert.ok(!shows('tfod.data.upload', { ...folder, target: 'local' }), 'no S3 on local');
    assert.ok(shows('tfod.data.upload', folder), 'upload before activation');
    assert.ok(shows('tfod.job.start', { ...folder, target: 'local' }), 'a local job too');
    assert.ok(shows('tfod.data.convert', { trusted: true, folder: false, extname: '.json' }));
    assert.deepEqual(new Set(explorer.map((e) => e.group.split('@')[0])), new Set(['tfod']));
    // The palette's entries know nothing of the Explorer.
    const palette = contributes.menus.commandPalette as { when: string }[];
    assert.ok(palette.every((e) => !/explorerResource/.test(e.when)));
  });

  it('has the target, jobs view and AWS settings with safe defaults', () => {
    const properties = settings;
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
      assert.match(key, /^tfod\.([a-z][a-zA-Z]*\.)?[a-zA-Z][a-zA-Z0-9]*$/);
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

/**
 * The `when` clauses this manifest uses, evaluated as VS Code does for the keys involved: `&&`,
 * `!key`, `key == value`, `key != value` (an unset key equals nothing), `resourceExtname =~ /re/`.
 */
function evaluateWhen(
  when: string,
  state: {
    trusted: boolean;
    target?: string | undefined;
    docker?: string | undefined;
    /** The Explorer's resource: a folder, or a file with this extension. */
    folder?: boolean;
    extname?: string;
  },
): boolean {
  const keys: Record<string, string | boolean | undefined> = {
    isWorkspaceTrusted: state.trusted,
    'tfod:target': state.target,
    'tfod:docker': state.docker,
    explorerResourceIsFolder: state.folder,
  };
  return when.split('&&').every((part) => {
    const clause = part.trim();
    const match = /^resourceExtname =~ \/(.+)\/(i?)$/.exec(clause);
    if (match) return new RegExp(match[1]!, match[2]).test(state.extname ?? '');
    const comparison = /^([\w:]+)\s*(==|!=)\s*(\w+)$/.exec(clause);
    if (comparison) {
      const [, key, op, value] = comparison;
      assert.ok(key! in keys, `unknown key ${key}`);
      return (keys[key!] === value) === (op === '==');
    }
    const negated = clause.startsWith('!');
    const key = clause.replace(/^!/, '');
    assert.ok(key in keys, `unknown key ${key}`);
    return Boolean(keys[key]) !== negated;
  });
}
