// Image resizers: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const imageResizer: readonly ProtoFileSpec[] = [
  protoFile('image_resizer', [
    message(
      'ImageResizer',
      'How images are resized before entering the network: one of the resizers below.',
      [
        oneof('image_resizer_oneof', [
          '1 KeepAspectRatioResizer keep_aspect_ratio_resizer | Scale to fit min/max dimensions, keeping the aspect ratio.',
          '2 FixedShapeResizer fixed_shape_resizer | Resize to a fixed height and width (aspect ratio not kept).',
          '3 IdentityResizer identity_resizer | Keep the image size as it is.',
          '4 ConditionalShapeResizer conditional_shape_resizer | Resize only when the image is larger (or smaller) than a threshold.',
          '5 PadToMultipleResizer pad_to_multiple_resizer | Pad height and width up to a multiple of a number.',
        ]),
      ],
    ),
    message('IdentityResizer', 'Leaves images at their original size.', []),
    message(
      'KeepAspectRatioResizer',
      'Scales so the short side reaches min_dimension without the long side exceeding max_dimension.',
      [
        '1 int32 min_dimension = 600 | Target length in pixels of the shorter image side.',
        '2 int32 max_dimension = 1024 | Upper bound in pixels for the longer image side.',
        '3 ResizeType resize_method = BILINEAR | Interpolation method.',
        '4 bool pad_to_max_dimension = false | Zero-pad the result to max_dimension x max_dimension (static shape).',
        '5 bool convert_to_grayscale = false | Convert RGB input to a single grayscale channel.',
        '6 repeated float per_channel_pad_value | Pad value for each channel when padding (default zeros).',
      ],
    ),
    message('FixedShapeResizer', 'Resizes every image to exactly height x width.', [
      '1 int32 height = 300 | Output height in pixels.',
      '2 int32 width = 300 | Output width in pixels.',
      '3 ResizeType resize_method = BILINEAR | Interpolation method.',
      '4 bool convert_to_grayscale = false | Convert RGB input to a single grayscale channel.',
    ]),
    message(
      'ConditionalShapeResizer',
      'Scales images down (or up) to size_threshold only when they pass it.',
      [
        '1 ResizeCondition condition = GREATER | Whether to resize images larger or smaller than the threshold.',
        '2 int32 size_threshold = 300 | Size in pixels of the side that the condition compares.',
        '3 ResizeType resize_method = BILINEAR | Interpolation method.',
        '4 bool convert_to_grayscale = false | Convert RGB input to a single grayscale channel.',
      ],
      {
        nested: [
          enumType('ResizeCondition', 'Which images a conditional resizer changes.', [
            'INVALID = 0 | Not a valid choice.',
            'GREATER = 1 | Shrink images whose longer side exceeds the threshold.',
            'SMALLER = 2 | Enlarge images whose shorter side is below the threshold.',
          ]),
        ],
      },
    ),
    message(
      'PadToMultipleResizer',
      'Zero-pads height and width up to a multiple, without scaling.',
      [
        '1 int32 multiple = 1 | Height and width are padded up to a multiple of this.',
        '4 bool convert_to_grayscale = false | Convert RGB input to a single grayscale channel.',
      ],
    ),
    enumType('ResizeType', 'Interpolation used when resizing images.', [
      'BILINEAR = 0 | Bilinear interpolation.',
      'NEAREST_NEIGHBOR = 1 | Nearest-neighbor interpolation.',
      'BICUBIC = 2 | Bicubic interpolation.',
      'AREA = 3 | Area (pixel-averaging) interpolation.',
    ]),
  ]),
];
