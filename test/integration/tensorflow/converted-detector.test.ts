import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testCacheDir } from '../harness/services';
import { fixtures, type PhotoName } from '../serving/fixtures';

// Real TensorFlow makes a detector with the Object Detection API's TF2 export signature
// (od_api_detector.py), the official converter (tensorflowjs_converter) turns it into a
// TensorFlow.js GraphModel as a trained model would be, and `tfod predict` runs it in-process on
// the wasm backend: its detections must be TensorFlow's own, on real photos.
const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');
const cache = testCacheDir();
const venv = join(cache, 'tensorflow', 'bin');
const PHOTOS: PhotoName[] = ['chelsea', 'astronaut', 'coffee', 'motorcycle_left'];

interface TfAnswer {
  detection_boxes: number[][][];
  detection_scores: number[][];
  detection_classes: number[][];
  num_detections: number[];
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}:\n${result.stderr}`);
  return result.stdout;
}

function predict(model: string, photos: string[]) {
  const out = run(process.execPath, [
    cli,
    'predict',
    '--model',
    model,
    '--json',
    '-t',
    '0',
    ...photos,
  ]);
  return JSON.parse(out) as { image: string; prediction: number[][] }[];
}

describe('a detector exported with the Object Detection API signature, converted by tensorflowjs', () => {
  const work = mkdtempSync(join(tmpdir(), 'tfod-tf-'));
  const model = join(work, 'model');
  let answers: Record<string, TfAnswer>;
  let photos: string[];

  before(() => {
    assert.ok(
      existsSync(join(venv, 'python')) && existsSync(join(venv, 'tensorflowjs_converter')),
      `TensorFlow is not installed in ${join(cache, 'tensorflow')}: run npm test (test/harness/setup.sh integration installs it)`,
    );
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build`);
    photos = PHOTOS.map((name) => fixtures().photoPath(name));
    mkdirSync(model);
    run(join(venv, 'python'), [
      join(__dirname, 'od_api_detector.py'),
      join(model, 'saved_model'),
      join(work, 'answers.json'),
      ...photos,
    ]);
    answers = JSON.parse(readFileSync(join(work, 'answers.json'), 'utf8')) as Record<
      string,
      TfAnswer
    >;
    // As the training image converts: the SavedModel's serving signature, keys kept.
    for (const [folder, named] of [
      [join(model, 'tfjs'), true],
      [join(work, 'unnamed'), false],
    ] as const)
      run(join(venv, 'tensorflowjs_converter'), [
        '--input_format=tf_saved_model',
        '--output_format=tfjs_graph_model',
        '--signature_name=serving_default',
        '--saved_model_tags=serve',
        ...(named ? ['--use_structured_outputs_names=true'] : []),
        join(model, 'saved_model'),
        folder,
      ]);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** tfod's predictions equal TensorFlow's: same classes in the same order, within 1e-3. */
  function assertSameAsTensorFlow(results: { image: string; prediction: number[][] }[]) {
    assert.equal(results.length, photos.length);
    let compared = 0;
    for (const result of results) {
      const tf = answers[result.image];
      assert.ok(tf, `TensorFlow has no answer for ${result.image}`);
      const count = Math.round(tf.num_detections[0]);
      assert.ok(count > 0, `the detector finds something in ${result.image}`);
      assert.equal(result.prediction.length, count, `${result.image}: number of detections`);
      result.prediction.forEach(([classId, score, xmin, ymin, xmax, ymax], i) => {
        const [tymin, txmin, tymax, txmax] = tf.detection_boxes[0][i];
        const where = `${result.image} detection ${i}`;
        assert.equal(classId, tf.detection_classes[0][i], `${where}: class`);
        assert.ok(Math.abs(score - tf.detection_scores[0][i]) < 1e-3, `${where}: score ${score}`);
        const box = [xmin, ymin, xmax, ymax];
        [txmin, tymin, txmax, tymax].forEach((v, k) =>
          assert.ok(
            Math.abs(box[k] - v) < 1e-3,
            `${where}: box ${box} vs ${[txmin, tymin, txmax, tymax]}`,
          ),
        );
        compared++;
      });
    }
    assert.ok(compared >= photos.length * 3, `compared ${compared} detections`);
  }

  it('predicts from the model folder (saved_model/ and tfjs/) what TensorFlow predicts', () => {
    assertSameAsTensorFlow(predict(model, photos));
  });

  it("reads a conversion without --use_structured_outputs_names by the exporter's output keys", () => {
    assertSameAsTensorFlow(predict(join(work, 'unnamed'), photos));
  });

  it('predicts from the model.tar.gz of that folder, and leaves no unpacked copy behind', () => {
    const archive = join(work, 'model.tar.gz');
    run('tar', ['-czf', archive, '-C', model, '.']);
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('tfod-model-'));
    assertSameAsTensorFlow(predict(archive, photos));
    const left = readdirSync(tmpdir()).filter((n) => n.startsWith('tfod-model-'));
    assert.deepEqual(left, before);
  });

  it('refuses a converted graph whose outputs say nothing about detections, saying how to convert', () => {
    // The same graph with its outputs renamed out of reach: no key set fits its ranks.
    const broken = join(work, 'broken');
    cpSync(join(work, 'unnamed'), broken, { recursive: true });
    const json = JSON.parse(readFileSync(join(broken, 'model.json'), 'utf8')) as {
      signature: { outputs: Record<string, unknown> };
    };
    json.signature.outputs = Object.fromEntries(
      Object.entries(json.signature.outputs).map(([k, v]) => [`out_${k}`, v]),
    );
    writeFileSync(join(broken, 'model.json'), JSON.stringify(json));
    const result = spawnSync(process.execPath, [cli, 'predict', '--model', broken, photos[0]], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /is not an object detection model this code understands/);
    assert.match(result.stderr, /--use_structured_outputs_names=true/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});

// The training image's converter (container/convert_tfjs.py) with real TensorFlow and the real
// tensorflowjs package: a model it converts runs as TensorFlow runs it; a model using an op
// TensorFlow.js has no kernel for is reported by name, in the report `tfod` reads.
describe("the training image's TF.js conversion (container/convert_tfjs.py)", () => {
  const work = mkdtempSync(join(tmpdir(), 'tfod-convert-'));
  const script = join(root, 'container', 'convert_tfjs.py');
  // A detector whose score goes through Lgamma: real TensorFlow, no TensorFlow.js kernel.
  const LGAMMA_DETECTOR = `
import sys
import tensorflow as tf

class Detector(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.uint8, name="input_tensor")])
    def serve(self, input_tensor):
        mean = tf.reduce_mean(tf.cast(input_tensor, tf.float32)) / 255.0
        score = tf.math.sigmoid(tf.math.lgamma(mean + 1.5))
        return {
            "detection_boxes": tf.reshape(tf.stack([0.1, 0.2, 0.5, 0.6]), [1, 1, 4]),
            "detection_scores": tf.reshape(score, [1, 1]),
            "detection_classes": tf.ones([1, 1]),
            "num_detections": tf.ones([1]),
        }

detector = Detector()
tf.saved_model.save(detector, sys.argv[1], signatures={"serving_default": detector.serve})
`;

  function convert(model: string) {
    return spawnSync(
      join(venv, 'python'),
      [
        script,
        `--saved_model_dir=${join(model, 'saved_model')}`,
        `--output_dir=${join(model, 'tfjs')}`,
        `--report=${join(model, 'tfjs_conversion.json')}`,
      ],
      { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
    );
  }

  before(() => {
    assert.ok(
      existsSync(join(venv, 'python')),
      `TensorFlow is not installed in ${join(cache, 'tensorflow')}: run npm test (test/harness/setup.sh integration installs it)`,
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('reports an op TensorFlow.js lacks by name, ships no tfjs/, and tfod says so', () => {
    const model = join(work, 'lgamma');
    mkdirSync(model);
    run(join(venv, 'python'), ['-c', LGAMMA_DETECTOR, join(model, 'saved_model')]);
    const converted = convert(model);
    assert.equal(converted.status, 3, converted.stdout + converted.stderr);
    assert.match(converted.stdout, /TensorFlow\.js has no kernel for op Lgamma/);
    assert.ok(!existsSync(join(model, 'tfjs')), 'no half-usable tfjs/ is left');
    const report = JSON.parse(readFileSync(join(model, 'tfjs_conversion.json'), 'utf8')) as {
      converted: boolean;
      unsupportedOps: string[];
      error: string;
    };
    assert.equal(report.converted, false);
    assert.deepEqual(report.unsupportedOps, ['Lgamma']);
    assert.match(report.error, /Lgamma \(1 node\)/);

    const result = spawnSync(
      process.execPath,
      [cli, 'predict', '--model', model, fixtures().photoPath('chelsea')],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /could not convert to TensorFlow\.js \(TensorFlow\.js has no kernel for the op Lgamma, which this model uses\)/,
    );
    assert.match(result.stderr, /serving image \(tfod serve --target local <job>/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('names the op when a model converted without the op check reaches it at run time', () => {
    const model = join(work, 'lgamma-unchecked');
    mkdirSync(model);
    run(join(venv, 'python'), ['-c', LGAMMA_DETECTOR, join(model, 'saved_model')]);
    run(join(venv, 'tensorflowjs_converter'), [
      '--input_format=tf_saved_model',
      '--output_format=tfjs_graph_model',
      '--signature_name=serving_default',
      '--saved_model_tags=serve',
      '--use_structured_outputs_names=true',
      '--skip_op_check',
      join(model, 'saved_model'),
      join(model, 'tfjs'),
    ]);
    const result = spawnSync(
      process.execPath,
      [cli, 'predict', '--model', model, fixtures().photoPath('chelsea')],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /uses the op Lgamma, which TensorFlow\.js cannot run/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('converts an Object Detection API export into a model tfod runs, and says so in the report', () => {
    const model = join(work, 'od');
    mkdirSync(model);
    const photos = PHOTOS.map((name) => fixtures().photoPath(name));
    run(join(venv, 'python'), [
      join(__dirname, 'od_api_detector.py'),
      join(model, 'saved_model'),
      join(work, 'od-answers.json'),
      photos[0]!,
    ]);
    const converted = convert(model);
    assert.equal(converted.status, 0, converted.stdout + converted.stderr);
    const report = JSON.parse(readFileSync(join(model, 'tfjs_conversion.json'), 'utf8')) as {
      converted: boolean;
      unsupportedOps: string[];
    };
    assert.equal(report.converted, true);
    assert.deepEqual(report.unsupportedOps, []);
    const answers = JSON.parse(readFileSync(join(work, 'od-answers.json'), 'utf8')) as Record<
      string,
      TfAnswer
    >;
    const [result] = predict(model, [photos[0]!]);
    const tf = answers[photos[0]!];
    assert.ok(result && tf);
    assert.equal(result.prediction.length, Math.round(tf.num_detections[0]));
    result.prediction.forEach(([classId, score], i) => {
      assert.equal(classId, tf.detection_classes[0][i]);
      assert.ok(Math.abs(score - tf.detection_scores[0][i]) < 1e-3);
    });
  });
});
