// Feature pyramid networks: built-in schema data (facts and provenance: ./index.ts).

import { message, protoFile, type ProtoFileSpec } from './dsl';

export const featurePyramid: readonly ProtoFileSpec[] = [
  protoFile('fpn', [
    message('FeaturePyramidNetworks', 'Feature pyramid built on the backbone.', [
      '1 int32 min_level = 3 | Finest pyramid level (stride 2^level).',
      '2 int32 max_level = 7 | Coarsest pyramid level (stride 2^level).',
      '3 int32 additional_layer_depth = 256 | Channels of the extra coarse pyramid layers.',
    ]),
    message('BidirectionalFeaturePyramidNetworks', 'BiFPN as used by EfficientDet.', [
      '1 int32 min_level = 3 | Finest pyramid level.',
      '2 int32 max_level = 7 | Coarsest pyramid level.',
      '3 int32 num_iterations | Repeated top-down/bottom-up passes.',
      '4 int32 num_filters | Channels in the pyramid layers.',
      '5 string combine_method = "fast_attention" | How inputs to a BiFPN node are merged, e.g. fast_attention or sum.',
      '6 bool use_native_resize_op | Upsample with the native nearest-neighbor resize op.',
    ]),
  ]),
];
