// Input readers: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const inputReader: readonly ProtoFileSpec[] = [
  protoFile('input_reader', [
    message('InputReader', 'Where examples come from and how they are read, decoded and batched.', [
      '23 string name = "" | Name of this input, to tell several eval inputs apart.',
      '1 string label_map_path = "" | Label map (.pbtxt) mapping class names to ids.',
      '2 bool shuffle = true | Shuffle examples (turn off for evaluation).',
      '11 uint32 shuffle_buffer_size = 2048 | Examples held in the shuffle buffer.',
      '12 uint32 filenames_shuffle_buffer_size = 100 | File names held in the file shuffle buffer.',
      '5 uint32 num_epochs = 0 | Passes over the data; 0 repeats forever.',
      '22 uint32 sample_1_of_n_examples = 1 | Use every n-th example only.',
      '6 uint32 num_readers = 64 | Files read in parallel.',
      '19 uint32 num_parallel_batches = 8 | Batches built in parallel.',
      '20 int32 num_prefetch_batches = 2 | Batches prefetched; negative lets TensorFlow choose.',
      '3 uint32 queue_capacity = 2000 deprecated | Deprecated: reader queue size (TF1 queues).',
      '4 uint32 min_after_dequeue = 1000 deprecated | Deprecated: minimum reader queue fill (TF1 queues).',
      '15 uint32 read_block_length = 32 | Records read from each file at a time.',
      '13 uint32 prefetch_size = 512 deprecated | Deprecated: decoded records prefetched.',
      '14 uint32 num_parallel_map_calls = 64 deprecated | Deprecated: parallel decode calls.',
      '35 bool drop_remainder = true | Drop the last partial batch.',
      '18 int32 num_additional_channels = 0 | Extra image channels to decode from the examples.',
      '16 uint32 num_keypoints = 0 | Keypoints per object in the data.',
      '26 repeated float keypoint_type_weight | Loss weight of each keypoint type.',
      '21 int32 max_number_of_boxes = 100 | Boxes per image padded to; extra boxes are dropped.',
      '24 bool load_multiclass_scores = false | Decode multiclass scores.',
      '25 bool load_context_features = false | Decode context features (Context R-CNN).',
      '36 bool load_context_image_ids = false | Decode context image ids.',
      '7 bool load_instance_masks = false | Decode instance masks.',
      '10 InstanceMaskType mask_type = NUMERICAL_MASKS | How instance masks are stored in the examples.',
      '31 bool load_dense_pose = false | Decode DensePose labels.',
      '33 bool load_track_id = false | Decode track ids.',
      '37 bool load_keypoint_depth_features = false | Decode keypoint depths.',
      '17 bool use_display_name = false | Map classes by their display_name instead of name.',
      '27 bool include_source_id = false | Keep the source_id string in the features.',
      '30 InputType input_type = TF_EXAMPLE | Kind of records: tf.Example or tf.SequenceExample.',
      '32 int32 frame_index = -1 | Frame to take from a SequenceExample; -1 takes all.',
      "38 bool use_keypoint_label_map = false | Build keypoint coordinates using the label map's keypoint names.",
      oneof('input_reader', [
        '8 TFRecordInputReader tf_record_input_reader | Read TFRecord files.',
        '9 ExternalInputReader external_input_reader | An input reader defined by an extension.',
      ]),
      '34 repeated float sample_from_datasets_weights | Sampling weight of each input path.',
      '29 bool expand_labels_hierarchy = false | Expand labels to ancestors and descendants from the label map hierarchy.',
    ]),
    message('TFRecordInputReader', 'Reads TFRecord files.', [
      '1 repeated string input_path | TFRecord file paths or glob patterns, e.g. train.record-?????-of-00010.',
    ]),
    message('ExternalInputReader', 'An input reader defined in an extension.', [], {
      extensions: [[1, 999]],
    }),
    enumType('InstanceMaskType', 'How instance masks are stored.', [
      'DEFAULT = 0 | Let the decoder decide.',
      'NUMERICAL_MASKS = 1 | Float arrays.',
      'PNG_MASKS = 2 | PNG-encoded images.',
    ]),
    enumType('InputType', 'Kind of input records.', [
      'INPUT_DEFAULT = 0 | Let the decoder decide.',
      'TF_EXAMPLE = 1 | tf.train.Example.',
      'TF_SEQUENCE_EXAMPLE = 2 | tf.train.SequenceExample.',
    ]),
  ]),
];
