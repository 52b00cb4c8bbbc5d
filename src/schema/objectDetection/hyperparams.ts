// Layer hyperparameters: initializers, regularizers, normalization: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const hyperparams: readonly ProtoFileSpec[] = [
  protoFile('hyperparams', [
    message(
      'Hyperparams',
      'Layer settings: op type, weight init and regularization, activation, normalization.',
      [
        '1 Op op = CONV | Kind of layer these settings apply to.',
        '2 Regularizer regularizer | Weight regularization of the layers.',
        '3 Initializer initializer | Weight initialization of the layers.',
        '4 Activation activation = RELU | Activation after each layer.',
        oneof('normalizer_oneof', [
          '5 BatchNorm batch_norm | Batch normalization settings; none of the norms set means no normalization.',
          '9 BatchNorm sync_batch_norm | Cross-replica batch normalization (Keras models only).',
          '7 GroupNorm group_norm | Group normalization.',
        ]),
        '6 bool regularize_depthwise = false | Also regularize depthwise convolution weights.',
        '8 bool force_use_bias = false | Keep a bias even when batch norm with centering would make it redundant.',
      ],
      {
        nested: [
          enumType('Op', 'Layer kind the hyperparameters configure.', [
            'CONV = 1 | Convolution layers.',
            'FC = 2 | Fully connected layers.',
          ]),
          enumType('Activation', 'Activation function.', [
            'NONE = 0 | No activation (linear).',
            'RELU = 1 | ReLU.',
            'RELU_6 = 2 | ReLU capped at 6, as in MobileNets.',
            'SWISH = 3 | Swish (x * sigmoid(x)).',
          ]),
        ],
      },
    ),
    message('Regularizer', 'Weight regularizer: L1 or L2.', [
      oneof('regularizer_oneof', [
        '1 L1Regularizer l1_regularizer | L1 penalty on weights.',
        '2 L2Regularizer l2_regularizer | L2 penalty on weights.',
      ]),
    ]),
    message('L1Regularizer', 'L1 weight penalty.', [
      '1 float weight = 1 | Multiplier of the L1 penalty.',
    ]),
    message('L2Regularizer', 'L2 weight penalty.', [
      '1 float weight = 1 | Multiplier of the L2 penalty.',
    ]),
    message('Initializer', 'Weight initializer: one of the kinds below.', [
      oneof('initializer_oneof', [
        '1 TruncatedNormalInitializer truncated_normal_initializer | Normal distribution cut at two standard deviations.',
        '2 VarianceScalingInitializer variance_scaling_initializer | Scale by fan-in/fan-out (He/Xavier style).',
        '3 RandomNormalInitializer random_normal_initializer | Plain normal distribution.',
        '4 string keras_initializer_by_name | A Keras initializer name, e.g. glorot_uniform (Keras models only).',
      ]),
    ]),
    message('TruncatedNormalInitializer', 'Truncated normal weight initialization.', [
      '1 float mean = 0 | Mean of the distribution.',
      '2 float stddev = 1 | Standard deviation of the distribution.',
    ]),
    message(
      'VarianceScalingInitializer',
      'Variance scaling weight initialization.',
      [
        '1 float factor = 2 | Scale factor of the variance.',
        '2 bool uniform = false | Draw from a uniform instead of a normal distribution.',
        '3 Mode mode = FAN_IN | Which fan the variance is scaled by.',
      ],
      {
        nested: [
          enumType('Mode', 'Fan used by variance scaling.', [
            'FAN_IN = 0 | Number of inputs.',
            'FAN_OUT = 1 | Number of outputs.',
            'FAN_AVG = 2 | Average of inputs and outputs.',
          ]),
        ],
      },
    ),
    message('RandomNormalInitializer', 'Normal weight initialization.', [
      '1 float mean = 0 | Mean of the distribution.',
      '2 float stddev = 1 | Standard deviation of the distribution.',
    ]),
    message('BatchNorm', 'Batch normalization settings.', [
      '1 float decay = 0.999 | Moving-average decay of the batch statistics.',
      '2 bool center = true | Learn an offset (beta).',
      '3 bool scale = false | Learn a scale (gamma).',
      '4 float epsilon = 0.001 | Small constant added to the variance.',
      '5 bool train = true | Train the batch norm variables and update statistics.',
    ]),
    message('GroupNorm', 'Group normalization (no settings).', []),
  ]),
];
