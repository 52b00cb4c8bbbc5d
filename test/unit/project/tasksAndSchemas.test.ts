import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KNOWN_KEYS, profileFromSpec } from '../../../src/core/jobs/profile';
import {
  TASK_COMMANDS,
  taskDefinitionProblem,
  taskLabel,
  taskProcess,
} from '../../../src/core/tasks';
import { HYPERPARAMETER_NAMES, INFERENCE_TYPES } from '../../../src/core/training/hyperparameters';
import { sampleSpec } from '../sagemaker/fixtures';

// The `tfod` task type, the `$tfod` problem matcher over `tfod validate`'s real output, the JSON
// schema of .tfod/job.json against the profile reader, and the [textproto] editor defaults.
const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cli = join(root, 'dist', 'cli.js');

describe('the tfod task type and the $tfod problem matcher', () => {
  let dir: string;
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\` first`);
    dir = mkdtempSync(join(tmpdir(), 'tfod-task-'));
    cpSync(join(root, 'test', 'fixtures', 'validation-project'), join(dir, 'project'), {
      recursive: true,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('declares the commands the provider runs, and refuses others by name', () => {
    const definition = pkg.contributes.taskDefinitions.find(
      (d: { type: string }) => d.type === 'tfod',
    );
    assert.deepEqual(definition.properties.command.enum, [...TASK_COMMANDS]);
    assert.ok(pkg.activationEvents.includes('onTaskType:tfod'));
    assert.equal(taskDefinitionProblem({ command: 'validate', args: ['.'] }), undefined);
    assert.match(taskDefinitionProblem({ command: 'rm' }) ?? '', /one of validate, .*not "rm"/);
    assert.match(taskDefinitionProblem({ command: 'jobs', args: [1] }) ?? '', /list of strings/);
    assert.equal(taskLabel({ type: 'tfod', command: 'validate', args: ['.'] }), 'tfod validate .');
  });

  it("matches every diagnostic line the bundled CLI's validate prints, with file, line and column", () => {
    const run = taskProcess(
      { type: 'tfod', command: 'validate', args: ['.'] },
      cli,
      process.execPath,
    );
    assert.deepEqual(run.problemMatchers, ['$tfod']);
    assert.deepEqual(
      taskProcess({ type: 'tfod', command: 'jobs' }, cli, 'node').problemMatchers,
      [],
    );
    const result = spawnSync(run.process, run.args, {
      cwd: join(dir, 'project'),
      env: { ...process.env, ...run.env },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    const matcher = pkg.contributes.problemMatchers.find(
      (m: { name: string }) => m.name === 'tfod',
    );
    const pattern = new RegExp(matcher.pattern.regexp);
    const lines = result.stdout.trim().split('\n');
    const diagnostics = lines.filter((line) => !/files? checked/.test(line));
    assert.equal(diagnostics.length, 2, result.stdout);
    for (const line of diagnostics) {
      const m = pattern.exec(line);
      assert.ok(m, `the matcher reads ${line}`);
      const file = m[matcher.pattern.file]!;
      assert.ok(existsSync(join(dir, 'project', file)), `${file} is relative to the folder`);
      assert.ok(Number(m[matcher.pattern.line]) >= 1 && Number(m[matcher.pattern.column]) >= 1);
      assert.equal(m[matcher.pattern.severity], 'error');
    }
    const unknown = diagnostics.map((l) => pattern.exec(l)!).find((m) => /bacth_size/.test(m[5]!));
    assert.deepEqual([unknown?.[1], unknown?.[2], unknown?.[3]], ['pipeline.config', '134', '3']);
    // The Problems panel shows plain text: the task asks for names quoted without Markdown.
    assert.ok(run.args.includes('--plain-quotes'), run.args.join(' '));
    assert.match(unknown?.[5] ?? '', /'bacth_size'/);
    for (const line of diagnostics) assert.doesNotMatch(line, /`/, line);
    assert.doesNotMatch(lines.at(-1) ?? '', pattern, 'the summary line is not a problem');
  });
});

describe('the JSON schema of .tfod/job.json', () => {
  const validation = pkg.contributes.jsonValidation.find(
    (v: { fileMatch: string }) => v.fileMatch === '.tfod/job.json',
  );
  const schema = JSON.parse(readFileSync(join(root, validation.url), 'utf8'));

  it('names exactly the fields and hyperparameters the profile reader accepts', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), [...KNOWN_KEYS].sort());
    assert.equal(schema.additionalProperties, false);
    const hyper = schema.properties.hyperparameters;
    assert.deepEqual(Object.keys(hyper.properties).sort(), [...HYPERPARAMETER_NAMES].sort());
    assert.deepEqual(hyper.properties.inference_type.enum, [...INFERENCE_TYPES]);
  });

  it('accepts the profile Start Training Job saves', () => {
    const profile = profileFromSpec(sampleSpec()) as Record<string, unknown>;
    const typeOf = (value: unknown): string =>
      Array.isArray(value)
        ? 'array'
        : Number.isInteger(value)
          ? 'integer'
          : value === null
            ? 'null'
            : typeof value;
    const check = (value: unknown, rule: Record<string, unknown>, where: string): void => {
      const types = ([] as string[]).concat((rule.type as string | string[]) ?? []);
      assert.ok(
        types.length === 0 ||
          types.includes(typeOf(value)) ||
          (types.includes('number') && typeof value === 'number'),
        `${where}: ${typeOf(value)} is not ${types.join('|')}`,
      );
      if (typeof rule.pattern === 'string' && typeof value === 'string')
        assert.match(value, new RegExp(rule.pattern), where);
      if (Array.isArray(rule.enum)) assert.ok(rule.enum.includes(value), `${where}: ${value}`);
      if (typeOf(value) === 'object') {
        const properties = (rule.properties ?? {}) as Record<string, Record<string, unknown>>;
        for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
          const innerRule =
            properties[key] ??
            (typeof rule.additionalProperties === 'object'
              ? (rule.additionalProperties as Record<string, unknown>)
              : undefined);
          assert.ok(innerRule || rule.additionalProperties !== false, `${where}.${key} is allowed`);
          if (innerRule) check(inner, innerRule, `${where}.${key}`);
        }
        for (const key of (rule.required as string[] | undefined) ?? [])
          assert.ok(key in (value as object), `${where}.${key} is required`);
      }
    };
    assert.ok(Object.keys(profile).length >= 6, JSON.stringify(profile));
    check(profile, schema, 'job.json');
    // And it refuses what the reader refuses: an unknown field.
    assert.throws(() => check({ ...profile, instanceTyp: 'x' }, schema, 'job.json'));
  });
});

describe('editor defaults for text format', () => {
  it('indents by two spaces as the formatter does, and suggests no words from comments', () => {
    const defaults = pkg.contributes.configurationDefaults['[textproto]'];
    assert.equal(defaults['editor.tabSize'], 2);
    assert.equal(defaults['editor.insertSpaces'], true);
    assert.equal(defaults['editor.detectIndentation'], false);
    assert.equal(defaults['editor.wordBasedSuggestions'], 'off');
    // Semantic tokens colour field names in every theme, not only in those that opt in.
    assert.equal(defaults['editor.semanticHighlighting.enabled'], true);
    const printer = readFileSync(join(root, 'src', 'textproto', 'printer.ts'), 'utf8');
    assert.match(printer, /two-space indent/);
  });
});
