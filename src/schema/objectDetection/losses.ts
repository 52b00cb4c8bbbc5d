// Losses, hard example mining and sampling: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const losses: readonly ProtoFileSpec[] = [
  protoFile('losses', [
    message(
      'Loss',
      'Losses of an SSD-style model and how they are weighted and sampled.',
      [
        '1 LocalizationLoss localization_loss | Box regression loss.',
        '2 ClassificationLoss classification_loss | Classification loss.',
        '3 HardExampleMiner hard_example_miner | Hard example mining; unset disables it.',
        '4 float classification_weight = 1 | Weight of the classification loss.',
        '5 float localization_weight = 1 | Weight of the localization loss.',
        '6 RandomExampleSampler random_example_sampler | Random sampling of examples; unset disables it.',
        '7 EqualizationLoss equalization_loss | Equalization loss for long-tailed class distributions.',
        '18 ExpectedLossWeights expected_loss_weights = NONE | Weights anchors by their expected sampling rate instead of mining.',
        '19 float min_num_negative_samples = 0 | Minimum effective negatives when using expected loss weights.',
        '20 float desired_negative_sampling_ratio = 3 | Effective negatives per positive when using expected loss weights.',
      ],
      {
        nested: [
          message('EqualizationLoss', 'Equalization loss settings.', [
            '1 float weight = 0 | Strength of the equalization loss; 0 disables it.',
            '2 repeated string exclude_prefixes | Class name prefixes exempt from equalization.',
          ]),
          enumType('ExpectedLossWeights', 'How expected loss weights are computed.', [
            'NONE = 0 | Not used.',
            'EXPECTED_SAMPLING = 1 | Weights from the expected sampling rate.',
            'REWEIGHTING_UNMATCHED_ANCHORS = 2 | Reweight unmatched anchors only.',
          ]),
        ],
      },
    ),
    message('LocalizationLoss', 'Box regression loss: one of the kinds below.', [
      oneof('localization_loss', [
        '1 WeightedL2LocalizationLoss weighted_l2 | Squared L2 loss.',
        '2 WeightedSmoothL1LocalizationLoss weighted_smooth_l1 | Smooth L1 (Huber) loss.',
        '3 WeightedIOULocalizationLoss weighted_iou | 1 - IoU loss.',
        '4 L1LocalizationLoss l1_localization_loss | Plain L1 loss.',
        '5 WeightedGIOULocalizationLoss weighted_giou | Generalized IoU loss.',
      ]),
    ]),
    message('WeightedL2LocalizationLoss', 'L2 box loss.', [
      '1 bool anchorwise_output = false | Deprecated; has no effect.',
    ]),
    message('WeightedSmoothL1LocalizationLoss', 'Smooth L1 (Huber) box loss.', [
      '1 bool anchorwise_output = false | Deprecated; has no effect.',
      '2 float delta = 1 | Point where the loss turns from quadratic to linear.',
    ]),
    message('WeightedIOULocalizationLoss', 'IoU box loss.', []),
    message('L1LocalizationLoss', 'L1 box loss.', []),
    message('WeightedGIOULocalizationLoss', 'Generalized IoU box loss.', []),
    message('ClassificationLoss', 'Classification loss: one of the kinds below.', [
      oneof('classification_loss', [
        '1 WeightedSigmoidClassificationLoss weighted_sigmoid | Per-class sigmoid cross-entropy.',
        '2 WeightedSoftmaxClassificationLoss weighted_softmax | Softmax cross-entropy over classes.',
        '5 WeightedSoftmaxClassificationAgainstLogitsLoss weighted_logits_softmax | Softmax cross-entropy against soft targets given as logits (distillation).',
        '3 BootstrappedSigmoidClassificationLoss bootstrapped_sigmoid | Sigmoid loss with bootstrapped targets, robust to noisy labels.',
        '4 SigmoidFocalClassificationLoss weighted_sigmoid_focal | Focal loss (RetinaNet): down-weights easy examples.',
        '6 PenaltyReducedLogisticFocalLoss penalty_reduced_logistic_focal_loss | CenterNet heatmap focal loss.',
        '7 WeightedDiceClassificationLoss weighted_dice_classification_loss | Dice loss, typically for masks.',
      ]),
    ]),
    message('WeightedSigmoidClassificationLoss', 'Sigmoid cross-entropy loss.', [
      '1 bool anchorwise_output = false | Deprecated; has no effect.',
    ]),
    message('SigmoidFocalClassificationLoss', 'Focal loss.', [
      '1 bool anchorwise_output = false | Deprecated; has no effect.',
      '2 float gamma = 2 | Focusing exponent; higher ignores easy examples more.',
      '3 float alpha | Weight of positive examples (e.g. 0.25).',
    ]),
    message('WeightedSoftmaxClassificationLoss', 'Softmax cross-entropy loss.', [
      '1 bool anchorwise_output = false | Deprecated; has no effect.',
      '2 float logit_scale = 1 | Logits are divided by this before the softmax.',
    ]),
    message(
      'WeightedSoftmaxClassificationAgainstLogitsLoss',
      'Softmax cross-entropy against target logits.',
      [
        '1 bool anchorwise_output = false | Deprecated; has no effect.',
        '2 float logit_scale = 1 | Target logits are divided by this before their softmax.',
      ],
    ),
    message(
      'BootstrappedSigmoidClassificationLoss',
      "Sigmoid loss mixing labels with the model's own predictions.",
      [
        '1 float alpha | Weight of the labels versus predictions, between 0 and 1.',
        '2 bool hard_bootstrap = false | Use hard (thresholded) predictions instead of soft ones.',
        '3 bool anchorwise_output = false | Deprecated; has no effect.',
      ],
    ),
    message('PenaltyReducedLogisticFocalLoss', 'Focal loss on Gaussian heatmaps (CenterNet).', [
      '1 float alpha | Focusing exponent.',
      '2 float beta | Exponent reducing the penalty near object centers.',
    ]),
    message(
      'HardExampleMiner',
      'Online hard example mining: keeps the highest-loss anchors or proposals.',
      [
        '1 int32 num_hard_examples = 64 | Hard examples kept per image; 0 or less keeps all.',
        '2 float iou_threshold = 0.7 | IoU for NMS among candidate examples.',
        '3 LossType loss_type = BOTH | Which loss ranks examples.',
        '4 int32 max_negatives_per_positive = 0 | Cap on negatives per positive; 0 means no cap.',
        '5 int32 min_negatives_per_image = 0 | Negatives kept even in images with no positives.',
      ],
      {
        nested: [
          enumType('LossType', 'Loss used to rank hard examples.', [
            'BOTH = 0 | Classification plus localization loss.',
            'CLASSIFICATION = 1 | Classification loss only.',
            'LOCALIZATION = 2 | Localization loss only.',
          ]),
        ],
      },
    ),
    message('RandomExampleSampler', 'Samples examples at random to a positive fraction.', [
      '1 float positive_sample_fraction = 0.01 | Target share of positives in the sample.',
    ]),
    message('WeightedDiceClassificationLoss', 'Dice loss.', [
      '1 bool squared_normalization = false | Square the probabilities in the normalizing denominator.',
      '2 bool is_prediction_probability = false | Predictions are already probabilities, not logits.',
    ]),
  ]),
];
