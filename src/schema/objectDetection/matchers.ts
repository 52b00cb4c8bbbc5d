// Anchor matchers and box similarity: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const matchers: readonly ProtoFileSpec[] = [
  protoFile('argmax_matcher', [
    message('ArgMaxMatcher', 'Matches each anchor to the groundtruth box it overlaps most.', [
      '1 float matched_threshold = 0.5 | Similarity at or above which an anchor is positive.',
      '2 float unmatched_threshold = 0.5 | Similarity below which an anchor is negative; in between is ignored.',
      '3 bool ignore_thresholds = false | Match every anchor regardless of thresholds.',
      '4 bool negatives_lower_than_unmatched = true | Anchors below unmatched_threshold are negatives (else they are ignored).',
      '5 bool force_match_for_each_row = false | Make sure every groundtruth box gets at least one anchor.',
      '6 bool use_matmul_gather = false | Gather with matrix multiplies (TPU friendly).',
    ]),
  ]),
  protoFile('bipartite_matcher', [
    message('BipartiteMatcher', 'Greedy bipartite matching.', [
      '6 bool use_matmul_gather = false | Gather with matrix multiplies (TPU friendly).',
    ]),
  ]),
  protoFile('matcher', [
    message('Matcher', 'Matches groundtruth boxes to anchors: one of the matchers below.', [
      oneof('matcher_oneof', [
        '1 ArgMaxMatcher argmax_matcher | Each anchor takes its most similar groundtruth box, subject to thresholds.',
        '2 BipartiteMatcher bipartite_matcher | Greedy one-to-one matching.',
      ]),
    ]),
  ]),
  protoFile('region_similarity_calculator', [
    message('RegionSimilarityCalculator', 'How similar two boxes are: one of the measures below.', [
      oneof('region_similarity', [
        '1 NegSqDistSimilarity neg_sq_dist_similarity | Negative squared distance.',
        '2 IouSimilarity iou_similarity | Intersection over union.',
        "3 IoaSimilarity ioa_similarity | Intersection over the anchor's area.",
        '4 ThresholdedIouSimilarity thresholded_iou_similarity | IoU, zeroed below a threshold.',
      ]),
    ]),
    message('NegSqDistSimilarity', 'Negative squared distance between boxes.', []),
    message('IouSimilarity', 'Intersection over union.', []),
    message('IoaSimilarity', 'Intersection over area.', []),
    message('ThresholdedIouSimilarity', 'IoU set to zero below a threshold.', [
      '1 float iou_threshold = 0.5 | IoU below which similarity becomes zero.',
    ]),
  ]),
];
