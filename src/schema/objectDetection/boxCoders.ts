// Box coders: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const boxCoders: readonly ProtoFileSpec[] = [
  protoFile('box_coder', [
    message('BoxCoder', 'How boxes are encoded relative to anchors: one of the coders below.', [
      oneof('box_coder_oneof', [
        '1 FasterRcnnBoxCoder faster_rcnn_box_coder | Center offsets and log sizes, scaled (the usual choice).',
        '2 MeanStddevBoxCoder mean_stddev_box_coder | Corner offsets divided by a standard deviation.',
        '3 SquareBoxCoder square_box_coder | Like the Faster R-CNN coder for square boxes.',
        '4 KeypointBoxCoder keypoint_box_coder | Faster R-CNN coding extended to keypoints.',
      ]),
    ]),
  ]),
  protoFile('faster_rcnn_box_coder', [
    message(
      'FasterRcnnBoxCoder',
      'Encodes center offsets and log width/height, each multiplied by a scale.',
      [
        '1 float y_scale = 10 | Multiplier of the encoded center y.',
        '2 float x_scale = 10 | Multiplier of the encoded center x.',
        '3 float height_scale = 5 | Multiplier of the encoded log height.',
        '4 float width_scale = 5 | Multiplier of the encoded log width.',
      ],
    ),
  ]),
  protoFile('keypoint_box_coder', [
    message('KeypointBoxCoder', 'Faster R-CNN box coding plus keypoint offsets.', [
      '1 int32 num_keypoints | Keypoints per box.',
      '2 float y_scale = 10 | Multiplier of encoded center and keypoint y.',
      '3 float x_scale = 10 | Multiplier of encoded center and keypoint x.',
      '4 float height_scale = 5 | Multiplier of the encoded log height.',
      '5 float width_scale = 5 | Multiplier of the encoded log width.',
    ]),
  ]),
  protoFile('mean_stddev_box_coder', [
    message('MeanStddevBoxCoder', 'Encodes corner offsets normalized by a standard deviation.', [
      '1 float stddev = 0.01 | Standard deviation the offsets are divided by.',
    ]),
  ]),
  protoFile('square_box_coder', [
    message('SquareBoxCoder', 'Encodes square boxes by center and side length.', [
      '1 float y_scale = 10 | Multiplier of the encoded center y.',
      '2 float x_scale = 10 | Multiplier of the encoded center x.',
      '3 float length_scale = 5 | Multiplier of the encoded log side length.',
    ]),
  ]),
];
