import { join } from 'node:path';
import type { TrainingHyperparameters } from '../../../src/core/training/hyperparameters';
import { TFJS_CONVERSION_REPORT, TFJS_FOLDER } from '../../../src/detection/modelFolder';
import type { ObjectDetectionApi } from './environment';

/**
 * The Object Detection API's own scripts, with the command lines each TF major version takes.
 * These are the documented interfaces the image relies on: model_main(_tf2).py for training and
 * evaluation, export_inference_graph.py / exporter_main_v2.py for the SavedModel, and the TFLite
 * exporters plus a converter when the job asks for `quantize`.
 */
export interface Command {
  /** Short name for logs and failure messages ("training", "export"). */
  readonly step: string;
  readonly argv: readonly string[];
  /** Set on top of the image's environment (TF_CONFIG for a training run on several hosts). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CommandPaths {
  readonly pipelineConfig: string;
  /** Where training writes its checkpoints. */
  readonly modelDir: string;
  /** /opt/ml/model: what SageMaker packages as model.tar.gz. */
  readonly exportDir: string;
  readonly tfliteDir: string;
  /** The training channel's TFRecords for the TFLite converter's representative data. */
  readonly trainRecordsGlob: string;
}

function script(api: ObjectDetectionApi, name: string): string {
  return join(api.researchDir, 'object_detection', name);
}

/**
 * tfod's own runner of the API's TF2 loops (container/od_api_tf2.py): model_main_tf2.py's loop
 * would export step 0's weights, round num_steps up to 100 and wait 300 s after evaluating.
 */
function tf2Runner(): string {
  return process.env.TFOD_OD_API_TF2 || '/opt/tfod/od_api_tf2.py';
}

/** Where one host trains: how many replicas (GPUs, or logical CPU devices without a GPU). */
export interface Replicas {
  readonly count: number;
  readonly onCpu: boolean;
}

export const ONE_REPLICA: Replicas = { count: 1, onCpu: false };

export function trainCommand(
  api: ObjectDetectionApi,
  paths: CommandPaths,
  h: TrainingHyperparameters,
  tfConfig?: string,
  replicas: Replicas = ONE_REPLICA,
): Command {
  const common = [
    `--pipeline_config_path=${paths.pipelineConfig}`,
    `--model_dir=${paths.modelDir}`,
    `--num_train_steps=${h.numSteps}`,
  ];
  if (api.tfMajor === 1 && replicas.count > 1)
    // model_main.py's Estimator trains on one device (its model_fn builds its Saver inside the
    // replica context, which MirroredStrategy refuses); the API's legacy trainer deploys one
    // clone of the model per GPU and sums their gradients. It reads num_steps from the config.
    return {
      step: 'training',
      argv: [
        api.python,
        script(api, join('legacy', 'train.py')),
        `--pipeline_config_path=${paths.pipelineConfig}`,
        `--train_dir=${paths.modelDir}`,
        `--num_clones=${replicas.count}`,
        ...(replicas.onCpu ? ['--clone_on_cpu'] : []),
        '--alsologtostderr',
      ],
    };
  return api.tfMajor === 1
    ? {
        step: 'training',
        argv: [
          api.python,
          script(api, 'model_main.py'),
          ...common,
          '--alsologtostderr',
          '--sample_1_of_n_eval_examples=1',
        ],
      }
    : {
        step: 'training',
        argv: [
          api.python,
          tf2Runner(),
          '--mode=train',
          ...common,
          ...(replicas.onCpu && replicas.count > 1 ? [`--cpu_replicas=${replicas.count}`] : []),
          '--alsologtostderr',
        ],
        ...(tfConfig ? { env: { TF_CONFIG: tfConfig } } : {}),
      };
}

/**
 * TF2 evaluates once, over the final checkpoint; so does TF1 after the legacy trainer (several
 * replicas). TF1's model_main already evaluated.
 */
export function evalCommand(
  api: ObjectDetectionApi,
  paths: CommandPaths,
  h: TrainingHyperparameters,
  replicas: Replicas = ONE_REPLICA,
): Command | undefined {
  if (api.tfMajor === 1)
    return replicas.count > 1
      ? {
          step: 'evaluation',
          argv: [
            api.python,
            script(api, 'model_main.py'),
            `--pipeline_config_path=${paths.pipelineConfig}`,
            `--model_dir=${paths.modelDir}`,
            `--checkpoint_dir=${paths.modelDir}`,
            '--run_once',
            '--sample_1_of_n_eval_examples=1',
            '--alsologtostderr',
          ],
        }
      : undefined;
  return {
    step: 'evaluation',
    argv: [
      api.python,
      tf2Runner(),
      '--mode=evaluate',
      `--pipeline_config_path=${paths.pipelineConfig}`,
      `--model_dir=${paths.modelDir}`,
      `--num_train_steps=${h.numSteps}`,
      '--alsologtostderr',
    ],
  };
}

