// `tfod predict` and `tfod serve` on the real COCO SSD model and photos (test/harness/fixtures.sh).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import { createServingApp } from '../../../src/detection/server';
import { decodeImage } from '../../../src/detection';
import { ping, postImage } from './client';
import { COCO, fixtures } from './fixtures';

const root = join(__dirname, '..', '..', '..');
let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tfod-cli-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the CLI in-process exactly as the `tfod` binary does; returns code, stdout, stderr. */
async function tfod(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tfod predict', () => {
  it("prints a table with each image's detections", async () => {
    const { code, stdout } = await tfod(
      'predict',
      fixtures().photoPath('chelsea'),
      fixtures().photoPath('coffee'),
      '--model',
      fixtures().modelDir,
      '--backend',
      'wasm',
    );
    assert.equal(code, 0);
    assert.match(stdout, /chelsea\.png: 1 detection \(451x300, \d+ ms\)/);
    assert.match(stdout, /class\s+confidence\s+xmin ymin xmax ymax\s+pixels/);
    assert.match(stdout, /\n {2}17 +0\.9\d\d /);
    assert.match(stdout, /coffee\.png: 2 detections/);
    assert.match(stdout, /\n {2}47 +0\.9\d\d /);
  });

  it("names classes from the model folder's label_map.pbtxt", async () => {
    // The test model ships without a label map: give a copy of its folder one.
    const model = join(scratch, 'named-model');
    await mkdir(model, { recursive: true });
    for (const file of await readdir(fixtures().modelDir)) {
      await symlink(join(fixtures().modelDir, file), join(model, file));
    }
    await writeFile(
      join(model, 'label_map.pbtxt'),
      "item { id: 17 name: '/m/01yrx' display_name: 'cat' }\nitem { id: 47 name: 'cup' }\n",
    );
    const { code, stdout } = await tfod(
      'predict',
      fixtures().photoPath('chelsea'),
      '--model',
      model,
    );
    assert.equal(code, 0);
    assert.match(stdout, /\bname\b/);
    assert.match(stdout, /\n {2}17 +cat +0\.9\d\d /);
  });

  it('prints JSON with --json and honours --threshold', async () => {
    const { code, stdout } = await tfod(
      'predict',
      fixtures().photoPath('coffee'),
      '-m',
      fixtures().modelDir,
      '--json',
      '--threshold',
      '0.9',
    );
    assert.equal(code, 0);
    const results = JSON.parse(stdout) as {
      image: string;
      width: number;
      prediction: number[][];
    }[];
    assert.equal(results.length, 1);
    assert.equal(results[0]!.width, 600);
    assert.deepEqual(
      results[0]!.prediction.map((p) => p[0]),
      [COCO.cup],
    );
  });

  it('writes each image with its boxes drawn with --out', async () => {
    const out = join(scratch, 'annotated');
    const { code } = await tfod(
      'predict',
      fixtures().photoPath('astronaut'),
      fixtures().photoPath('motorcycle_left'),
      '-m',
      fixtures().modelDir,
      '--out',
      out,
    );
    assert.equal(code, 0);
    assert.deepEqual((await readdir(out)).sort(), ['astronaut.png', 'motorcycle_left.png']);
    const drawn = decodeImage(await readFile(join(out, 'motorcycle_left.png')));
    const original = decodeImage(fixtures().photo('motorcycle_left'));
    assert.equal(drawn.width, original.width);
    assert.equal(drawn.height, original.height);
    assert.notDeepEqual(drawn.data, original.data);
  });

  it('reports unusable images one line each, still prints the rest, and exits 1', async () => {
    const truncated = join(scratch, 'broken.png');
    await (
      await import('node:fs/promises')
    ).writeFile(truncated, fixtures().photo('chelsea').subarray(0, 2000));
    const { code, stdout, stderr } = await tfod(
      'predict',
      truncated,
      join(scratch, 'missing.jpg'),
      fixtures().photoPath('chelsea'),
      '-m',
      fixtures().modelDir,
    );
    assert.equal(code, 1);
    assert.match(stdout, /chelsea\.png: 1 detection/);
    assert.match(stderr, /broken\.png: truncated PNG/);
    assert.match(stderr, /cannot read .*missing\.jpg: ENOENT/);
    assert.match(stderr, /error: 2 of 3 images could not be used/);
  });

  it('says what is wrong with the model folder or the threshold', async () => {
    const missing = await tfod('predict', 'x.png', '-m', join(scratch, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /model folder .*nope does not exist\. Pass the folder that holds model\.json/,
    );
    const threshold = await tfod('predict', 'x.png', '-m', fixtures().modelDir, '-t', '1.5');
    assert.notEqual(threshold.code, 0);
    assert.match(threshold.stderr, /must be a number from 0 to 1/);
  });
});

