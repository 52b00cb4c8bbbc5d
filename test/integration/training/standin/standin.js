#!/usr/bin/env node
// Stand-in for `python3 <Object Detection API script> --flags` (and `tflite_convert`) in the fast
// tests of train's contract (the training layer runs the real scripts, test/training). It honours each script's command-line
// interface, checks what the real script would read (the rewritten pipeline.config must point at
// files that exist), prints output in the real scripts' formats, and writes what they would write.
// Controls: TFOD_STANDIN_TFJS_UNSUPPORTED (ops the TF.js conversion reports as unsupported),
// TFOD_STANDIN_CALLS (file to append each call to, JSON lines), TFOD_STANDIN_FAIL
// (script name that fails with a Python traceback), TFOD_STANDIN_HANG (script name that runs until
// SIGTERM).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const os = require('node:os');
const dns = require('node:dns').promises;

const invokedAs = path.basename(process.argv[1]);
const [script, ...rest] =
  invokedAs === 'tflite_convert'
    ? ['tflite_convert', ...process.argv.slice(2)]
    : process.argv.slice(2);
const name = path.basename(script || '');
const flags = {};
for (const arg of rest) {
  const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
  if (match) flags[match[1]] = match[2] ?? 'true';
}
if (process.env.TFOD_STANDIN_CALLS) {
  fs.appendFileSync(process.env.TFOD_STANDIN_CALLS, `${JSON.stringify({ script: name, flags })}\n`);
}

function die(error) {
  console.error('Traceback (most recent call last):');
  console.error(`  File "${script}", line 1, in <module>`);
  console.error(error);
  process.exit(1);
}

function need(flag) {
  if (!flags[flag])
    die(
      `absl.flags._exceptions.IllegalFlagValueError: flag --${flag}=None: Flag --${flag} must have a value other than None.`,
    );
  return flags[flag];
}

function write(file, content = 'stand-in\n') {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function globMatches(pattern) {
  const dir = path.dirname(pattern);
  const re = new RegExp(
    `^${path
      .basename(pattern)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\?/g, '.')
      .replace(/\*/g, '.*')}$`,
  );
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)) : [];
}

/** What TensorFlow would fail on when it reads the config: every path must resolve. */
function checkConfig(configPath) {
  const text = fs.readFileSync(configPath, 'utf8');
  const checkpoint = /fine_tune_checkpoint:\s*"([^"]*)"/.exec(text);
  if (checkpoint && !fs.existsSync(`${checkpoint[1]}.index`)) {
    die(
      `tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ${checkpoint[1]}`,
    );
  }
  for (const m of text.matchAll(/label_map_path:\s*"([^"]*)"/g)) {
    if (!fs.existsSync(m[1]))
      die(
        `tensorflow.python.framework.errors_impl.NotFoundError: ${m[1]}; No such file or directory`,
      );
  }
  for (const m of text.matchAll(/input_path:\s*"([^"]*)"/g)) {
    if (globMatches(m[1]).length === 0) die(`ValueError: No files found for input_path ${m[1]}`);
  }
  return text;
}

function hangIfAsked() {
  if (process.env.TFOD_STANDIN_HANG !== name) return false;
  // The handler first: the test sends SIGTERM as soon as it sees the step line.
  process.on('SIGTERM', () => {
    console.log('stand-in: received SIGTERM, exiting');
    process.exit(143);
  });
  console.log('I1124 00:00:00.000000 1 model_lib_v2.py:705] Step 100 per-step time 0.100s');
  setInterval(() => undefined, 1000);
  return true;
}

/** The training loop's output; the chief writes the checkpoints. */
function trainSteps(modelDir, chief) {
  const steps = Number(need('num_train_steps'));
  for (let step = 100; step <= steps; step += 100) {
    console.log(`I1124 00:00:00.000000 1 model_lib_v2.py:705] Step ${step} per-step time 0.100s`);
    console.log(
      `I1124 00:00:00.000000 1 model_lib_v2.py:708] {'Loss/classification_loss': ${(1 / step).toFixed(5)},`,
    );
    console.log(` 'Loss/total_loss': ${(2 / step).toFixed(5)},`);
    console.log(" 'learning_rate': 0.004}");
  }
  if (!chief) return;
  write(path.join(modelDir, 'checkpoint'), 'model_checkpoint_path: "ckpt-1"\n');
  write(path.join(modelDir, 'ckpt-1.index'));
  write(path.join(modelDir, 'ckpt-1.data-00000-of-00001'));
}

