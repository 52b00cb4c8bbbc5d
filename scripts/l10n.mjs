// `node scripts/l10n.mjs`: writes l10n/bundle.l10n.json, the English strings of every
// `vscode.l10n.t('...')` call in src/extension and every `t('...')` call of the webviews in media/
// (media/common/l10n.ts, which the host hands `vscode.l10n.bundle`), the file translators start
// from (a translation is l10n/bundle.l10n.<locale>.json with the same keys). Our own exporter, by the TypeScript compiler's
// parser, in place of @vscode/l10n-dev: it reads the same calls. `--check` only compares and exits
// 1 when the file is stale (test/unit/project/l10n.test.ts runs that).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(root, 'l10n', 'bundle.l10n.json');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Where the calls are, and what a call's callee reads as there. */
const SCANNED = [
  { dir: join(root, 'src', 'extension'), callee: /^(vscode\.)?l10n\.t$/ },
  { dir: join(root, 'media'), callee: /^t$/ },
];

/**
 * Every `vscode.l10n.t(...)` call of the extension and `t(...)` call of its webviews: its message
 * (undefined when the first argument is not a plain string literal, which no exporter can read),
 * its arguments after the message, and where it is (a path from the repository's root).
 */
export function l10nCalls() {
  const calls = [];
  for (const { dir, callee } of SCANNED)
    for (const file of sources(dir).sort()) calls.push(...callsIn(file, callee));
  return calls;
}

/** The calls in one source file whose callee reads as `callee`. */
function callsIn(file, callee) {
  const calls = [];
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const visit = (node) => {
    if (ts.isCallExpression(node) && callee.test(node.expression.getText(source))) {
      const [first, ...rest] = node.arguments;
      const literal =
        first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first));
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      calls.push({
        message: literal ? first.text : undefined,
        args: rest.length,
        where: `${relative(root, file)}:${line + 1}`,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}

/** The bundle's text: each message once, in the order the sources first use it. */
export function bundleText() {
  const bundle = {};
  for (const call of l10nCalls())
    if (call.message !== undefined) bundle[call.message] = call.message;
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = bundleText();
  if (process.argv.includes('--check')) {
    const current = readFileSync(BUNDLE, 'utf8');
    if (current !== text) {
      console.error(`${relative(root, BUNDLE)} is stale: run node scripts/l10n.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(BUNDLE, text);
    console.log(
      `wrote ${relative(root, BUNDLE)} (${Object.keys(JSON.parse(text)).length} strings)`,
    );
  }
}
