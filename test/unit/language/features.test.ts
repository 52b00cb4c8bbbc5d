// The pure language service over real files: hover, completion, quick fixes, outline and
// navigation, all bound through the validator's walker.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  codeActions,
  complete,
  definition,
  documentLinks,
  documentSymbols,
  foldingRanges,
  hover,
  languageContext,
  selectionRanges,
  templateBodies,
  type LanguageContext,
} from '../../../src/schema/language';
import { schemaFromProtoSources } from '../../../src/schema';
import { NodeProjectHost, validateText } from '../../../src/schema/validate';
import { applyEdits, LineIndex } from '../../../src/textproto';

const project = join(__dirname, '..', '..', 'fixtures', 'validation-project');
const configPath = join(project, 'pipeline.config');
const configText = readFileSync(configPath, 'utf8');

function ctxOf(text: string, path = configPath): LanguageContext {
  const host = new NodeProjectHost([project]);
  const result = validateText(text, { path, host });
  return languageContext(text, { path, host, result });
}

/** Applies the first quick fix for `code` and returns the new text. */
function fixed(text: string, code: string, path = configPath): string {
  const host = new NodeProjectHost([project]);
  const result = validateText(text, { path, host });
  const wanted = result.diagnostics.filter((d) => d.code === code);
  assert.ok(
    wanted.length > 0,
    `no ${code} in ${JSON.stringify(result.diagnostics.map((d) => d.code))}`,
  );
  const actions = codeActions(languageContext(text, { path, host, result }), wanted);
  assert.ok(actions.length > 0, `no fix for ${code}`);
  return applyEdits(text, actions[0]!.edits);
}

function codes(text: string, path = configPath): string[] {
  return validateText(text, { path, host: new NodeProjectHost([project]) }).diagnostics.map(
    (d) => d.code,
  );
}

