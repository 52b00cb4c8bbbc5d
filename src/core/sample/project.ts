import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors';
import { encodeDetectionExample, tfRecordFile } from '../records';
import { drawShapeImage, SAMPLE_CLASSES, seededRandom, type ShapeImage } from './shapes';

/**
 * A tiny synthetic training project in the seed's layout, generated rather than shipped:
 *
 *   pipeline.config                       SSD MobileNet V2 (TF2 Keras, or TF1 slim), 2 classes
 *   label_map.pbtxt                       square (1), disc (2)
 *   train.record-0000N-of-00002           tf.Example records of the training images
 *   validation.record                     tf.Example records of the validation images
 *   images/{train,validation}-NNN.jpg     the same images as files, to try a model on
 *   ssd_mobilenet_v2/checkpoint/ckpt-0.*  the pre-trained model (downloaded separately; TF1:
 *                                         ssd_mobilenet_v2/model.ckpt.*)
 */

/** The TF2 model zoo's SSD MobileNet V2 320x320, whose checkpoint the sample fine-tunes. */
export const SAMPLE_CHECKPOINT_URL =
  'http://download.tensorflow.org/models/object_detection/tf2/20200711/ssd_mobilenet_v2_320x320_coco17_tpu-8.tar.gz';
/** The folder (inside the sample) the archive is unpacked into, without its top-level folder. */
export const SAMPLE_MODEL_FOLDER = 'ssd_mobilenet_v2';
/** fine_tune_checkpoint as the seed lays the model folder out. */
export const SAMPLE_CHECKPOINT_PREFIX = `${SAMPLE_MODEL_FOLDER}/checkpoint/ckpt-0`;
/** The TF1 model zoo's SSD MobileNet V2 COCO, for the TF1 (1.15) images. */
export const SAMPLE_TF1_CHECKPOINT_URL =
  'http://download.tensorflow.org/models/object_detection/ssd_mobilenet_v2_coco_2018_03_29.tar.gz';
/** The TF1 archive holds model.ckpt.* at its top. */
export const SAMPLE_TF1_CHECKPOINT_PREFIX = `${SAMPLE_MODEL_FOLDER}/model.ckpt`;
export const TRAIN_SHARDS = 2;

export interface SampleOptions {
  readonly trainImages?: number;
  readonly validationImages?: number;
  readonly seed?: number;
  readonly size?: number;
}

/** The TensorFlow major version of the training image the sample is for (default 2). */
export type SampleTfMajor = 1 | 2;

export interface SampleImage extends ShapeImage {
  readonly filename: string;
  readonly split: 'train' | 'validation';
}

export interface SampleProject {
  readonly dir: string;
  /** Written files, relative to dir. */
  readonly files: readonly string[];
  readonly images: readonly SampleImage[];
  readonly checkpoint: { readonly url: string; readonly folder: string; readonly prefix: string };
}

export function sampleLabelMap(): string {
  return [
    '# Classes of the generated sample project. Ids start at 1; 0 is the background.',
    ...SAMPLE_CLASSES.map((name, i) => `item {\n  id: ${i + 1}\n  name: '${name}'\n}`),
    '',
  ].join('\n');
}

/**
 * The sample project's pipeline.config: SSD MobileNet V2 in its TF2 (Keras) form, or for the TF1
 * images in its TF1 (slim) form with the TF1 zoo's checkpoint.
 */