/** `checkpointPrefix` is TF1's model.ckpt-<step>; TF2 exports from the model dir. */
export function exportCommand(
  api: ObjectDetectionApi,
  paths: CommandPaths,
  checkpointPrefix: string,
): Command {
  if (api.tfMajor === 1) {
    return {
      step: 'export',
      argv: [
        api.python,
        script(api, 'export_inference_graph.py'),
        '--input_type=image_tensor',
        `--pipeline_config_path=${paths.pipelineConfig}`,
        `--trained_checkpoint_prefix=${checkpointPrefix}`,
        `--output_directory=${paths.exportDir}`,
      ],
    };
  }
  return {
    step: 'export',
    argv: [
      api.python,
      script(api, 'exporter_main_v2.py'),
      '--input_type=image_tensor',
      `--pipeline_config_path=${paths.pipelineConfig}`,
      `--trained_checkpoint_dir=${paths.modelDir}`,
      `--output_directory=${paths.exportDir}`,
    ],
  };
}

/**
 * The SavedModel as a TensorFlow.js graph model, so the trained model runs where libtensorflow
 * cannot (the preview, `tfod predict`/`serve` on a laptop, an image without the native binding).
 * TF2 images only: the TF1 images carry no converter.
 */
export function tfjsCommand(api: ObjectDetectionApi, paths: CommandPaths): Command | undefined {
  if (api.tfMajor === 1) return undefined;
  return {
    step: 'TF.js conversion',
    argv: [
      api.python,
      process.env.TFOD_TFJS_CONVERTER || '/opt/tfod/convert_tfjs.py',
      `--saved_model_dir=${join(paths.exportDir, 'saved_model')}`,
      `--output_dir=${join(paths.exportDir, TFJS_FOLDER)}`,
      `--report=${join(paths.exportDir, TFJS_CONVERSION_REPORT)}`,
    ],
  };
}

export const TFLITE_FILE = 'model.tflite';

/** The TFLite graph export followed by the conversion with image_size and inference_type. */
export function tfliteCommands(
  api: ObjectDetectionApi,
  paths: CommandPaths,
  checkpointPrefix: string,
  h: TrainingHyperparameters,
): Command[] {
  const output = join(paths.exportDir, TFLITE_FILE);
  if (api.tfMajor === 1) {
    const quantized = h.inferenceType === 'QUANTIZED_UINT8';
    return [
      {
        step: 'TFLite graph export',
        argv: [
          api.python,
          script(api, 'export_tflite_ssd_graph.py'),
          `--pipeline_config_path=${paths.pipelineConfig}`,
          `--trained_checkpoint_prefix=${checkpointPrefix}`,
          `--output_directory=${paths.tfliteDir}`,
          '--add_postprocessing_op=true',
        ],
      },
      {
        step: 'TFLite conversion',
        argv: [
          'tflite_convert',
          `--graph_def_file=${join(paths.tfliteDir, 'tflite_graph.pb')}`,
          `--output_file=${output}`,
          `--input_shapes=1,${h.imageSize},${h.imageSize},3`,
          '--input_arrays=normalized_input_image_tensor',
          '--output_arrays=TFLite_Detection_PostProcess,TFLite_Detection_PostProcess:1,TFLite_Detection_PostProcess:2,TFLite_Detection_PostProcess:3',
          `--inference_type=${h.inferenceType}`,
          ...(quantized ? ['--mean_values=128', '--std_dev_values=128'] : []),
          '--change_concat_input_ranges=false',
          '--allow_custom_ops',
        ],
      },
    ];
  }
  return [
    {
      step: 'TFLite graph export',
      argv: [
        api.python,
        script(api, 'export_tflite_graph_tf2.py'),
        `--pipeline_config_path=${paths.pipelineConfig}`,
        `--trained_checkpoint_dir=${paths.modelDir}`,
        `--output_directory=${paths.tfliteDir}`,
      ],
    },
    {
      step: 'TFLite conversion',
      argv: [
        api.python,
        process.env.TFOD_TFLITE_CONVERTER || '/opt/tfod/convert_tflite.py',
        `--saved_model_dir=${join(paths.tfliteDir, 'saved_model')}`,
        `--output_file=${output}`,
        `--image_size=${h.imageSize}`,
        `--inference_type=${h.inferenceType}`,
        `--representative_records=${paths.trainRecordsGlob}`,
      ],
    },
  ];
}
