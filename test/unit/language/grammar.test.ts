// The TextMate grammar and language configuration: wired in the manifest, shipped in the .vsix,
// and their patterns match what they name (the Oniguruma patterns used here are JS-compatible
// once `(?i)` becomes the `i` flag).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  patterns?: Rule[];
  captures?: Record<string, { name: string }>;
}

function regex(source: string): RegExp {
  return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'i') : new RegExp(source);
}

describe('syntax highlighting without the server', () => {
  const grammarEntry = pkg.contributes.grammars?.find(
    (g: { language: string }) => g.language === 'textproto',
  );
  const language = pkg.contributes.languages.find((l: { id: string }) => l.id === 'textproto');

  it('the manifest names the grammar and the language configuration, and the .vsix ships them', () => {
    assert.ok(grammarEntry, 'contributes.grammars has textproto');
    assert.equal(grammarEntry.scopeName, 'source.textproto');
    assert.ok(existsSync(join(root, grammarEntry.path)));
    assert.ok(existsSync(join(root, language.configuration)));
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!syntaxes\/\*\*$/m);
    assert.match(ignore, /^!language-configuration\/\*\*$/m);
  });

  it('every pattern compiles and the main ones match what they name', () => {
    const grammar = JSON.parse(readFileSync(join(root, grammarEntry.path), 'utf8'));
    assert.equal(grammar.scopeName, 'source.textproto');
    const byName = new Map<string, RegExp>();
    const visit = (rule: Rule) => {
      for (const key of ['match', 'begin', 'end'] as const) {
        const source = rule[key];
        if (source === undefined) continue;
        const re = regex(source);
        if (rule.name && key !== 'end') byName.set(rule.name, re);
        for (const capture of Object.values(rule.captures ?? {})) byName.set(capture.name, re);
      }
      for (const child of rule.patterns ?? []) visit(child);
    };
    for (const rule of Object.values(grammar.repository) as Rule[]) visit(rule);
    const matches = (scope: string, text: string, expected: string) => {
      const re = byName.get(scope);
      assert.ok(re, `no rule for ${scope}`);
      const m = re.exec(text);
      assert.ok(m, `${scope} does not match ${text}`);
      assert.ok(m.slice(0).includes(expected), `${scope} on ${text}: ${JSON.stringify(m)}`);
    };
    matches('support.type.property-name.textproto', '  num_classes: 90', 'num_classes');
    matches('support.type.property-name.textproto', 'ssd {', 'ssd');
    matches('constant.other.enum.textproto', 'RELU_6', 'RELU_6');
    matches('constant.numeric.decimal.textproto', '4e-05', '4e-05');
    matches('constant.numeric.hex.textproto', '0x1F', '0x1F');
    matches('constant.language.boolean.textproto', 'true', 'true');
    matches('constant.character.escape.textproto', '"a\\nb"', '\\n');
    matches('constant.character.escape.textproto', '"\\303\\251"', '\\303');
    matches('comment.line.number-sign.textproto', '# note', '#');
    matches('entity.name.type.textproto', '# proto-message: Foo', '# proto-message: Foo');
    assert.equal(regex(grammar.repository.number.patterns[1].match).exec('abc1'), null);
  });

  it('the language configuration comments with # and closes braces and quotes', () => {
    const config = JSON.parse(readFileSync(join(root, language.configuration), 'utf8'));
    assert.equal(config.comments.lineComment, '#');
    const pairs = config.autoClosingPairs.map((p: { open: string }) => p.open);
    for (const open of ['{', '[', '"', "'"]) assert.ok(pairs.includes(open), open);
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test('  ssd {'));
    assert.ok(increase.test('  ssd { # comment'));
    assert.ok(!increase.test('  name: "{"'));
    assert.ok(decrease.test('  }'));
  });
});
