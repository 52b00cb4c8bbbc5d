// Label maps: built-in schema data (facts and provenance: ./index.ts).

import { enumType, message, protoFile, type ProtoFileSpec } from './dsl';

export const labelMap: readonly ProtoFileSpec[] = [
  protoFile('string_int_label_map', [
    message(
      'StringIntLabelMapItem',
      'A class of the label map.',
      [
        '1 string name | Class name as stored in the TFRecords (e.g. a WordNet id or the plain name).',
        '2 int32 id | Class id, 1 and up; 0 is reserved for background.',
        '3 string display_name | Human-readable name shown in visualizations.',
        '4 repeated KeypointMap keypoints | Keypoints objects of this class carry.',
        '5 repeated int32 ancestor_ids | Ids of ancestor classes in a label hierarchy.',
        '6 repeated int32 descendant_ids | Ids of descendant classes in a label hierarchy.',
        '7 LVISFrequency frequency | LVIS frequency group of the class.',
        '8 int32 instance_count | Number of training instances (LVIS).',
      ],
      {
        nested: [
          message('KeypointMap', 'A keypoint of a class.', [
            '1 int32 id | Keypoint index.',
            '2 string label | Keypoint name, e.g. left_eye.',
          ]),
        ],
      },
    ),
    message('StringIntLabelMap', 'A label map: class names and their integer ids.', [
      '1 repeated StringIntLabelMapItem item | One class; ids start at 1 (0 is background).',
    ]),
    enumType('LVISFrequency', 'How common a class is in LVIS.', [
      'UNSPECIFIED = 0 | Not given.',
      'FREQUENT = 1 | More than 100 training images.',
      'COMMON = 2 | 11 to 100 training images.',
      'RARE = 3 | 1 to 10 training images.',
    ]),
  ]),
];
