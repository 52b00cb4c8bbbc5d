// Validation against the shared corpus (../shared/corpus, or TFOD_CORPUS): every mutant gets an
// error exactly when Python's text_format.Merge (what the Object Detection API runs) rejects it,
// with the first error on the line Python names, and at least a warning where only protoc rejects
// it; the real configs and label maps get no error and no warning beyond protoc's own deprecation
// warnings and two true num_classes mismatches named below.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../../src/schema';
import { NodeProjectHost, validateBytes, validateText } from '../../../src/schema/validate';
import { LineIndex } from '../../../src/textproto';
import { corpusDir, mutants, realFiles } from '../textproto/corpus';

/**
 * Mutants that Merge accepts but the API's label_map_util then refuses when training loads the
 * label map ("Label map ids should be >= 0.", "Label map id 0 is reserved for the background
 * label"): the training job fails, so these are errors of origin 'api', on purpose.
 */
const API_REJECTS_AFTER_MERGE = new Map([
  ['negative_signed_int', 'label-map-negative-id'],
  ['empty_message_body', 'label-map-id-zero'],
]);

/** Offset of the first token after `end` (Python reports a string's decoding error there). */
function nextTokenOffset(text: string, end: number): number {
  let i = end;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (text[i] !== '#') return i;
    while (i < text.length && text[i] !== '\n') i++;
  }
}

describe('validation: corpus mutants', () => {
  const all = mutants();

  it('gives the API verdict on every mutant, on the line Python names', () => {
    assert.ok(all.length >= 400, `only ${all.length} mutants`);
    const problems: string[] = [];
    for (const m of all) {
      const root = m.file.endsWith('.config') ? PIPELINE_CONFIG : LABEL_MAP;
      const result = validateBytes(m.bytes, { root });
      const label = `${m.id} ${m.kind} (${m.detail})`;
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      const parserErrors = errors.filter(
        (d) => d.origin === 'text-format' || d.origin === 'schema',
      );
      if (parserErrors.length > 0 === m.pyValid)
        problems.push(
          `${label}: ${parserErrors[0]?.message ?? 'no error'} / Python: ${m.pyVerdict}`,
        );
      const apiErrors = errors.filter((d) => d.origin === 'api');
      if (
        m.pyValid &&
        apiErrors.length > 0 &&
        API_REJECTS_AFTER_MERGE.get(m.kind) !== apiErrors[0]?.code
      )
        problems.push(`${label}: unexpected API error ${apiErrors[0]?.message}`);
      if (m.pyValid && !m.protocValid && !result.diagnostics.some((d) => d.severity === 'warning'))
        problems.push(`${label}: protoc rejects it, so at least a warning is due`);
      const line = /^error: (\d+):/.exec(m.pyVerdict)?.[1];
      const first = errors[0];
      if (!m.pyValid && line && first) {
        const index = new LineIndex(result.text);
        const at =
          first.code === 'string-not-utf8'
            ? nextTokenOffset(result.text, first.offset + first.length)
            : first.offset;
        const ours = index.positionAt(at).line + 1;
        if (ours !== Number(line))
          problems.push(`${label}: first error on line ${ours}, Python says ${line}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('errors on the mutants the API refuses after parsing, and only those', () => {
    const refused = all.filter(
      (m) =>
        m.pyValid &&
        validateBytes(m.bytes, {
          root: m.file.endsWith('.config') ? PIPELINE_CONFIG : LABEL_MAP,
        }).diagnostics.some((d) => d.severity === 'error'),
    );
    assert.deepEqual(
      [...new Set(refused.map((m) => m.kind))].sort(),
      [...API_REJECTS_AFTER_MERGE.keys()].sort(),
    );
  });

  it('suggests the right name for misspelled fields and enum values', () => {
    const byKind = (kind: string) => all.filter((m) => m.kind === kind);
    for (const m of byKind('misspelled_field_name')) {
      const wanted = /-> \w+/.exec(m.detail) ? /^(\w+) ->/.exec(m.detail)?.[1] : undefined;
      const result = validateBytes(m.bytes, {
        root: m.file.endsWith('.config') ? PIPELINE_CONFIG : LABEL_MAP,
      });
      const unknown = result.diagnostics.find((d) => d.code === 'unknown-field');
      assert.ok(unknown, m.id);
      assert.match(unknown.message, new RegExp(`did you mean \`${wanted}\`\\?`), m.id);
    }
    for (const m of byKind('enum_lowercase')) {
      const result = validateBytes(m.bytes, { root: PIPELINE_CONFIG });
      const d = result.diagnostics.find((x) => x.code === 'unknown-enum-value');
      assert.ok(d, m.id);
      assert.match(d.message, /did you mean `[A-Z0-9_]+`\?/, m.id);
    }
  });
});