export function samplePipelineConfig(numSteps = 100, tfMajor: SampleTfMajor = 2): string {
  return `# SSD MobileNet V2 (TF${tfMajor}) fine-tuned on the generated shapes; paths are relative to this folder,
# the training container rewrites them to its channels.
model {
  ssd {
    num_classes: ${SAMPLE_CLASSES.length}
    image_resizer {
      fixed_shape_resizer {
        height: 300
        width: 300
      }
    }
    feature_extractor {
      type: "${tfMajor === 2 ? 'ssd_mobilenet_v2_keras' : 'ssd_mobilenet_v2'}"
      depth_multiplier: 1.0
      min_depth: 16
      conv_hyperparams {
        regularizer {
          l2_regularizer {
            weight: 4e-05
          }
        }
        initializer {
          truncated_normal_initializer {
            mean: 0.0
            stddev: 0.03
          }
        }
        activation: RELU_6
        batch_norm {
          decay: 0.9997
          scale: true
          epsilon: 0.001
        }
      }
      override_base_feature_extractor_hyperparams: true
    }
    box_coder {
      faster_rcnn_box_coder {
        y_scale: 10.0
        x_scale: 10.0
        height_scale: 5.0
        width_scale: 5.0
      }
    }
    matcher {
      argmax_matcher {
        matched_threshold: 0.5
        unmatched_threshold: 0.5
        ignore_thresholds: false
        negatives_lower_than_unmatched: true
        force_match_for_each_row: true
      }
    }
    similarity_calculator {
      iou_similarity {}
    }
    anchor_generator {
      ssd_anchor_generator {
        num_layers: 6
        min_scale: 0.2
        max_scale: 0.95
        aspect_ratios: 1.0
        aspect_ratios: 2.0
        aspect_ratios: 0.5
        aspect_ratios: 3.0
        aspect_ratios: 0.3333
      }
    }
    box_predictor {
      convolutional_box_predictor {
        min_depth: 0
        max_depth: 0
        num_layers_before_predictor: 0
        use_dropout: false
        dropout_keep_probability: 0.8
        kernel_size: 1
        box_code_size: 4
        apply_sigmoid_to_scores: false
        conv_hyperparams {
          activation: RELU_6
          regularizer {
            l2_regularizer {
              weight: 4e-05
            }
          }
          initializer {
            truncated_normal_initializer {
              mean: 0.0
              stddev: 0.03
            }
          }
          batch_norm {
            train: true
            scale: true
            center: true
            decay: 0.9997
            epsilon: 0.001
          }
        }
      }
    }
    post_processing {
      batch_non_max_suppression {
        score_threshold: 1e-08
        iou_threshold: 0.6
        max_detections_per_class: 100
        max_total_detections: 100
      }
      score_converter: SIGMOID
    }
    normalize_loss_by_num_matches: true
    loss {
      localization_loss {
        weighted_smooth_l1 {}
      }
      classification_loss {
        weighted_sigmoid {}
      }
      hard_example_miner {
        num_hard_examples: 3000
        iou_threshold: 0.99
        loss_type: CLASSIFICATION
        max_negatives_per_positive: 3
        min_negatives_per_image: 3
      }
      classification_weight: 1.0
      localization_weight: 1.0
    }
  }
}
train_config {
  batch_size: 8
  data_augmentation_options {
    random_horizontal_flip {}
  }
  optimizer {
    momentum_optimizer {
      learning_rate {
        constant_learning_rate {
          learning_rate: 0.01
        }
      }
      momentum_optimizer_value: 0.9
    }
    # The TF2 model zoo's setting: the default (true) wraps the optimizer in a moving average that
    # TF2 training with a distribution strategy cannot run.
    use_moving_average: false
  }
${
  tfMajor === 2
    ? `  fine_tune_checkpoint: "${SAMPLE_CHECKPOINT_PREFIX}"
  fine_tune_checkpoint_type: "detection"
  # TF2 restores object-based checkpoints only; the default V1 makes model_lib_v2 raise
  # "Checkpoint version should be V2" when fine-tuning starts.
  fine_tune_checkpoint_version: V2`
    : `  fine_tune_checkpoint: "${SAMPLE_TF1_CHECKPOINT_PREFIX}"
  fine_tune_checkpoint_type: "detection"`
}
  num_steps: ${numSteps}
}
train_input_reader {
  tf_record_input_reader {
    input_path: "train.record-?????-of-${String(TRAIN_SHARDS).padStart(5, '0')}"
  }
  label_map_path: "label_map.pbtxt"
}
eval_config {
  metrics_set: "coco_detection_metrics"
}
eval_input_reader {
  tf_record_input_reader {
    input_path: "validation.record"
  }
  label_map_path: "label_map.pbtxt"
  shuffle: false
  num_readers: 1
}
`;
}

