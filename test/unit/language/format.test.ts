// Formatting through the language service and `tfod format`: every real corpus file formats
// idempotently, and protoc encodes the formatted file to exactly the bytes of the original
// (protoc parses against .proto files emitted from the built-in schema, test/bench/protoEmitter.ts).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../src/cli/commands/format';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../../src/schema';
import { formatDocument, formatRange } from '../../../src/schema/language';
import { defaultSchema } from '../../../src/schema/validate';
import { applyEdits, formatText } from '../../../src/textproto';
import { emitProto } from '../../bench/protoEmitter';
import { realFiles } from '../textproto/corpus';

const PROTOC = process.env.PROTOC ?? '/usr/bin/protoc';

describe('formatting', () => {
  let work: string;
  let protos: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tfod-format-'));
    protos = join(work, 'protos');
    mkdirSync(join(protos, 'object_detection', 'protos'), { recursive: true });
    writeFileSync(
      join(protos, 'object_detection', 'protos', 'all.proto'),
      emitProto(defaultSchema(), 'object_detection.protos'),
    );
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  function encode(text: string, type: string): { ok: boolean; bytes: Buffer; error: string } {
    const r = spawnSync(
      PROTOC,
      ['-I', protos, `--encode=${type}`, 'object_detection/protos/all.proto'],
      { input: Buffer.from(text, 'utf8') },
    );
    return { ok: r.status === 0, bytes: r.stdout, error: r.stderr.toString() };
  }

  it('formats every corpus config and label map idempotently', () => {
    const files = realFiles();
    assert.ok(files.length >= 50, `only ${files.length} corpus files`);
    let changed = 0;
    for (const file of files) {
      const once = formatDocument(file.text);
      assert.equal(once.skipped, false, `${file.name} was not formatted`);
      const formatted = applyEdits(file.text, once.edits);
      if (formatted !== file.text) changed++;
      assert.deepEqual(formatDocument(formatted).edits, [], `${file.name} is not idempotent`);
      // Every comment survives, in order.
      const comments = (t: string) =>
        t.split('\n').flatMap((l) => /#.*$/.exec(l)?.[0].trimEnd() ?? []);
      assert.deepEqual(comments(formatted), comments(file.text), `${file.name} lost comments`);
    }
    assert.ok(changed > 0, 'some corpus file should not be in canonical layout already');
  });

  it('keeps protoc --encode byte-identical for every corpus config and label map', () => {
    const version = spawnSync(PROTOC, ['--version']);
    assert.equal(version.status, 0, `protoc is needed at ${PROTOC}`);
    let compared = 0;
    for (const file of realFiles()) {
      const type = file.name.endsWith('.config') ? PIPELINE_CONFIG : LABEL_MAP;
      const formatted = formatText(file.text).text;
      const a = encode(file.text, type);
      const b = encode(formatted, type);
      assert.ok(a.ok, `protoc rejects the original ${file.name}: ${a.error.slice(0, 300)}`);
      assert.ok(b.ok, `protoc rejects the formatted ${file.name}: ${b.error.slice(0, 300)}`);
      assert.ok(a.bytes.length > 0, `${file.name} encodes to nothing`);
      assert.ok(a.bytes.equals(b.bytes), `${file.name}: formatting changed protoc's encoding`);
      compared++;
    }
    assert.equal(compared, realFiles().length);
  });

  it('formats only the top-level blocks a range touches, and leaves broken text alone', () => {
    const text = 'model {\nssd { num_classes: 3 }\n}\ntrain_config {   batch_size: 2 # two\n}\n';
    const range = formatRange(text, text.indexOf('batch_size'), 4);
    assert.equal(
      applyEdits(text, range.edits),
      'model {\nssd { num_classes: 3 }\n}\ntrain_config {\n  batch_size: 2 # two\n}\n',
    );
    const whole = applyEdits(text, formatDocument(text).edits);
    assert.equal(
      whole,
      'model {\n  ssd {\n    num_classes: 3\n  }\n}\ntrain_config {\n  batch_size: 2 # two\n}\n',
    );
    const broken = formatDocument('model { ssd {\n');
    assert.equal(broken.skipped, true);
    assert.deepEqual(broken.edits, []);
  });

  describe('tfod format', () => {
    async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
      let out = '';
      let err = '';
      const program = new Command('tfod')
        .exitOverride()
        .configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
      register(program);
      try {
        await program.parseAsync(args, { from: 'user' });
        return { code: 0, out, err };
      } catch (error) {
        return { code: (error as { exitCode?: number }).exitCode ?? 99, out, err };
      }
    }

    it('--check exits 1 for a file that would change and writes nothing; format rewrites it', async () => {
      const messy = join(work, 'messy.config');
      const tidy = join(work, 'tidy.config');
      const original = 'model { ssd { num_classes: 2 } }\n';
      writeFileSync(messy, original);
      writeFileSync(tidy, 'model {\n  ssd {\n    num_classes: 2\n  }\n}\n');
      const check = await run(['format', '--check', messy, tidy]);
      assert.equal(check.code, 1);
      assert.match(check.out, /messy\.config: would be reformatted/);
      assert.doesNotMatch(check.out, /tidy\.config/);
      assert.equal(readFileSync(messy, 'utf8'), original);
      assert.equal((await run(['format', '--check', tidy])).code, 0);
      const fmt = await run(['format', messy]);
      assert.equal(fmt.code, 0);
      assert.equal(readFileSync(messy, 'utf8'), readFileSync(tidy, 'utf8'));
      assert.equal((await run(['format', '--check', messy])).code, 0);
    });

    it('leaves a file with syntax errors alone and fails with its position', async () => {
      const broken = join(work, 'broken.config');
      writeFileSync(broken, 'model {\n  ssd {\n');
      const r = await run(['format', broken]);
      assert.equal(r.code, 1);
      assert.match(r.err, /broken\.config:\d+:\d+: not formatted/);
      assert.equal(readFileSync(broken, 'utf8'), 'model {\n  ssd {\n');
    });
  });
});
