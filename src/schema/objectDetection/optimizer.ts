// Optimizers and learning rate schedules: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const optimizer: readonly ProtoFileSpec[] = [
  protoFile('optimizer', [
    message('Optimizer', 'Optimizer: one kind below, plus optional moving averages of weights.', [
      oneof('optimizer', [
        '1 RMSPropOptimizer rms_prop_optimizer | RMSProp.',
        '2 MomentumOptimizer momentum_optimizer | SGD with momentum.',
        '3 AdamOptimizer adam_optimizer | Adam.',
      ]),
      '4 bool use_moving_average = true | Keep an exponential moving average of weights (used at eval and export).',
      '5 float moving_average_decay = 0.9999 | Decay of the moving average.',
    ]),
    message('RMSPropOptimizer', 'RMSProp optimizer.', [
      '1 LearningRate learning_rate | Learning rate schedule.',
      '2 float momentum_optimizer_value = 0.9 | Momentum.',
      '3 float decay = 0.9 | Decay of the squared-gradient average.',
      '4 float epsilon = 1 | Small constant for numerical stability.',
    ]),
    message('MomentumOptimizer', 'SGD with momentum.', [
      '1 LearningRate learning_rate | Learning rate schedule.',
      '2 float momentum_optimizer_value = 0.9 | Momentum.',
    ]),
    message('AdamOptimizer', 'Adam optimizer.', [
      '1 LearningRate learning_rate | Learning rate schedule.',
      '2 float epsilon = 1e-8 | Small constant for numerical stability.',
    ]),
    message('LearningRate', 'Learning rate schedule: one of the kinds below.', [
      oneof('learning_rate', [
        '1 ConstantLearningRate constant_learning_rate | Fixed rate.',
        '2 ExponentialDecayLearningRate exponential_decay_learning_rate | Rate multiplied by a factor every few steps.',
        '3 ManualStepLearningRate manual_step_learning_rate | Rate changed at given steps.',
        '4 CosineDecayLearningRate cosine_decay_learning_rate | Cosine decay with warmup.',
      ]),
    ]),
    message('ConstantLearningRate', 'Fixed learning rate.', [
      '1 float learning_rate = 0.002 | The rate.',
    ]),
    message('ExponentialDecayLearningRate', 'Exponentially decaying learning rate.', [
      '1 float initial_learning_rate = 0.002 | Rate at the start.',
      '2 uint32 decay_steps = 4000000 | Steps per decay period.',
      '3 float decay_factor = 0.95 | Factor applied each period.',
      '4 bool staircase = true | Decay in steps rather than continuously.',
      '5 float burnin_learning_rate = 0 | Rate during burn-in; 0 uses the initial rate.',
      '6 uint32 burnin_steps = 0 | Steps of burn-in.',
      '7 float min_learning_rate = 0 | Floor of the rate.',
    ]),
    message(
      'ManualStepLearningRate',
      'Piecewise-constant learning rate.',
      [
        '1 float initial_learning_rate = 0.002 | Rate before the first scheduled step.',
        '2 repeated LearningRateSchedule schedule | Steps at which the rate changes, in increasing order.',
        '3 bool warmup = false | Ramp linearly from the initial rate to the first scheduled one.',
      ],
      {
        nested: [
          message('LearningRateSchedule', 'A rate change.', [
            '1 uint32 step | Step at which the rate changes.',
            '2 float learning_rate = 0.002 | Rate from that step on.',
          ]),
        ],
      },
    ),
    message('CosineDecayLearningRate', 'Cosine decay with linear warmup.', [
      '1 float learning_rate_base = 0.002 | Peak rate after warmup.',
      '2 uint32 total_steps = 4000000 | Steps until the rate reaches zero; usually num_steps.',
      '3 float warmup_learning_rate = 0.0002 | Rate at step 0.',
      '4 uint32 warmup_steps = 10000 | Steps of linear warmup.',
      '5 uint32 hold_base_rate_steps = 0 | Steps to hold the peak rate after warmup.',
    ]),
  ]),
];
