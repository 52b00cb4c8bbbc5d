// Post-processing (NMS, score conversion) and score calibration: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const postProcessing: readonly ProtoFileSpec[] = [
  protoFile('calibration', [
    message(
      'CalibrationConfig',
      'Maps detection scores to calibrated probabilities: one method below.',
      [
        oneof('calibrator', [
          '1 FunctionApproximation function_approximation | Piecewise-linear mapping shared by all classes (e.g. from isotonic regression).',
          '2 ClassIdFunctionApproximations class_id_function_approximations | Piecewise-linear mapping per class id.',
          '3 SigmoidCalibration sigmoid_calibration | Sigmoid (Platt) scaling shared by all classes.',
          '4 ClassIdSigmoidCalibrations class_id_sigmoid_calibrations | Sigmoid (Platt) scaling per class id.',
          '5 TemperatureScalingCalibration temperature_scaling_calibration | Divide logits by a learned temperature.',
        ]),
      ],
    ),
    message('FunctionApproximation', 'Piecewise-linear calibration function.', [
      '1 XYPairs x_y_pairs | Points of the function, interpolated linearly.',
    ]),
    message('ClassIdFunctionApproximations', 'Piecewise-linear calibration per class.', [
      '1 repeated map<int32, XYPairs> class_id_xy_pairs_map | Class id to its calibration points.',
    ]),
    message('SigmoidCalibration', 'Class-agnostic sigmoid calibration.', [
      '1 SigmoidParameters sigmoid_parameters | Parameters of the sigmoid.',
    ]),
    message('ClassIdSigmoidCalibrations', 'Sigmoid calibration per class.', [
      '1 repeated map<int32, SigmoidParameters> class_id_sigmoid_parameters_map | Class id to its sigmoid parameters.',
    ]),
    message('TemperatureScalingCalibration', 'Temperature scaling of logits.', [
      '1 float scaler | Temperature the logits are divided by.',
    ]),
    message(
      'XYPairs',
      'Points of a piecewise-linear function.',
      [
        '1 repeated XYPair x_y_pair | One point (input score x, calibrated score y).',
        '2 TrainingDataType training_data_type | Which data the calibration was fitted on.',
      ],
      {
        nested: [
          message('XYPair', 'A point of the calibration function.', [
            '1 float x | Input score.',
            '2 float y | Calibrated score.',
          ]),
        ],
      },
    ),
    message('SigmoidParameters', 'Sigmoid 1 / (1 + exp(a * x + b)).', [
      '1 float a = -1 | Slope parameter.',
      '2 float b = 0 | Offset parameter.',
    ]),
    enumType('TrainingDataType', 'Data a calibration was fitted on.', [
      'DATA_TYPE_UNKNOWN = 0 | Not recorded.',
      'ALL_CLASSES = 1 | Fitted on all classes together.',
      'CLASS_SPECIFIC = 2 | Fitted on a single class.',
    ]),
  ]),
  protoFile('post_processing', [
    message('BatchNonMaxSuppression', 'Non-max suppression over a batch of images.', [
      '1 float score_threshold = 0 | Boxes scoring below this are dropped.',
      '2 float iou_threshold = 0.6 | Boxes overlapping a kept box by more than this IoU are suppressed.',
      '3 int32 max_detections_per_class = 100 | Detections kept per class.',
      '5 int32 max_total_detections = 100 | Detections kept per image over all classes.',
      '6 bool use_static_shapes = false | Use the static-shape NMS implementation (TPU).',
      '7 bool use_class_agnostic_nms = false | Suppress across classes, not within each class.',
      '8 int32 max_classes_per_detection = 1 | Classes kept per box in class-agnostic NMS.',
      '9 float soft_nms_sigma = 0 | Sigma of Soft-NMS; 0 means hard NMS.',
      '10 bool use_partitioned_nms = false | Use partitioned NMS (static shapes).',
      '11 bool use_combined_nms = false | Use tf.image.combined_non_max_suppression.',
      '12 bool change_coordinate_frame = true | Express boxes relative to the clip window.',
      '13 bool use_hard_nms = false | Use plain hard NMS.',
      '14 bool use_cpu_nms = false | Run NMS on the CPU.',
    ]),
    message(
      'PostProcessing',
      'Turns raw predictions into detections: score conversion and NMS.',
      [
        '1 BatchNonMaxSuppression batch_non_max_suppression | Non-max suppression settings.',
        '2 ScoreConverter score_converter = IDENTITY | Function turning logits into scores.',
        '3 float logit_scale = 1 | Logits are divided by this before conversion (temperature).',
        '4 CalibrationConfig calibration_config | Score calibration applied after conversion.',
      ],
      {
        nested: [
          enumType('ScoreConverter', 'Function from logits to scores.', [
            'IDENTITY = 0 | Raw logits.',
            'SIGMOID = 1 | Sigmoid, for independent per-class scores.',
            'SOFTMAX = 2 | Softmax over classes.',
          ]),
        ],
      },
    ),
  ]),
];