/** The tf.Example the Object Detection API's dataset tools write for one image. */
export function shapeExample(image: SampleImage): Buffer {
  const { width, height, boxes } = image;
  return encodeDetectionExample({
    encoded: image.jpeg,
    format: 'jpeg',
    height,
    width,
    filename: image.filename,
    sourceId: image.filename,
    objects: boxes.map((b) => ({
      xmin: b.xmin / width,
      xmax: b.xmax / width,
      ymin: b.ymin / height,
      ymax: b.ymax / height,
      text: b.label,
      label: SAMPLE_CLASSES.indexOf(b.label) + 1,
    })),
  });
}

/** Draws the sample's images (deterministic for a seed). */
export function sampleImages(options: SampleOptions = {}): SampleImage[] {
  const random = seededRandom(options.seed ?? 7);
  const size = options.size ?? 320;
  const out: SampleImage[] = [];
  for (const [split, count] of [
    ['train', options.trainImages ?? 24],
    ['validation', options.validationImages ?? 8],
  ] as const)
    for (let i = 0; i < count; i++)
      out.push({
        ...drawShapeImage(random, size, size),
        split,
        filename: `${split}-${String(i).padStart(3, '0')}.jpg`,
      });
  return out;
}

/**
 * Writes the sample project into `dir` (made if missing). Refuses a folder that already holds
 * files unless `force`, so a user's project is never overwritten. The checkpoint is not included:
 * it is the model zoo's archive, fetched from SAMPLE_CHECKPOINT_URL into SAMPLE_MODEL_FOLDER.
 */
export async function writeSampleProject(
  dir: string,
  options: SampleOptions & {
    readonly force?: boolean;
    readonly numSteps?: number;
    readonly tfMajor?: SampleTfMajor;
  } = {},
): Promise<SampleProject> {
  let existing: string[] = [];
  try {
    existing = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing.length > 0 && !options.force)
    throw new UserError(
      `${dir} is not empty; the sample project is only written into a new or empty folder`,
      'Pick another folder, or pass --force to write the sample files over it',
    );
  const train = options.trainImages ?? 24;
  if (train < TRAIN_SHARDS)
    throw new UserError(`the sample needs at least ${TRAIN_SHARDS} training images`);
  const tfMajor = options.tfMajor ?? 2;
  await mkdir(join(dir, 'images'), { recursive: true });
  const images = sampleImages(options);
  const files: Record<string, Buffer | string> = {
    'pipeline.config': samplePipelineConfig(options.numSteps, tfMajor),
    'label_map.pbtxt': sampleLabelMap(),
  };
  const trainImages = images.filter((i) => i.split === 'train');
  const of = String(TRAIN_SHARDS).padStart(5, '0');
  for (let shard = 0; shard < TRAIN_SHARDS; shard++)
    files[`train.record-${String(shard).padStart(5, '0')}-of-${of}`] = tfRecordFile(
      trainImages.filter((_, i) => i % TRAIN_SHARDS === shard).map(shapeExample),
    );
  files['validation.record'] = tfRecordFile(
    images.filter((i) => i.split === 'validation').map(shapeExample),
  );
  for (const image of images) files[`images/${image.filename}`] = image.jpeg;
  for (const [relative, content] of Object.entries(files))
    await writeFile(join(dir, relative), content);
  return {
    dir,
    files: Object.keys(files).sort(),
    images,
    checkpoint:
      tfMajor === 2
        ? {
            url: SAMPLE_CHECKPOINT_URL,
            folder: SAMPLE_MODEL_FOLDER,
            prefix: SAMPLE_CHECKPOINT_PREFIX,
          }
        : {
            url: SAMPLE_TF1_CHECKPOINT_URL,
            folder: SAMPLE_MODEL_FOLDER,
            prefix: SAMPLE_TF1_CHECKPOINT_PREFIX,
          },
  };
}
