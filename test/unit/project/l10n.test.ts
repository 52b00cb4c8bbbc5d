// Localisation: the manifest's strings live in package.nls.json (no key missing, none unused, no
// user-visible field left in English in package.json), and the extension's messages go through
// vscode.l10n.t, the webviews' through t() (media/common/l10n.ts), with literal messages whose {n}
// placeholders match their arguments, exported to l10n/bundle.l10n.json (scripts/l10n.mjs), which
// must be current.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { ENDPOINT_STATUSES, TRAINING_JOB_STATUSES } from '../../../src/core/jobs/types';
import { english, l10n } from '../../../src/extension/l10n';

const root = join(__dirname, '..', '..', '..');
const manifestText = readFileSync(join(root, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Record<string, unknown>;
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<
  string,
  string
>;

/** The fields VS Code shows to users, wherever they appear in the manifest. */
const SHOWN = new Set([
  'displayName',
  'description',
  'markdownDescription',
  'title',
  'shortTitle',
  'category',
  'contents',
  'contextualTitle',
  'patternErrorMessage',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'enumDescriptions',
  'markdownEnumDescriptions',
]);

/** Every string of the manifest with the path to it (`contributes.commands.0.title`). */
function strings(value: unknown, path: string[] = []): [string[], string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

interface L10nCall {
  message: string | undefined;
  args: number;
  where: string;
}

/** scripts/l10n.mjs, the exporter of l10n/bundle.l10n.json. */
async function exporter(): Promise<{
  l10nCalls: () => L10nCall[];
  bundleText: () => string;
  BUNDLE: string;
}> {
  return (await import(join(root, 'scripts', 'l10n.mjs'))) as Awaited<ReturnType<typeof exporter>>;
}

describe('localisation', () => {
  it('names every manifest string by a key of package.nls.json, and every key is used', () => {
    const used = new Set<string>();
    for (const [path, value] of strings(manifest)) {
      const key = /^%([\w.-]+)%$/.exec(value)?.[1];
      if (key !== undefined) {
        assert.ok(key in nls, `${path.join('.')}: %${key}% is not in package.nls.json`);
        used.add(key);
      }
    }
    assert.deepEqual(
      Object.keys(nls).filter((key) => !used.has(key)),
      [],
      'keys of package.nls.json no %key% names',
    );
    for (const value of Object.values(nls)) assert.ok(value.trim().length > 0);
  });

  it('leaves no user-visible field of package.json in English', () => {
    const literal = strings(manifest).filter(([path, value]) => {
      // An enum description's path ends in its index; the field is the one before.
      const field = /^\d+$/.test(path.at(-1)!) ? path.at(-2)! : path.at(-1)!;
      // The views' `name` is shown; a problem matcher's `name` is an id, its `label` is shown.
      const shown =
        SHOWN.has(field) ||
        (field === 'name' && path[1] === 'views') ||
        (field === 'label' && path[1] === 'problemMatchers') ||
        (path[1] === 'languages' && path[3] === 'aliases' && path[4] === '0');
      return shown && !/^%[\w.-]+%$/.test(value);
    });
    assert.deepEqual(
      literal.map(([path]) => path.join('.')),
      [],
    );
  });

  it('sends every message of the extension through vscode.l10n.t, with a literal message', async () => {
    const { l10nCalls } = await exporter();
    const calls = l10nCalls();
    assert.ok(calls.length > 100, `${calls.length} calls`);
    for (const call of calls) {
      assert.ok(call.message !== undefined, `${call.where}: the message is not a string literal`);
      // {0}..{n-1}, each argument used, none missing: a translation keeps the same placeholders.
      const used = new Set([...call.message.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
      assert.deepEqual(
        [...used].sort((a, b) => a - b),
        Array.from({ length: call.args }, (_, i) => i),
        `${call.where}: placeholders of "${call.message}"`,
      );
      assert.doesNotMatch(call.message, /`/, `${call.where}: plain text, no Markdown quotes`);
    }
  });

  it('shows no notification whose text is written in English in the code', () => {
    const offenders: string[] = [];
    for (const file of walk(join(root, 'src', 'extension'))) {
      const source = parse(file);
      const visit = (node: ts.Node): void => {
        if (
          ts.isCallExpression(node) &&
          /\.show(Information|Warning|Error)Message$/.test(node.expression.getText(source))
        ) {
          const first = node.arguments[0];
          if (
            first &&
            (ts.isStringLiteralLike(first) ||
              ts.isTemplateExpression(first) ||
              ts.isBinaryExpression(first))
          ) {
            const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
            offenders.push(`${file.slice(root.length + 1)}:${line + 1}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    assert.deepEqual(offenders, []);
  });

  it('writes no prose as a literal in the extension host', () => {
    // What src/extension shows (tree labels, tooltip rows, status bar text, a UserError's reason
    // and fix, channel and panel names) is built from l10n.t calls and data. Prose is two words in
    // a row, or a capitalised word ("Created", "Endpoints"); the literals that may hold it are the
    // messages of l10n.t themselves, log lines (English by design), an internal Error's message (a
    // bug, reported like a log line), the field a core validator names in its own English sentence
    // (resourceNameProblem(value, 'endpoint name')), SageMaker's statuses, compared or passed as
    // values, HTML markup, imports and types.
    const offenders: string[] = [];
    const files = walk(join(root, 'src', 'extension'));
    assert.ok(files.some((file) => file.endsWith('presentation.ts')));
    assert.ok(files.some((file) => file.endsWith('registerCommand.ts')));
    for (const file of files)
      for (const { line, text } of proseLiterals(file))
        offenders.push(`${file.slice(root.length + 1)}:${line}: ${JSON.stringify(text)}`);
    assert.deepEqual(offenders, []);
  });

  it('finds the prose a literal would bring back into the extension host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-l10n-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'presentation.ts');
    writeFileSync(
      file,
      [
        "row('Created', when);",
        'lines.push(`Model: ${name}  `);',
        "const item = new vscode.TreeItem('Endpoints');",
        "const label = failed ? 'not listed' : l10n.t('{0} training jobs', count);",
        "if (job.status === 'Completed') ctx.log.warn(`jobs view: cannot list ${kind}`);",
        "item.text = '$(sync~spin) AWS'; const look = { icon: 'sync~spin', color: 'charts.blue' };",
        "throw new UserError(`job ${name} has no model`, 'Serve a job that has Completed');",
        "if (!kind) throw new Error('flow: no kind chosen');",
        "validate: (v) => resourceNameProblem(v, 'endpoint name'), statuses: ['Completed', 'InService'],",
        'const html = `<!DOCTYPE html><html lang="${lang}"><title>${title}</title>`;',
        'createOutputChannel(`Training Job: ${job.name}`);',
      ].join('\n'),
    );
    assert.deepEqual(proseLiterals(file), [
      { line: 1, text: 'Created' },
      { line: 2, text: 'Model: ' },
      { line: 3, text: 'Endpoints' },
      { line: 4, text: 'not listed' },
      { line: 7, text: ' has no model' },
      { line: 7, text: 'Serve a job that has Completed' },
      { line: 11, text: 'Training Job: ' },
    ]);
  });

  it("sends the webviews' texts through t(), and exports them with the extension's", async () => {
    const { l10nCalls, BUNDLE } = await exporter();
    const bundle = JSON.parse(readFileSync(BUNDLE, 'utf8')) as Record<string, string>;
    const media = l10nCalls().filter((call) => call.where.startsWith('media/'));
    for (const panel of ['preview', 'records', 'metrics', 'evaluation'])
      assert.ok(
        media.filter((call) => call.where.startsWith(`media/${panel}/`)).length >= 5,
        `media/${panel} has its texts in t() calls`,
      );
    for (const call of media)
      assert.ok(
        call.message !== undefined && call.message in bundle,
        `${call.where}: "${call.message}" is not in l10n/bundle.l10n.json`,
      );
    assert.equal(bundle['records {0}-{1} of {2}'], 'records {0}-{1} of {2}');
    assert.equal(bundle['Add Images…'], 'Add Images…');
  });

  it('leaves no English text in the webviews outside t()', () => {
    // Where the webviews put text a user sees or hears: an element's text (el, svg), a button,
    // select, toolbar or chart's name, an action's label or title, an error's message and fix,
    // aria-label and title attributes and properties, text appended as a node.
    const offenders: string[] = [];
    for (const file of walk(join(root, 'media')).filter((f) => !f.endsWith('l10n.ts'))) {
      const source = parse(file);
      const report = (node: ts.Node): void => {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        offenders.push(`${relative(root, file)}:${line + 1}: ${node.getText(source)}`);
      };
      const check = (node: ts.Node | undefined): void => {
        if (node && hasEnglish(node)) report(node);
      };
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = node.expression.getText(source);
          const args = node.arguments;
          if (callee === 'el' || callee === 'svg') check(args[2]);
          if (['button', 'select', 'toolbar', 'prPlot', 'barChart'].includes(callee))
            check(args[0]);
          if (
            /\.setAttribute$/.test(callee) &&
            /^'(aria-label|title|alt)'$/.test(args[0]?.getText(source) ?? '')
          )
            check(args[1]);
          if (/\.(append|prepend)$/.test(callee)) args.forEach(check);
        }
        if (
          ts.isPropertyAssignment(node) &&
          /^'?(label|title|text|message|fix|aria-label)'?$/.test(node.name.getText(source))
        )
          check(node.initializer);
        if (
          ts.isBinaryExpression(node) &&
          node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          /\.(title|textContent|alt|placeholder)$/.test(node.left.getText(source))
        )
          check(node.right);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    assert.deepEqual(offenders, []);
  });

  it("gives the flows' l10n.t the English text, placeholders filled, until activate() hands it VS Code's", () => {
    // src/extension/l10n.ts: the modules free of 'vscode' (the flows, tested here without it).
    assert.equal(l10n.t('Start Training Job'), 'Start Training Job');
    assert.equal(l10n.t('{0} of {1} images', 3, 10), '3 of 10 images');
    assert.equal(english('{0} at {1} (POST {1}/x)', 'a', 'u'), 'a at u (POST u/x)');
    assert.equal(english('{0} and {1}', 'a'), 'a and {1}');
  });

  it('has a current l10n/bundle.l10n.json and packages it with package.nls.json', async () => {
    const { bundleText, BUNDLE } = await exporter();
    assert.equal(
      readFileSync(BUNDLE, 'utf8'),
      bundleText(),
      'l10n/bundle.l10n.json is stale: run node scripts/l10n.mjs',
    );
    assert.equal(manifest.l10n, './l10n');
    const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(shipped.includes('!package.nls.json'));
    assert.ok(shipped.includes('!l10n/**'));
  });
});

const PROSE = /\p{L}{2,}[ \t]+\p{L}{2,}|^\s*\p{Lu}\p{Ll}+\b/u;
/** SageMaker's statuses are values (shown as they are, never translated). */
const STATUSES = new Set<string>([...TRAINING_JOB_STATUSES, ...ENDPOINT_STATUSES]);
/** An HTML tag: the webview pages' skeleton, whose text is the pages' own t() calls. */
const MARKUP = /<[!/]?[a-z]/i;

/** The string literals (and template texts) of a file that read as prose, with their lines. */
function proseLiterals(file: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const source = parse(file);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isLiteralTypeNode(node))
      return;
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      // The message is what the bundle holds; the arguments after it are still checked.
      if (/^(vscode\.)?l10n\.t$/.test(callee)) return node.arguments.slice(1).forEach(visit);
      if (/(^|\.)log\.(trace|debug|info|warn|error)$/.test(callee)) return;
      // A core validator's `what` is a phrase of its English sentence; the value is checked.
      if (/(^|\.)\w+Problem$/.test(callee)) return node.arguments.slice(0, 1).forEach(visit);
    }
    if (ts.isNewExpression(node) && node.expression.getText(source) === 'Error') return;
    if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        node.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken)
    )
      return;
    if (ts.isCaseClause(node)) return node.statements.forEach(visit);
    const texts =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? [node.text]
        : ts.isTemplateExpression(node)
          ? [node.head.text, ...node.templateSpans.map((span) => span.literal.text)]
          : [];
    for (const text of texts)
      // A codicon, $(sync~spin), is no word.
      if (
        !STATUSES.has(text) &&
        !MARKUP.test(text) &&
        PROSE.test(text.replace(/\$\([\w~-]+\)/g, ''))
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ line: line + 1, text });
      }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Whether an expression holds English words of its own: a string or template text with a word
 * of two letters or more, outside any t() call (identifiers such as AP, IoU or MiB are data).
 */
function hasEnglish(node: ts.Node): boolean {
  if (ts.isCallExpression(node) && node.expression.getText() === 't') return false;
  const words = (text: string) =>
    (text.match(/[A-Za-z]{2,}/g) ?? []).some((w) => !['AP', 'IoU', 'MiB'].includes(w));
  if (ts.isStringLiteralLike(node)) return words(node.text);
  if (ts.isTemplateExpression(node)) {
    const parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
    if (parts.some(words)) return true;
  }
  // Not the arguments of other calls (their text is checked where it is made), nor the values a
  // condition compares (`kind === 'both'`): only what the expression can evaluate to.
  if (ts.isCallExpression(node)) return false;
  if (ts.isConditionalExpression(node))
    return hasEnglish(node.whenTrue) || hasEnglish(node.whenFalse);
  if (
    ts.isBinaryExpression(node) &&
    [
      ts.SyntaxKind.EqualsEqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsEqualsToken,
      ts.SyntaxKind.EqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsToken,
    ].includes(node.operatorToken.kind)
  )
    return false;
  let found = false;
  ts.forEachChild(node, (child) => {
    found ||= hasEnglish(child);
  });
  return found;
}

/** A TypeScript file's syntax tree, with parent links (getText needs them). */
function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
