// Box predictor heads: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const boxPredictor: readonly ProtoFileSpec[] = [
  protoFile('box_predictor', [
    message(
      'BoxPredictor',
      'Head predicting box offsets and class scores: one of the kinds below.',
      [
        oneof('box_predictor_oneof', [
          '1 ConvolutionalBoxPredictor convolutional_box_predictor | Separate conv heads per feature map (SSD).',
          '2 MaskRCNNBoxPredictor mask_rcnn_box_predictor | Fully connected second-stage head, optionally with masks (Faster/Mask R-CNN).',
          '3 RfcnBoxPredictor rfcn_box_predictor | Position-sensitive head (R-FCN).',
          '4 WeightSharedConvolutionalBoxPredictor weight_shared_convolutional_box_predictor | Conv tower shared across feature maps (RetinaNet, EfficientDet).',
        ]),
      ],
    ),
    message(
      'ConvolutionalBoxPredictor',
      'Conv box predictor with its own layers for each feature map.',
      [
        '1 Hyperparams conv_hyperparams | Conv layer settings of the predictor.',
        '2 int32 min_depth = 0 | Minimum channels before the prediction layers.',
        '3 int32 max_depth = 0 | Maximum channels before the prediction layers; 0 means no limit.',
        '4 int32 num_layers_before_predictor = 0 | Extra conv layers before the prediction layers.',
        '5 bool use_dropout = true | Apply dropout before class prediction.',
        '6 float dropout_keep_probability = 0.8 | Keep probability of that dropout.',
        '7 int32 kernel_size = 1 | Kernel size of the prediction convolutions.',
        '8 int32 box_code_size = 4 | Numbers per box encoding (4 for most box coders).',
        '9 bool apply_sigmoid_to_scores = false | Apply a sigmoid to the class predictions.',
        '10 float class_prediction_bias_init = 0 | Initial bias of the class prediction layer.',
        '11 bool use_depthwise = false | Use depthwise separable convolutions.',
        '12 BoxEncodingsClipRange box_encodings_clip_range | Clip predicted box encodings to this range.',
      ],
      {
        nested: [
          message('BoxEncodingsClipRange', 'Range box encodings are clipped to.', [
            '1 float min | Lower bound.',
            '2 float max | Upper bound.',
          ]),
        ],
      },
    ),
    message(
      'WeightSharedConvolutionalBoxPredictor',
      'Conv tower whose weights are shared across feature maps (RetinaNet style).',
      [
        '1 Hyperparams conv_hyperparams | Conv layer settings of the tower.',
        '19 bool apply_conv_hyperparams_to_heads = false | Apply conv_hyperparams to depthwise layers in the heads too.',
        '20 bool apply_conv_hyperparams_pointwise = false | Apply conv_hyperparams to pointwise layers of separable convs.',
        '4 int32 num_layers_before_predictor = 0 | Conv layers in the tower.',
        '2 int32 depth = 0 | Channels of the tower layers.',
        '7 int32 kernel_size = 3 | Kernel size of the convolutions.',
        '8 int32 box_code_size = 4 | Numbers per box encoding.',
        '10 float class_prediction_bias_init = 0 | Initial bias of the class layer (e.g. -4.6 for focal loss).',
        '11 bool use_dropout = false | Apply dropout before class prediction.',
        '12 float dropout_keep_probability = 0.8 | Keep probability of that dropout.',
        '13 bool share_prediction_tower = false | One tower for both box and class heads.',
        '14 bool use_depthwise = false | Use depthwise separable convolutions.',
        '16 ScoreConverter score_converter = IDENTITY | Function applied to class scores at inference.',
        '17 BoxEncodingsClipRange box_encodings_clip_range | Clip predicted box encodings to this range.',
      ],
      {
        nested: [
          enumType('ScoreConverter', 'Score function of the weight-shared predictor.', [
            'IDENTITY = 0 | Raw logits.',
            'SIGMOID = 1 | Sigmoid of the logits.',
          ]),
          message('BoxEncodingsClipRange', 'Range box encodings are clipped to.', [
            '1 float min | Lower bound.',
            '2 float max | Upper bound.',
          ]),
        ],
      },
    ),
    message(
      'MaskRCNNBoxPredictor',
      'Second-stage head of Faster R-CNN, optionally predicting masks.',
      [
        '1 Hyperparams fc_hyperparams | Settings of the fully connected layers.',
        '2 bool use_dropout = false | Apply dropout before box and class predictions.',
        '3 float dropout_keep_probability = 0.5 | Keep probability of that dropout.',
        '4 int32 box_code_size = 4 | Numbers per box encoding.',
        '5 Hyperparams conv_hyperparams | Settings of the mask branch convolutions.',
        '6 bool predict_instance_masks = false | Predict an instance mask per box (Mask R-CNN).',
        '7 int32 mask_prediction_conv_depth = 256 | Channels of the mask branch convs; 0 picks them from the class count.',
        '8 bool predict_keypoints = false | Predict keypoints per box.',
        '9 int32 mask_height = 15 | Height of predicted masks.',
        '10 int32 mask_width = 15 | Width of predicted masks.',
        '11 int32 mask_prediction_num_conv_layers = 2 | Convolutions in the mask branch.',
        '12 bool masks_are_class_agnostic = false | Predict one mask per box instead of one per class.',
        '13 bool share_box_across_classes = false | Predict one box per proposal instead of one per class.',
        '14 bool convolve_then_upsample_masks = false | Convolve mask features before upsampling them.',
      ],
    ),
    message('RfcnBoxPredictor', 'Position-sensitive R-FCN box predictor.', [
      '1 Hyperparams conv_hyperparams | Conv layer settings.',
      '2 int32 num_spatial_bins_height = 3 | Position-sensitive bins along the height.',
      '3 int32 num_spatial_bins_width = 3 | Position-sensitive bins along the width.',
      '4 int32 depth = 1024 | Channels the features are reduced to.',
      '5 int32 box_code_size = 4 | Numbers per box encoding.',
      '6 int32 crop_height = 12 | Height crops are resized to.',
      '7 int32 crop_width = 12 | Width crops are resized to.',
    ]),
  ]),
];