describe('hover', () => {
  it('shows the full path, type and doc of num_classes', () => {
    const h = hover(ctxOf(configText), configText.indexOf('num_classes:') + 3);
    assert.ok(h);
    assert.match(h.contents, /\*\*model\.ssd\.num_classes\*\*/);
    assert.match(h.contents, /`int32`/);
    assert.match(h.contents, /Number of object classes/);
    assert.equal(h.length, 'num_classes'.length);
  });

  it('shows defaults, deprecation and the meaning of an enum value', () => {
    const text =
      'train_config {\n  from_detection_checkpoint: true\n  batch_size: 2\n}\nmodel { ssd { feature_extractor { conv_hyperparams { activation: RELU_6 } } } }\n';
    const ctx = ctxOf(text);
    const deprecated = hover(ctx, text.indexOf('from_detection'));
    assert.match(deprecated?.contents ?? '', /Deprecated/);
    const batch = hover(ctx, text.indexOf('batch_size'));
    assert.match(batch?.contents ?? '', /default `\d+`/);
    const relu = hover(ctx, text.indexOf('RELU_6') + 1);
    assert.match(relu?.contents ?? '', /Activation\.RELU_6` = \d/);
  });

  it('says what a label map path holds and whether input files exist', () => {
    const ctx = ctxOf(configText);
    const lm = hover(ctx, configText.indexOf('label_map.pbtxt'));
    assert.match(lm?.contents ?? '', /Exists .*label_map\.pbtxt.*2 classes/);
    const missing = ctxOf(configText.replace('label_map.pbtxt"', 'nowhere.pbtxt"'));
    assert.match(
      hover(missing, missing.text.indexOf('nowhere.pbtxt'))?.contents ?? '',
      /Not found/,
    );
  });
});

describe('completion', () => {
  const labels = (ctx: LanguageContext, offset: number) =>
    complete(ctx, offset).map((e) => e.label);

  it('offers the fields of ssd not yet set, with type and doc, and snippets', () => {
    const text = configText.replace('    num_classes: 1\n', '    num_\n');
    const at = text.indexOf('    num_\n') + 4;
    const entries = complete(ctxOf(text), at + 4);
    const num = entries.find((e) => e.label === 'num_classes');
    assert.ok(num, entries.map((e) => e.label).join(' '));
    assert.equal(num.detail, 'int32');
    assert.match(num.documentation ?? '', /Number of object classes/);
    assert.equal(num.insertText, 'num_classes: $0');
    assert.deepEqual(num.replace, { offset: at, length: 4 });
    assert.ok(!entries.some((e) => e.label === 'image_resizer'), 'already set');
    const box = entries.find((e) => e.label === 'box_predictor');
    if (box) assert.equal(box.insertText, 'box_predictor {\n  $0\n}');
  });

  it('excludes oneof siblings once one is set, and offers enum values and booleans after a colon', () => {
    const text =
      'model {\n  ssd {\n    image_resizer {\n      fixed_shape_resizer { height: 3 }\n      \n    }\n    encode_background_as_zeros: \n  }\n}\n';
    const ctx = ctxOf(text);
    const inResizer = labels(ctx, text.indexOf('      \n') + 6);
    assert.ok(!inResizer.includes('keep_aspect_ratio_resizer'), inResizer.join(' '));
    const resizerOnly = labels(ctx, text.indexOf('height') - 1);
    assert.ok(
      resizerOnly.includes('width') && !resizerOnly.includes('height'),
      resizerOnly.join(' '),
    );
    assert.deepEqual(labels(ctx, text.indexOf('zeros: ') + 7), ['true', 'false']);
    const act = 'model { ssd { feature_extractor { conv_hyperparams { activation: R } } } }\n';
    assert.ok(labels(ctxOf(act), act.indexOf(': R') + 3).includes('RELU_6'));
  });

  it('offers the train_input_reader template, and in a label map an item with the next free id', () => {
    const top = labels(ctxOf('\n'), 0);
    assert.ok(
      top.some((l) => l.startsWith('train_input_reader (')),
      top.join(' '),
    );
    const lmPath = join(project, 'label_map.pbtxt');
    const lm = readFileSync(lmPath, 'utf8') + '\n';
    const items = complete(ctxOf(lm, lmPath), lm.length).filter((e) => e.kind === 'template');
    assert.equal(items[0]?.insertText, "item {\n  id: 3\n  name: '$1'\n}$0");
  });

  it('every template is a valid block of its message', () => {
    for (const { key, body } of templateBodies()) {
      const text = body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d/g, '');
      const bad = codes(text).filter(
        (c) =>
          !c.startsWith('label-map') &&
          !c.startsWith('input-path') &&
          !c.startsWith('checkpoint') &&
          c !== 'missing-required-field',
      );
      assert.deepEqual(bad, [], `${key}: ${text}`);
    }
  });
});

describe('quick fixes', () => {
  it('replaces a misspelled field and enum value with the suggestion', () => {
    const after = fixed(configText, 'unknown-field');
    assert.ok(after.includes('  batch_size: 8') || /\n\s+batch_size:/.test(after));
    assert.ok(!codes(after).includes('unknown-field'));
    const text =
      'model { ssd { feature_extractor { conv_hyperparams { activation: relu_6 } } } }\n';
    assert.match(fixed(text, 'unknown-enum-value'), /activation: RELU_6/);
  });

  it('sets num_classes to the label map largest id', () => {
    const after = fixed(configText, 'num-classes-below-label-map');
    assert.match(after, /num_classes: 2\n/);
    assert.ok(!codes(after).some((c) => c.startsWith('num-classes')));
  });

  it('removes a duplicate field, renumbers a duplicate id, adds a missing required field', () => {
    const dup = 'train_config {\n  batch_size: 2\n  batch_size: 4 # again\n  num_steps: 5\n}\n';
    assert.equal(
      fixed(dup, 'duplicate-field'),
      'train_config {\n  batch_size: 2\n  num_steps: 5\n}\n',
    );
    const lmPath = join(project, 'label_map.pbtxt');
    const lm = "item { id: 1 name: 'a' }\nitem { id: 1 name: 'b' }\nitem { id: 2 name: 'c' }\n";
    const renumbered = fixed(lm, 'label-map-duplicate-id', lmPath);
    assert.equal(
      renumbered,
      "item { id: 1 name: 'a' }\nitem { id: 3 name: 'b' }\nitem { id: 2 name: 'c' }\n",
    );
    assert.ok(!codes(renumbered, lmPath).includes('label-map-duplicate-id'));
    // The built-in schema has no required fields; a user's proto folder may.
    const { schema } = schemaFromProtoSources({
      'p.proto':
        'syntax = "proto2";\npackage p;\nmessage Root { optional Inner inner = 1; }\nmessage Inner { required int32 size = 1; optional string name = 2 [default = "x"]; }\n',
    });
    const req = 'inner {\n  name: "a"\n}\n';
    const result = validateText(req, { schema, root: 'p.Root' });
    const missing = result.diagnostics.filter((d) => d.code === 'missing-required-field');
    assert.equal(missing.length, 1);
    const ctx = languageContext(req, { schema, result });
    const added = applyEdits(req, codeActions(ctx, missing)[0]!.edits);
    assert.equal(added, 'inner {\n  size: 0\n  name: "a"\n}\n');
    assert.deepEqual(
      validateText(added, { schema, root: 'p.Root' }).diagnostics.map((d) => d.code),
      [],
    );
  });
});

describe('outline and navigation', () => {
  const ctx = ctxOf(configText);
  const lines = new LineIndex(configText);

  it('symbols form the message tree', () => {
    const symbols = documentSymbols(ctx);
    const model = symbols.find((s) => s.name === 'model');
    const ssd = model?.children.find((s) => s.name === 'ssd');
    assert.ok(ssd?.children.some((s) => s.name === 'box_predictor'));
    assert.equal(ssd?.children.find((s) => s.name === 'num_classes')?.detail, '1');
  });

  it('folds every multi-line block and selects outwards from a value', () => {
    const folds = foldingRanges(ctx, (o) => lines.positionAt(o).line);
    assert.ok(
      folds.some((f) => f.startLine === 2),
      JSON.stringify(folds.slice(0, 3)),
    );
    const spans = selectionRanges(ctx, configText.indexOf('num_classes: 1') + 13);
    assert.equal(configText.slice(spans[0]!.offset, spans[0]!.offset + spans[0]!.length), '1');
    assert.equal(
      configText.slice(spans[1]!.offset, spans[1]!.offset + spans[1]!.length),
      'num_classes: 1',
    );
    assert.deepEqual(spans.at(-1), { offset: 0, length: configText.length });
    for (let i = 1; i < spans.length; i++)
      assert.ok(
        spans[i]!.offset <= spans[i - 1]!.offset &&
          spans[i]!.offset + spans[i]!.length >= spans[i - 1]!.offset + spans[i - 1]!.length,
      );
  });

  it('links path fields to their files and goes to the label map', () => {
    const links = documentLinks(ctx);
    assert.ok(
      links.some((l) => l.file === join(project, 'label_map.pbtxt')),
      JSON.stringify(links),
    );
    assert.ok(
      links.some((l) => l.file?.includes('train.record-0000')),
      JSON.stringify(links),
    );
    const def = definition(ctx, configText.indexOf('label_map.pbtxt'));
    assert.equal(def?.file, join(project, 'label_map.pbtxt'));
    const lmPath = join(project, 'label_map.pbtxt');
    const lm = "item { id: 1 name: 'a' }\nitem { id: 1 name: 'b' }\n";
    const second = lm.lastIndexOf('id: 1') + 4;
    assert.deepEqual(definition(ctxOf(lm, lmPath), second)?.range, {
      offset: lm.indexOf('1'),
      length: 1,
    });
  });
});