describe('validation: real corpus files', () => {
  const dir = corpusDir();
  // The corpus folder as a workspace: placeholders in configs resolve by file name to labelmaps/.
  const host = new NodeProjectHost([dir]);
  const files = realFiles();

  it('reports no error on any real config or label map', () => {
    assert.ok(files.length >= 70);
    for (const file of files) {
      const result = validateText(file.text, { path: join(dir, file.name), host });
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error'),
        [],
        file.name,
      );
    }
  });

  it('warns only where protoc warns (deprecated fields) and about two real num_classes mismatches', () => {
    const warnings: string[] = [];
    for (const file of files) {
      const result = validateText(file.text, { path: join(dir, file.name), host });
      for (const d of result.diagnostics)
        if (d.severity === 'warning' && d.code !== 'deprecated-field')
          warnings.push(`${file.name} ${d.code}`);
    }
    // Upstream's own samples: num_classes 546 and 601 with oid_bbox_trainable_label_map.pbtxt, whose
    // largest id is 545. Both are true (outputs no class uses), not false alarms.
    // Also true: ssd_mobilenet_v2_fullyconv_coco batches 24 images of their own shapes
    // (keep_aspect_ratio_resizer without padding), and ssd_mobilenet_v2_pets_keras pairs a Keras
    // (TF2) feature extractor with TF1's checkpoint fields, which the TF2 loop refuses; its
    // version is only inferred, so these are warnings.
    assert.deepEqual(warnings.sort(), [
      'tf1/faster_rcnn_inception_resnet_v2_atrous_oid.config num-classes-above-label-map',
      'tf1/ssd_mobilenet_v2_fullyconv_coco.config resizer-needs-padding',
      'tf1/ssd_mobilenet_v2_pets_keras.config checkpoint-version-not-v2',
      'tf1/ssd_mobilenet_v2_pets_keras.config tf1-field-under-tf2',
      'tf1/ssd_mobilenet_v2_pets_keras.config tf1-field-under-tf2',
      'tf1/ssd_resnet101_v1_fpn_shared_box_predictor_oid_512x512_sync.config num-classes-above-label-map',
    ]);
  });

  it('warns about exactly the deprecated fields protoc names in verdicts.tsv', async () => {
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(join(dir, 'verdicts.tsv'), 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const [name, , verdict] = row.split('\t');
      const file = files.find((f) => f.name === name);
      if (!file) continue;
      const fromProtoc = (/warnings: ([\w,]+)\)/.exec(verdict ?? '')?.[1] ?? '')
        .split(',')
        .filter(Boolean);
      const result = validateText(file.text, { path: join(dir, file.name), host });
      const ours = result.diagnostics
        .filter((d) => d.code === 'deprecated-field')
        .map((d) => file.text.slice(d.offset, d.offset + d.length));
      assert.deepEqual([...new Set(ours)].sort(), [...new Set(fromProtoc)].sort(), name);
    }
  });

  it('marks template placeholders as information, not as problems', () => {
    const file = files.find((f) => f.name === 'tf1/ssd_mobilenet_v1_coco.config');
    assert.ok(file);
    const result = validateText(file.text, { path: join(dir, file.name), host });
    const info = result.diagnostics.filter((d) => d.code === 'path-placeholder');
    assert.ok(info.length >= 3, 'label_map_path, input_path and fine_tune_checkpoint');
    assert.ok(info.every((d) => d.severity === 'information'));
    assert.ok(info.some((d) => /found as labelmaps\/mscoco_label_map\.pbtxt/.test(d.message)));
  });
});
