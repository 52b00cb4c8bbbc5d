// Semantic tokens from the bundled language server over stdio, as VS Code's client asks for them:
// the legend it announces, and the decoded token stream's type at known places of the fixture
// project's config and label map (a field the schema does not know and an enum value among them),
// on the message loop and in the worker.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LineIndex } from '../../../src/textproto';
import { MODES, root, startLspServer, type LspRange, type LspServer } from '../server/lsp';

interface Legend {
  tokenTypes: string[];
  tokenModifiers: string[];
}

interface Decoded {
  line: number;
  character: number;
  length: number;
  type: string;
  modifiers: string[];
}

/** The relative five-integer runs of LSP back to absolute tokens with named types. */
function decode(data: readonly number[], legend: Legend): Decoded[] {
  assert.equal(data.length % 5, 0);
  const out: Decoded[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaChar, length, type, bits] = data.slice(i, i + 5) as number[];
    line += deltaLine!;
    character = deltaLine === 0 ? character + deltaChar! : deltaChar!;
    out.push({
      line,
      character,
      length: length!,
      type: legend.tokenTypes[type!]!,
      modifiers: legend.tokenModifiers.filter((_, bit) => (bits! & (1 << bit)) !== 0),
    });
  }
  return out;
}

for (const [where, heavyOptions] of MODES)
  describe(`semantic tokens over stdio, ${where}`, () => {
    let lsp: LspServer;
    let workspace: string;
    let legend: Legend;
    const uriOf = (name: string) => pathToFileURL(join(workspace, name)).href;

    async function open(name: string, text: string): Promise<void> {
      await lsp.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: uriOf(name), languageId: 'textproto', version: 1, text },
      });
    }

    async function tokens(name: string, range?: LspRange): Promise<Decoded[]> {
      const result = (await lsp.connection.sendRequest(
        range ? 'textDocument/semanticTokens/range' : 'textDocument/semanticTokens/full',
        { textDocument: { uri: uriOf(name) }, ...(range ? { range } : {}) },
      )) as { data: number[] };
      return decode(result.data, legend);
    }

    /** The token that starts at the `nth` occurrence of `needle` in `text` (plus `delta`). */
    function tokenAt(all: Decoded[], text: string, needle: string, delta = 0): Decoded {
      const i = text.indexOf(needle);
      assert.ok(i >= 0, needle);
      const p = new LineIndex(text).positionAt(i + delta);
      const found = all.find((t) => t.line === p.line && t.character === p.character);
      assert.ok(found, `no token at ${needle} (${p.line}:${p.character})`);
      return found;
    }

    before(async () => {
      workspace = mkdtempSync(join(tmpdir(), 'tfod-lsp-tokens-'));
      cpSync(join(root, 'test', 'fixtures', 'validation-project'), workspace, { recursive: true });
      lsp = await startLspServer(workspace, { debounceMs: 20, ...heavyOptions });
      const provider = lsp.capabilities.semanticTokensProvider as {
        legend: Legend;
        full: boolean;
        range: boolean;
      };
      assert.ok(provider, 'semanticTokensProvider is announced');
      assert.equal(provider.full, true);
      assert.equal(provider.range, true);
      legend = provider.legend;
    });

    after(() => {
      lsp.stop();
      rmSync(workspace, { recursive: true, force: true });
    });

    it('announces standard token types and the deprecated modifier', () => {
      for (const type of [
        'property',
        'struct',
        'enumMember',
        'string',
        'number',
        'keyword',
        'comment',
      ])
        assert.ok(legend.tokenTypes.includes(type), type);
      assert.deepEqual(legend.tokenModifiers, ['deprecated']);
    });

    it('colours the config by what the schema says each token is', async () => {
      const text = readFileSync(join(workspace, 'pipeline.config'), 'utf8');
      await open('pipeline.config', text);
      const all = await tokens('pipeline.config');
      const type = (needle: string, delta = 0) => tokenAt(all, text, needle, delta).type;
      assert.equal(type('# A pipeline'), 'comment');
      assert.equal(tokenAt(all, text, '# A pipeline').length, text.indexOf('\n'));
      assert.equal(type('model {'), 'struct');
      assert.equal(type('num_classes: 1'), 'property');
      assert.equal(type('num_classes: 1', 'num_classes: '.length), 'number');
      assert.equal(type('type: "ssd_mobilenet_v2"', 'type: '.length), 'string');
      assert.equal(type('activation: RELU_6'), 'property');
      assert.equal(type('activation: RELU_6', 'activation: '.length), 'enumMember');
      assert.equal(type('scale: true', 'scale: '.length), 'keyword');
      // The misspelled field: the schema does not know it, it still reads as a field.
      assert.equal(type('bacth_size'), 'property');
      assert.equal(tokenAt(all, text, 'bacth_size').modifiers.length, 0);
      assert.equal(type('bacth_size: 8', 'bacth_size: '.length), 'number');
      // Tokens come in order and never overlap.
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        assert.ok(b.line > a.line || b.character >= a.character + a.length, JSON.stringify([a, b]));
      }
    });

    it('marks a deprecated field and guesses values the schema cannot place', async () => {
      const text =
        'eval_config {\n  num_examples: 10 # old\n  metrics_set: "coco_detection_metrics"\n}\n' +
        'unknown_block {\n  mode: FAST\n  on: true\n  ratio: -inf\n}\n';
      await open('deprecated.config', text);
      const all = await tokens('deprecated.config');
      const at = (needle: string, delta = 0) => tokenAt(all, text, needle, delta);
      assert.deepEqual(at('num_examples').modifiers, ['deprecated']);
      assert.equal(at('num_examples').type, 'property');
      assert.deepEqual(at('metrics_set').modifiers, []);
      assert.equal(at('# old').type, 'comment');
      assert.equal(at('unknown_block').type, 'struct');
      assert.equal(at('mode: FAST', 'mode: '.length).type, 'enumMember');
      assert.equal(at('on: true', 'on: '.length).type, 'keyword');
      const inf = at('ratio: -inf', 'ratio: '.length);
      assert.deepEqual([inf.type, inf.length], ['number', 4]);
    });

    it('colours a label map, and answers a range with the tokens in it only', async () => {
      const text = readFileSync(join(workspace, 'label_map.pbtxt'), 'utf8');
      await open('label_map.pbtxt', text);
      const all = await tokens('label_map.pbtxt');
      const type = (needle: string, delta = 0) => tokenAt(all, text, needle, delta).type;
      assert.equal(type('item {'), 'struct');
      assert.equal(type('id: 1'), 'property');
      assert.equal(type('id: 1', 4), 'number');
      assert.equal(type("name: 'dog'", 6), 'string');
      const lines = new LineIndex(text);
      const from = lines.positionAt(text.indexOf('item {\n  id: 2'));
      const range = { start: from, end: { line: from.line + 2, character: 0 } };
      const some = await tokens('label_map.pbtxt', range);
      assert.deepEqual(
        some.map((t) => t.type),
        ['struct', 'property', 'number'],
        JSON.stringify(some),
      );
      assert.equal(some[0]!.line, from.line);
    });
  });