/** TF_CONFIG's workers and this task's index, when it names more than one worker. */
function clusterOf(text) {
  if (!text) return undefined;
  const config = JSON.parse(text);
  const workers = (config.cluster && config.cluster.worker) || [];
  return workers.length > 1 ? { workers, index: config.task.index } : undefined;
}

/**
 * Listens at this worker's address and connects to every other one (retrying while they start),
 * each answering with its hostname; resolves once this worker has reached all the others and all
 * the others have reached it.
 */
function rendezvous({ workers, index }) {
  const port = Number(workers[index].split(':')[1]);
  const others = workers.filter((_, i) => i !== index);
  let accepted = 0;
  let allIn = () => undefined;
  const everyoneIn = new Promise((resolve) => {
    allIn = () => {
      if (accepted >= others.length) resolve();
    };
  });
  const server = net.createServer((socket) => {
    socket.end(`${os.hostname()}\n`);
    accepted += 1;
    allIn();
  });
  const reach = async (address) => {
    const [host, otherPort] = address.split(':');
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        // c-ares, not the system resolver: the test image has no NSS modules.
        const [ip] = await dns.resolve4(host).catch(() => [host]);
        return await new Promise((resolve, reject) => {
          const socket = net.connect(Number(otherPort), ip);
          let text = '';
          socket.on('data', (chunk) => (text += chunk));
          socket.on('end', () => resolve(text.trim()));
          socket.on('error', reject);
        });
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`cannot reach ${address}: ${error.message}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  })
    .then(() => Promise.all(others.map(reach)))
    .then(async (names) => {
      console.log(
        `stand-in: worker ${index + 1} of ${workers.length} (${os.hostname()}) reached ${names.join(', ')}`,
      );
      await everyoneIn;
      server.close();
    });
}

if (process.env.TFOD_STANDIN_FAIL === name) {
  die('ValueError: stand-in failure requested by the test (TFOD_STANDIN_FAIL)');
}

switch (name) {
  case 'od_api_tf2.py': {
    checkConfig(need('pipeline_config_path'));
    const modelDir = need('model_dir');
    if (need('mode') === 'evaluate') {
      console.log(
        'I1124 00:00:00.000000 1 model_lib_v2.py:1015] Eval metrics at step ' +
          flags.num_train_steps,
      );
      console.log(
        'I1124 00:00:00.000000 1 model_lib_v2.py:1018] \t+ DetectionBoxes_Precision/mAP: 0.412000',
      );
      console.log(
        'I1124 00:00:00.000000 1 model_lib_v2.py:1018] \t+ DetectionBoxes_Precision/mAP@.50IOU: 0.700000',
      );
      break;
    }
    if (hangIfAsked()) break;
    if (process.env.TFOD_STANDIN_FAIL_HOST === os.hostname())
      die(`ValueError: stand-in failure requested by the test on ${os.hostname()}`);
    const cluster = clusterOf(process.env.TF_CONFIG);
    if (cluster) {
      // What MultiWorkerMirroredStrategy needs first: every worker reaches every other at the
      // address TF_CONFIG gives. Then it trains; only the chief (index 0) keeps checkpoints.
      rendezvous(cluster).then(
        () => trainSteps(modelDir, cluster.index === 0),
        (error) =>
          die(`tensorflow.python.framework.errors_impl.UnavailableError: ${error.message}`),
      );
      break;
    }
    trainSteps(modelDir, true);
    break;
  }
  case 'model_main.py': {
    checkConfig(need('pipeline_config_path'));
    if (hangIfAsked()) break;
    const modelDir = need('model_dir');
    const steps = Number(need('num_train_steps'));
    for (let step = 100; step <= steps; step += 100)
      console.log(`INFO:tensorflow:loss = ${(2 / step).toFixed(4)}, step = ${step} (1.234 sec)`);
    console.log(
      `INFO:tensorflow:Saving dict for global step ${steps}: DetectionBoxes_Precision/mAP = 0.3, Loss/total_loss = 0.5, global_step = ${steps}`,
    );
    write(path.join(modelDir, `model.ckpt-${steps}.index`));
    write(path.join(modelDir, `model.ckpt-${steps}.data-00000-of-00001`));
    break;
  }
  case 'exporter_main_v2.py': {
    checkConfig(need('pipeline_config_path'));
    if (!fs.existsSync(path.join(need('trained_checkpoint_dir'), 'checkpoint')))
      die('ValueError: no checkpoint in trained_checkpoint_dir');
    const out = need('output_directory');
    write(path.join(out, 'saved_model', 'saved_model.pb'));
    write(path.join(out, 'saved_model', 'variables', 'variables.index'));
    write(path.join(out, 'checkpoint', 'ckpt-0.index'));
    fs.copyFileSync(flags.pipeline_config_path, path.join(out, 'pipeline.config'));
    break;
  }
  case 'export_inference_graph.py': {
    checkConfig(need('pipeline_config_path'));
    if (!fs.existsSync(`${need('trained_checkpoint_prefix')}.index`))
      die(`NotFoundError: ${flags.trained_checkpoint_prefix}`);
    const out = need('output_directory');
    write(path.join(out, 'frozen_inference_graph.pb'));
    write(path.join(out, 'saved_model', 'saved_model.pb'));
    fs.copyFileSync(flags.pipeline_config_path, path.join(out, 'pipeline.config'));
    break;
  }
  case 'convert_tfjs.py': {
    if (!fs.existsSync(path.join(need('saved_model_dir'), 'saved_model.pb')))
      die('OSError: SavedModel file does not exist');
    // TFOD_STANDIN_TFJS_UNSUPPORTED=Op1,Op2: the real script's answer to ops TF.js lacks.
    const unsupported = (process.env.TFOD_STANDIN_TFJS_UNSUPPORTED || '')
      .split(',')
      .filter(Boolean);
    const report = {
      converted: unsupported.length === 0,
      converter: 'tensorflowjs stand-in',
      unsupportedOps: unsupported,
      ...(unsupported.length
        ? {
            error: `TensorFlow.js has no kernel for ${unsupported.map((op) => `${op} (1 node)`).join(', ')}`,
          }
        : {}),
    };
    write(need('report'), `${JSON.stringify(report)}\n`);
    if (unsupported.length) {
      console.log(
        `[tfod] TF.js conversion: TensorFlow.js has no kernel for op ${unsupported.join(', ')}`,
      );
      process.exit(3);
    }
    write(path.join(need('output_dir'), 'model.json'), '{"format": "graph-model"}\n');
    break;
  }
  case 'export_tflite_graph_tf2.py':
    need('trained_checkpoint_dir');
    write(path.join(need('output_directory'), 'saved_model', 'saved_model.pb'));
    break;
  case 'export_tflite_ssd_graph.py':
    need('trained_checkpoint_prefix');
    write(path.join(need('output_directory'), 'tflite_graph.pb'));
    break;
  case 'convert_tflite.py':
  case 'tflite_convert':
    if (
      name === 'convert_tflite.py' &&
      !fs.existsSync(path.join(need('saved_model_dir'), 'saved_model.pb'))
    )
      die('OSError: SavedModel file does not exist');
    if (name === 'tflite_convert' && !fs.existsSync(need('graph_def_file')))
      die('OSError: graph_def_file not found');
    write(
      need('output_file'),
      `TFL3 ${flags.inference_type} ${flags.image_size ?? flags.input_shapes}\n`,
    );
    break;
  default:
    die(`python3: can't open file '${script}': [Errno 2] No such file or directory`);
}
