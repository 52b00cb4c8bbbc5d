// Anchor generators: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const anchors: readonly ProtoFileSpec[] = [
  protoFile('anchor_generator', [
    message('AnchorGenerator', 'Where anchor boxes are placed: one of the generators below.', [
      oneof('anchor_generator_oneof', [
        '1 GridAnchorGenerator grid_anchor_generator | Single grid of anchors (Faster R-CNN).',
        '2 SsdAnchorGenerator ssd_anchor_generator | Anchors on several feature maps with interpolated scales (SSD).',
        '3 MultiscaleAnchorGenerator multiscale_anchor_generator | Anchors per pyramid level (RetinaNet, FPN).',
        '4 FlexibleGridAnchorGenerator flexible_grid_anchor_generator | Fully specified anchor grids per layer.',
      ]),
    ]),
  ]),
  protoFile('flexible_grid_anchor_generator', [
    message('FlexibleGridAnchorGenerator', 'Anchor grids given layer by layer.', [
      '1 repeated AnchorGrid anchor_grid | One anchor grid per feature map.',
      '2 bool normalize_coordinates = true | Produce anchors in normalized [0, 1] coordinates.',
    ]),
    message('AnchorGrid', 'Anchors of one feature map.', [
      '1 repeated float base_sizes | Anchor base sizes in pixels.',
      '2 repeated float aspect_ratios | Anchor width/height ratios (paired with base_sizes).',
      '3 uint32 height_stride | Vertical stride in pixels.',
      '4 uint32 width_stride | Horizontal stride in pixels.',
      '5 uint32 height_offset = 0 | Vertical offset in pixels.',
      '6 uint32 width_offset = 0 | Horizontal offset in pixels.',
    ]),
  ]),
  protoFile('grid_anchor_generator', [
    message(
      'GridAnchorGenerator',
      'A single grid of anchors at several scales and aspect ratios.',
      [
        '1 int32 height = 256 | Base anchor height in pixels.',
        '2 int32 width = 256 | Base anchor width in pixels.',
        '3 int32 height_stride = 16 | Vertical distance between anchor centers in pixels.',
        '4 int32 width_stride = 16 | Horizontal distance between anchor centers in pixels.',
        '5 int32 height_offset = 0 | Vertical offset of the first anchor center in pixels.',
        '6 int32 width_offset = 0 | Horizontal offset of the first anchor center in pixels.',
        '7 repeated float scales | Anchor scales relative to the base size.',
        '8 repeated float aspect_ratios | Anchor width/height ratios.',
      ],
    ),
  ]),
  protoFile('multiscale_anchor_generator', [
    message(
      'MultiscaleAnchorGenerator',
      'RetinaNet-style anchors on pyramid levels min_level..max_level.',
      [
        '1 int32 min_level = 3 | Finest pyramid level with anchors.',
        '2 int32 max_level = 7 | Coarsest pyramid level with anchors.',
        "3 float anchor_scale = 4 | Anchor size as a multiple of the level's stride.",
        '4 repeated float aspect_ratios | Anchor width/height ratios at each location.',
        '5 int32 scales_per_octave = 2 | Intermediate scales between consecutive levels.',
        '6 bool normalize_coordinates = true | Produce anchors in normalized [0, 1] coordinates.',
      ],
    ),
  ]),
  protoFile('ssd_anchor_generator', [
    message(
      'SsdAnchorGenerator',
      'SSD anchors: scales spread linearly between min_scale and max_scale over the layers.',
      [
        '1 int32 num_layers = 6 | Number of feature maps that get anchors.',
        '2 float min_scale = 0.2 | Anchor scale on the finest feature map, relative to the image.',
        '3 float max_scale = 0.95 | Anchor scale on the coarsest feature map, relative to the image.',
        '12 repeated float scales | Explicit per-layer scales, replacing min_scale..max_scale.',
        '4 repeated float aspect_ratios | Anchor width/height ratios at each location.',
        '13 float interpolated_scale_aspect_ratio = 1 | Ratio of an extra anchor at the geometric mean of adjacent scales; 0 disables it.',
        '5 bool reduce_boxes_in_lowest_layer = true | Use only three fixed anchors on the finest layer.',
        '6 float base_anchor_height = 1 | Base anchor height, relative to the image.',
        '7 float base_anchor_width = 1 | Base anchor width, relative to the image.',
        '8 repeated int32 height_stride | Per-layer vertical anchor stride in pixels.',
        '9 repeated int32 width_stride | Per-layer horizontal anchor stride in pixels.',
        '10 repeated int32 height_offset | Per-layer vertical anchor offset in pixels.',
        '11 repeated int32 width_offset | Per-layer horizontal anchor offset in pixels.',
      ],
    ),
  ]),
];
