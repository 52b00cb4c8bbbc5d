// `npm run bench:validate` (test/bench/validate.ts): how fast validation is, side by side with protoc on the same files
// (protoc parses against .proto files generated from the same schema). Prints a table; not a test.
// Needs the shared corpus (../shared/corpus or TFOD_CORPUS), protoc (/usr/bin/protoc) and a built
// dist/server.js (npm run build).

import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../src/schema';
import { defaultSchema, validateText } from '../../src/schema/validate';
import { languageContext, semanticTokens } from '../../src/schema/language';
import { encodeSemanticTokens } from '../../src/server/semanticTokens';
import { LineIndex, parse } from '../../src/textproto';
import { emitProto } from './protoEmitter';

const root = resolve(__dirname, '..', '..');
const corpus = process.env.TFOD_CORPUS ?? resolve(root, '..', 'shared', 'corpus');
const PROTOC = process.env.PROTOC ?? '/usr/bin/protoc';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Median wall time of `fn` over `runs` runs after `warmup` runs, in ms. */
function time(fn: () => void, runs = 15, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return median(t);
}

function protocTime(protos: string, type: string, file: string, runs = 5): number {
  const input = readFileSync(file);
  const args = ['-I', protos, `--encode=${type}`, 'object_detection/protos/all.proto'];
  return time(
    () => {
      const r = spawnSync(PROTOC, args, { input, stdio: ['pipe', 'ignore', 'pipe'] });
      if (r.status !== 0)
        throw new Error(`protoc failed on ${file}: ${r.stderr.toString().slice(0, 300)}`);
    },
    runs,
    1,
  );
}

function row(cells: (string | number)[]): string {
  return cells
    .map((c, i) =>
      (typeof c === 'number' ? c.toFixed(2) : c)
        .padStart(i === 0 ? 0 : 14)
        .padEnd(i === 0 ? 52 : 0),
    )
    .join(' ');
}

async function editLatency(config: string, debounceMs: number, edits: number): Promise<number[]> {
  const server = join(root, 'dist', 'server.js');
  const child = spawn(process.execPath, [server, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let resolveNext: ((v: number) => void) | undefined;
  connection.onNotification('textDocument/publishDiagnostics', (p: { version?: number }) =>
    resolveNext?.(p.version ?? -1),
  );
  connection.listen();
  const folder = resolve(config, '..');
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    capabilities: {},
    initializationOptions: { debounceMs },
  });
  await connection.sendNotification('initialized', {});
  const uri = pathToFileURL(config).href;
  const text = readFileSync(config, 'utf8');
  const published = (version: number) =>
    new Promise<void>((res) => {
      resolveNext = (v) => {
        if (v === version) res();
      };
    });
  let wait = published(1);
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'textproto', version: 1, text },
  });
  await wait;
  const latencies: number[] = [];
  const line = text.split('\n').findIndex((l) => l.includes('num_classes'));
  for (let v = 2; v < 2 + edits; v++) {
    wait = published(v);
    const start = performance.now();
    // Type one digit into num_classes, then take it out again: realistic single keystrokes.
    const insert = v % 2 === 0;
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [
        insert
          ? { range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: 'x' }
          : { range: { start: { line, character: 4 }, end: { line, character: 5 } }, text: '' },
      ],
    });
    await wait;
    latencies.push(performance.now() - start);
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  return latencies;
}

