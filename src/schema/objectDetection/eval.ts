// Evaluation settings: built-in schema data (facts and provenance: ./index.ts).

import { message, oneof, protoFile, type ProtoFileSpec } from './dsl';

export const evaluation: readonly ProtoFileSpec[] = [
  protoFile('eval', [
    message(
      'EvalConfig',
      'Evaluation settings: metrics, visualizations and how often to evaluate.',
      [
        '25 uint32 batch_size = 1 | Images per evaluation batch.',
        '1 uint32 num_visualizations = 10 | Images with drawn detections written per evaluation.',
        '2 uint32 num_examples = 5000 deprecated | Deprecated: examples evaluated; the whole eval input is used.',
        '3 uint32 eval_interval_secs = 300 | Seconds between evaluations of new checkpoints.',
        '4 uint32 max_evals = 0 deprecated | Deprecated: evaluation rounds before stopping.',
        '5 bool save_graph = false | Save the evaluation graph.',
        '6 string visualization_export_dir = "" | Folder for visualization images.',
        '7 string eval_master = "" | TensorFlow master to evaluate on (TF1).',
        '8 repeated string metrics_set | Metrics to compute, e.g. coco_detection_metrics or pascal_voc_detection_metrics.',
        '31 repeated ParameterizedMetric parameterized_metric | Metrics that take settings, such as COCO keypoint metrics.',
        '9 string export_path = "" | Write detections as COCO JSON here.',
        '10 bool ignore_groundtruth = false | Only export detections, without computing metrics.',
        '11 bool use_moving_averages = false | Evaluate with the moving-average weights.',
        '12 bool eval_instance_masks = false | Also evaluate instance masks.',
        '13 float min_score_threshold = 0.5 | Lowest score drawn in visualizations.',
        '14 int32 max_num_boxes_to_visualize = 20 | Most boxes drawn per visualization.',
        '15 bool skip_scores = false | Do not draw scores in visualizations.',
        '16 bool skip_labels = false | Do not draw class names in visualizations.',
        '17 bool visualize_groundtruth_boxes = false | Also draw groundtruth boxes.',
        '18 string groundtruth_box_visualization_color = "black" | Color of drawn groundtruth boxes.',
        '19 bool keep_image_id_for_visualization_export = false | Name exported visualizations by image id.',
        '23 bool retain_original_images = true | Keep the original images for visualization.',
        '24 bool include_metrics_per_category = false | Also report metrics per category.',
        '35 bool all_metrics_per_category = false | Report every COCO metric per category, not only mAP.',
        '34 repeated map<string, string> super_categories | Super-category name to comma-separated category names.',
        '26 float recall_lower_bound = 0 | Lower end of the recall range for precision.',
        '27 float recall_upper_bound = 1 | Upper end of the recall range for precision.',
        '28 bool retain_original_image_additional_channels = false | Keep additional image channels for visualization.',
        '29 bool force_no_resize = false | Do not resize images during evaluation.',
        '30 bool use_dummy_loss_in_eval = false | Skip computing the loss during evaluation.',
        '32 repeated KeypointEdge keypoint_edge | Keypoint pairs joined by a line in visualizations.',
        '33 bool skip_predictions_for_unlabeled_class = false | Ignore predictions of classes not labeled in the image.',
        '36 bool image_classes_field_map_empty_to_ones = true | Treat an empty image class list as all classes present.',
      ],
    ),
    message('ParameterizedMetric', 'A metric with settings.', [
      oneof('parameterized_metric', [
        '1 CocoKeypointMetrics coco_keypoint_metrics | COCO keypoint metrics for one class.',
      ]),
    ]),
    message('CocoKeypointMetrics', 'COCO keypoint (OKS) metrics.', [
      '1 string class_label | Class whose keypoints are evaluated.',
      '2 repeated map<string, float> keypoint_label_to_sigmas | Keypoint name to OKS sigma.',
    ]),
    message('KeypointEdge', 'A line between two keypoints in visualizations.', [
      '1 int32 start | Index of the first keypoint.',
      '2 int32 end | Index of the second keypoint.',
    ]),
  ]),
];
