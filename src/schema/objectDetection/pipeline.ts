// The pipeline root, the model choice and graph rewriting: built-in schema data (facts and provenance: ./index.ts).

import { MAX, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const pipeline: readonly ProtoFileSpec[] = [
  protoFile('graph_rewriter', [
    message(
      'GraphRewriter',
      'Graph rewrites for training and export.',
      ['1 Quantization quantization | Quantization-aware training.'],
      { extensions: [[1000, MAX]] },
    ),
    message('Quantization', 'Fake-quantization settings for quantization-aware training (TF1).', [
      '1 int32 delay = 500000 | Training steps before quantization starts.',
      '2 int32 weight_bits = 8 | Bits per weight.',
      '3 int32 activation_bits = 8 | Bits per activation.',
      '4 bool symmetric = false | Quantize weights symmetrically around zero.',
    ]),
  ]),
  protoFile('model', [
    message(
      'DetectionModel',
      'The model architecture: exactly one of the meta-architectures below.',
      [
        oneof('model', [
          '1 FasterRcnn faster_rcnn | Two-stage Faster R-CNN (also R-FCN and Mask R-CNN) model.',
          '2 Ssd ssd | Single-shot detector (SSD, RetinaNet, EfficientDet) model.',
          '3 ExperimentalModel experimental_model | A model registered in code under a name, outside the built-in architectures.',
          '4 CenterNet center_net | CenterNet keypoint-style detector (boxes, keypoints, masks, tracking).',
        ]),
      ],
    ),
    message('ExperimentalModel', 'Selects a model builder registered by name.', [
      '1 string name | Name the experimental model builder was registered under.',
    ]),
  ]),
  protoFile('pipeline', [
    message(
      'TrainEvalPipelineConfig',
      'A whole pipeline.config: model, training, evaluation and their input readers.',
      [
        '1 DetectionModel model | The detection architecture and its settings.',
        '2 TrainConfig train_config | How training runs: batch size, optimizer, checkpoints, augmentation.',
        '3 InputReader train_input_reader | Where training examples come from (TFRecords and label map).',
        '4 EvalConfig eval_config | How evaluation runs: metrics, number of examples, visualizations.',
        '5 repeated InputReader eval_input_reader | Where evaluation examples come from; may be given more than once.',
        '6 GraphRewriter graph_rewriter | Graph rewrites applied when training and exporting, e.g. quantization.',
      ],
      { extensions: [[1000, MAX]] },
    ),
  ]),
];