async function main(): Promise<void> {
  if (!existsSync(join(corpus, 'verdicts.tsv'))) throw new Error(`corpus not found at ${corpus}`);
  const schema = defaultSchema();
  const work = mkdtempSync(join(tmpdir(), 'tfod-bench-'));
  try {
    const protos = join(work, 'protos');
    mkdirSync(join(protos, 'object_detection', 'protos'), { recursive: true });
    writeFileSync(
      join(protos, 'object_detection', 'protos', 'all.proto'),
      emitProto(schema, 'object_detection.protos'),
    );
    const hasProtoc = spawnSync(PROTOC, ['--version']).status === 0;
    console.log(
      `tfod validate benchmark (node ${process.version}; ${hasProtoc ? spawnSync(PROTOC, ['--version']).stdout.toString().trim() : 'no protoc'})`,
    );
    console.log(
      'times are medians in ms; protoc is a process per file (start-up included; its start-up alone is shown)\n',
    );
    const baseline = join(work, 'empty.config');
    writeFileSync(baseline, '');
    const startup = hasProtoc ? protocTime(protos, PIPELINE_CONFIG, baseline, 9) : NaN;
    console.log(row(['', 'tfod validate', 'protoc', 'protoc - start']));
    console.log(row(['protoc start-up (empty file)', '', startup, 0]));

    // Every corpus config.
    const configs = readdirSync(join(corpus, 'tf1'))
      .filter((n) => n.endsWith('.config'))
      .sort();
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const name of configs) {
      const file = join(corpus, 'tf1', name);
      const text = readFileSync(file, 'utf8');
      ours.push(time(() => validateText(text, { schema, root: PIPELINE_CONFIG })));
      if (hasProtoc) theirs.push(protocTime(protos, PIPELINE_CONFIG, file, 3));
    }
    for (let i = 0; i < configs.length; i++)
      console.log(
        row([`tf1/${configs[i]}`, ours[i] ?? NaN, theirs[i] ?? NaN, (theirs[i] ?? NaN) - startup]),
      );
    console.log(
      row([
        `all ${configs.length} configs: median per file`,
        median(ours),
        median(theirs),
        median(theirs) - startup,
      ]),
    );

    // Keystroke: re-validate the largest config after a one-character edit (fresh parse).
    const largest = configs
      .map((n) => join(corpus, 'tf1', n))
      .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0] as string;
    const largestText = readFileSync(largest, 'utf8');
    let flip = 0;
    const keystroke = time(
      () => {
        flip ^= 1;
        validateText(largestText + (flip ? ' ' : ''), { schema, root: PIPELINE_CONFIG });
      },
      101,
      20,
    );
    console.log(
      row([
        `keystroke re-validation, largest config (${(largestText.length / 1024).toFixed(1)} KiB)`,
        keystroke,
        '',
        '',
      ]),
    );

    // Label maps.
    const oid = join(corpus, 'labelmaps', 'oid_bbox_trainable_label_map.pbtxt');
    const oidText = readFileSync(oid, 'utf8');
    console.log(
      row([
        'oid_bbox_trainable_label_map.pbtxt (545 items)',
        time(() => validateText(oidText, { schema, root: LABEL_MAP })),
        hasProtoc ? protocTime(protos, LABEL_MAP, oid) : NaN,
        (hasProtoc ? protocTime(protos, LABEL_MAP, oid) : NaN) - startup,
      ]),
    );
    const big = join(work, 'label_map_100k.pbtxt');
    const parts: string[] = [];
    for (let i = 1; i <= 100_000; i++)
      parts.push(
        `item {\n  name: "/m/${i.toString(36)}"\n  id: ${i}\n  display_name: "class ${i}"\n}\n`,
      );
    writeFileSync(big, parts.join(''));
    const bigText = readFileSync(big, 'utf8');
    const bigOurs = time(() => validateText(bigText, { schema, root: LABEL_MAP }), 7, 2);
    const bigParse = time(() => parse(bigText), 7, 2);
    const bigProtoc = hasProtoc ? protocTime(protos, LABEL_MAP, big, 5) : NaN;
    console.log(
      row([
        `generated label map (100,000 items, ${(bigText.length / 1048576).toFixed(1)} MiB)`,
        bigOurs,
        bigProtoc,
        bigProtoc - startup,
      ]),
    );
    console.log(row(['  of which parsing alone', bigParse, '', '']));
    // Semantic tokens of the same map, as the server answers them: the validated version's tree
    // (parsed on the first read, outside the timing) walked and encoded for LSP.
    const bigContext = languageContext(bigText, {
      schema,
      result: validateText(bigText, { schema, root: LABEL_MAP }),
    });
    const bigLines = new LineIndex(bigText);
    let tokenCount = 0;
    const bigTokens = time(
      () => {
        tokenCount = encodeSemanticTokens(semanticTokens(bigContext), bigLines).data.length / 5;
      },
      5,
      1,
    );
    console.log(row([`  semantic tokens (${tokenCount} tokens, encoded)`, bigTokens, '', '']));

    // Throughput by shape: the same items on many lines and on one line (as Python protobuf
    // prints a message), parsed for the editor and validated; MB/s beside protoc's.
    const oneLine = join(work, 'label_map_one_line.pbtxt');
    writeFileSync(oneLine, bigText.replace(/\n\s*/g, ' '));
    const oneLineText = readFileSync(oneLine, 'utf8');
    const mbPerSecond = (text: string, ms: number) =>
      `${(text.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
    console.log(row(['throughput (100,000 items)', 'parse', 'validate', 'protoc']));
    for (const [shape, text, file] of [
      ['  many lines', bigText, big],
      ['  one line', oneLineText, oneLine],
    ] as const) {
      const parseMs = time(() => parse(text), 5, 1);
      const validateMs = time(() => validateText(text, { schema, root: LABEL_MAP }), 5, 1);
      const protocMs = hasProtoc ? protocTime(protos, LABEL_MAP, file, 3) : NaN;
      console.log(
        row([
          shape,
          mbPerSecond(text, parseMs),
          mbPerSecond(text, validateMs),
          hasProtoc ? mbPerSecond(text, protocMs) : 'no protoc',
        ]),
      );
    }

    // The running server: from didChange sent to publishDiagnostics received.
    if (existsSync(join(root, 'dist', 'server.js'))) {
      const direct = await editLatency(largest, 0, 60);
      console.log(
        row(['edit -> publishDiagnostics, debounce 0 (largest config)', median(direct), '', '']),
      );
      const debounced = await editLatency(largest, 100, 10);
      console.log(
        row(['edit -> publishDiagnostics, default debounce 100 ms', median(debounced), '', '']),
      );
    } else console.log('dist/server.js missing: run `npm run build` for the server latency');
    console.log(
      `\ntargets: keystroke < 5 ms (${keystroke < 5 ? 'met' : 'MISSED'}); 100k label map no slower than protoc (${bigOurs <= bigProtoc ? 'met' : 'MISSED'})`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
