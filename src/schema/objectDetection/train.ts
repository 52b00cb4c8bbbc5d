// Training settings: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, protoFile, type ProtoFileSpec } from './dsl';

export const train: readonly ProtoFileSpec[] = [
  protoFile('train', [
    message(
      'TrainConfig',
      'Training settings: batch size, steps, optimizer, checkpoint to start from, augmentation.',
      [
        '1 uint32 batch_size = 32 | Images per training step over all replicas; lower it if the GPU runs out of memory.',
        '2 repeated PreprocessingStep data_augmentation_options | Augmentation steps applied to each training image, in order.',
        '3 bool sync_replicas = false | Synchronize replicas during training (TF1).',
        '4 float keep_checkpoint_every_n_hours = 10000 | Keep one checkpoint per this many hours.',
        '5 Optimizer optimizer | Optimizer and learning rate schedule.',
        '6 float gradient_clipping_by_norm = 0 | Clip gradients to this global norm; 0 disables clipping.',
        '7 string fine_tune_checkpoint = "" | Checkpoint prefix to start from, e.g. .../checkpoint/ckpt-0.',
        '22 string fine_tune_checkpoint_type = "" | What the checkpoint holds: detection (full model) or classification (backbone only).',
        '28 CheckpointVersion fine_tune_checkpoint_version = V1 | Checkpoint format: V1 (TF1 Saver) or V2 (TF2 object-based).',
        '8 bool from_detection_checkpoint = false deprecated | Deprecated: use fine_tune_checkpoint_type: "detection".',
        '19 bool load_all_detection_checkpoint_vars = false | Restore every variable whose name and shape match (TF1).',
        '30 bool run_fine_tune_checkpoint_dummy_computation = true | Run one dummy step so variables exist before the restore (TF2).',
        '9 uint32 num_steps = 0 | Training steps; 0 trains forever.',
        '10 float startup_delay_steps = 15 | Steps between replica startups (TF1).',
        '11 float bias_grad_multiplier = 0 | Multiply bias gradients by this when above 0.',
        '25 repeated string update_trainable_variables | Regexes of variables to train; others are frozen.',
        '12 repeated string freeze_variables | Regexes of variables not to train.',
        '13 int32 replicas_to_aggregate = 1 | Replicas aggregated per update with sync_replicas.',
        '14 int32 batch_queue_capacity = 150 deprecated | Deprecated: batch queue size (TF1 queues).',
        '15 int32 num_batch_queue_threads = 8 deprecated | Deprecated: batching threads (TF1 queues).',
        '16 int32 prefetch_queue_capacity = 5 deprecated | Deprecated: prefetch queue size (TF1 queues).',
        '17 bool merge_multiple_label_boxes = false | Merge boxes with identical coordinates into one multi-label box.',
        '24 bool use_multiclass_scores = false | Train on multiclass scores from the data instead of one-hot labels.',
        '18 bool add_regularization_loss = true | Add the weight regularization loss to the total loss.',
        '20 int32 max_number_of_boxes = 100 deprecated | Deprecated: set max_number_of_boxes in the input reader.',
        '21 bool unpad_groundtruth_tensors = true | Remove the padding of groundtruth tensors (turn off for TPU).',
        '23 bool retain_original_images = false | Keep the unaugmented images in the input (for summaries).',
        '26 bool use_bfloat16 = false | Train in bfloat16 (TPU).',
        '27 bool summarize_gradients = false | Write gradient summaries.',
      ],
    ),
    enumType('CheckpointVersion', 'Checkpoint format.', [
      'UNKNOWN = 0 | Not specified.',
      'V1 = 1 | Name-based TF1 checkpoint.',
      'V2 = 2 | Object-based TF2 checkpoint.',
    ]),
  ]),
];
