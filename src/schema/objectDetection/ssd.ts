// The SSD meta-architecture: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const ssd: readonly ProtoFileSpec[] = [
  protoFile('ssd', [
    message(
      'Ssd',
      'SSD meta-architecture: single-pass detector with anchors on several feature maps.',
      [
        '1 int32 num_classes | Number of object classes, not counting background; must cover the label map ids.',
        '2 ImageResizer image_resizer | How input images are resized (usually fixed_shape_resizer).',
        '3 SsdFeatureExtractor feature_extractor | Backbone network and its settings.',
        '4 BoxCoder box_coder | How boxes are encoded relative to anchors.',
        '5 Matcher matcher | How groundtruth boxes are matched to anchors.',
        '6 RegionSimilarityCalculator similarity_calculator | Box similarity used by the matcher (usually IoU).',
        '12 bool encode_background_as_zeros = false | Encode background as all zeros instead of a one-hot background class.',
        '13 float negative_class_weight = 1 | Classification weight of negative anchors, in [0, 1].',
        '7 BoxPredictor box_predictor | Head predicting box offsets and class scores.',
        '8 AnchorGenerator anchor_generator | Where anchors are placed.',
        '9 PostProcessing post_processing | Score conversion and NMS for final detections.',
        '10 bool normalize_loss_by_num_matches = true | Divide the loss by the number of matched anchors.',
        '14 bool normalize_loc_loss_by_codesize = false | Divide the localization loss by the box code size.',
        '11 Loss loss | Losses and their weights.',
        '16 bool freeze_batchnorm = false | Keep batch norm parameters fixed during training (useful with small batches).',
        '15 bool inplace_batchnorm_update = false | Update batch norm statistics in place rather than via update ops.',
        '21 bool add_background_class = true | Add an implicit background class to the targets.',
        '24 bool explicit_background_class = false | The label map already contains an explicit background class.',
        '22 bool use_confidences_as_targets = false | Use groundtruth confidences as classification targets.',
        '23 float implicit_example_weight = 1 | Weight of examples with implicit (unlabeled) negatives.',
        '26 bool return_raw_detections_during_predict = false | Also return detections before NMS from predict.',
        '25 MaskHead mask_head_config | Instance mask head for SSD models.',
      ],
      {
        nested: [
          message('MaskHead', 'Instance mask head of an SSD model.', [
            '1 int32 mask_height = 15 | Height of predicted masks.',
            '2 int32 mask_width = 15 | Width of predicted masks.',
            '3 bool masks_are_class_agnostic = true | Predict one mask per box instead of one per class.',
            '4 int32 mask_prediction_conv_depth = 256 | Channels of the mask branch convs; 0 picks them from the class count.',
            '5 int32 mask_prediction_num_conv_layers = 2 | Convolutions in the mask branch.',
            '6 bool convolve_then_upsample_masks = false | Convolve mask features before upsampling them.',
            '7 float mask_loss_weight = 5 | Weight of the mask loss.',
            '8 int32 mask_loss_sample_size = 16 | Boxes sampled per image for the mask loss.',
            '9 Hyperparams conv_hyperparams | Conv settings of the mask head.',
            '10 int32 initial_crop_size = 15 | Side of the feature crop for each box before mask prediction.',
          ]),
        ],
      },
    ),
    message('SsdFeatureExtractor', 'Backbone of an SSD model.', [
      '1 string type | Backbone name, e.g. ssd_mobilenet_v2_keras or ssd_resnet50_v1_fpn_keras.',
      "2 float depth_multiplier = 1 | Width multiplier for the backbone's channels.",
      '3 int32 min_depth = 16 | Minimum channels of any backbone layer.',
      '4 Hyperparams conv_hyperparams | Conv settings for layers added on top of the backbone.',
      "9 bool override_base_feature_extractor_hyperparams = false | Apply conv_hyperparams to the backbone's own layers as well.",
      '5 int32 pad_to_multiple = 1 | Zero-pad input height and width up to a multiple of this.',
      '7 bool use_explicit_padding = false | Pad explicitly instead of relying on SAME padding.',
      '8 bool use_depthwise = false | Use depthwise separable convs for the extra feature maps.',
      oneof('feature_pyramid_oneof', [
        '10 FeaturePyramidNetworks fpn | Feature pyramid on the backbone, for FPN backbones.',
        '19 BidirectionalFeaturePyramidNetworks bifpn | BiFPN on the backbone, for EfficientDet.',
      ]),
      '11 bool replace_preprocessor_with_placeholder = false | Replace the preprocessing with a placeholder (for export).',
      '12 int32 num_layers = 6 | Number of SSD feature maps.',
      '20 string spaghettinet_arch_name | SpaghettiNet architecture name.',
      '21 bool use_hardswish = false | Use hard-swish activations where supported.',
    ]),
  ]),
];