describe('tfod predict --endpoint', () => {
  it('asks an endpoint over HTTP and names classes from --label-map', async () => {
    const app = createServingApp({ modelDir: fixtures().modelDir });
    const { port } = await app.listen(0, '127.0.0.1');
    try {
      await app.ready;
      const labels = join(scratch, 'endpoint-labels.pbtxt');
      await writeFile(labels, "item { id: 17 name: 'cat' }\nitem { id: 1 name: 'person' }\n");
      const named = await tfod(
        'predict',
        fixtures().photoPath('chelsea'),
        '--endpoint',
        `http://127.0.0.1:${port}`,
        '--label-map',
        labels,
      );
      assert.equal(named.code, 0, named.stderr);
      assert.match(named.stdout, /\n {2}17 +cat +0\.9\d\d /);
      const json = await tfod(
        'predict',
        fixtures().photoPath('astronaut'),
        '-e',
        `http://127.0.0.1:${port}`,
        '--json',
        '-t',
        '0.6',
      );
      assert.equal(json.code, 0, json.stderr);
      const [result] = JSON.parse(json.stdout) as Array<{ prediction: number[][] }>;
      assert.equal(result?.prediction[0]?.[0], 1, 'person');
      assert.ok(
        result?.prediction.every((p) => (p[1] ?? 0) >= 0.6),
        'the threshold filters',
      );
    } finally {
      await app.close();
    }
  });

  it('says what is wrong: both sources, neither, an endpoint that does not answer', async () => {
    const both = await tfod(
      'predict',
      'x.png',
      '--model',
      fixtures().modelDir,
      '--endpoint',
      'http://127.0.0.1:9',
    );
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give either --model <dir> or --endpoint <name\|url>/);
    const neither = await tfod('predict', 'x.png');
    assert.match(neither.stderr, /give either --model/);
    const down = await tfod(
      'predict',
      fixtures().photoPath('chelsea'),
      '--endpoint',
      'http://127.0.0.1:9',
    );
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\/invocations/);
  });
});

describe('tfod serve', () => {
  it('honours MODEL_SERVER_WORKERS, as the image does', async () => {
    const child = spawn(
      process.execPath,
      [join(root, 'dist', 'cli.js'), 'serve', '--model', fixtures().modelDir, '--port', '0'],
      {
        cwd: root,
        env: { ...process.env, MODEL_SERVER_WORKERS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "Serving" line:\n${output}`)), 60_000);
        const onData = (d: Buffer) => {
          output += d.toString();
          const match = /Serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => reject(new Error(`exited ${code}:\n${output}`)));
      });
      assert.match(output, /loading the model in 2 inference workers/);
      assert.equal(output.match(/model ready: .* in worker \d/g)?.length, 2, output);
      assert.equal(
        (await postImage(url, fixtures().photo('coffee'))).body.prediction?.[0]?.[0],
        COCO.cup,
      );
      child.kill('SIGINT');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serves the model on the given port until SIGINT, then exits 0', async () => {
    // The bundled binary users run (npm test builds it first).
    const cli = join(root, 'dist', 'cli.js');
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--model', fixtures().modelDir, '--port', '0', '--quiet'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Serving" line:\n${output}`)), 30_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const match = /Serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    try {
      assert.equal((await ping(url)).status, 200);
      const answer = await postImage(url, fixtures().photo('astronaut'));
      assert.equal(answer.body.prediction?.[0]?.[0], COCO.person);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
