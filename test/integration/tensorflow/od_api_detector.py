"""A detection SavedModel with the Object Detection API's TF2 export signature, made by real
TensorFlow, and TensorFlow's own answers for some images.

    python od_api_detector.py <saved_model_dir> <answers.json> <image.png>...

The model is small and its weights are seeded, not trained, but everything a converter and a
runtime meet in an exported detector is real: `serving_default` takes `input_tensor` (uint8
[1, height, width, 3], any size), resizes inside the graph, runs convolutions, decodes boxes
against anchors, and post-processes with per-class non-max suppression into the exporter's
outputs (`detection_boxes` [1, N, 4] as ymin, xmin, ymax, xmax; `detection_scores` [1, N];
`detection_classes` [1, N] as label-map ids, padding rows class 1 with score 0;
`num_detections` [1]; and the raw and multiclass outputs). `answers.json` holds, for each image,
what the SavedModel itself returns, read back through `tf.saved_model.load`.
"""

import json
import sys

import numpy as np
import tensorflow as tf

NUM_CLASSES = 3
INPUT_SIZE = 64
GRID = 8
ANCHOR_SIZES = (0.25, 0.5)
MAX_PER_CLASS = 10
MAX_TOTAL = 20


def anchors():
    """Anchors as [A, 4] ycenter, xcenter, height, width: two sizes per grid cell."""
    rows = []
    for y in range(GRID):
        for x in range(GRID):
            for size in ANCHOR_SIZES:
                rows.append(((y + 0.5) / GRID, (x + 0.5) / GRID, size, size))
    return np.array(rows, np.float32)


class Detector(tf.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(20261204)
        per_cell = len(ANCHOR_SIZES)

        def weights(*shape):
            return tf.constant(rng.normal(0.0, 0.4, shape).astype(np.float32))

        self.conv1 = weights(3, 3, 3, 8)
        self.conv2 = weights(3, 3, 8, 16)
        self.conv3 = weights(3, 3, 16, 16)
        self.class_head = weights(1, 1, 16, per_cell * (NUM_CLASSES + 1))
        self.box_head = weights(1, 1, 16, per_cell * 4)
        self.anchors = tf.constant(anchors())

    @tf.function(
        input_signature=[tf.TensorSpec([1, None, None, 3], tf.uint8, name="input_tensor")]
    )
    def serve(self, input_tensor):
        image = tf.image.resize(tf.cast(input_tensor, tf.float32), [INPUT_SIZE, INPUT_SIZE])
        x = image / 127.5 - 1.0
        for kernel in (self.conv1, self.conv2, self.conv3):
            x = tf.nn.relu6(tf.nn.conv2d(x, kernel, strides=2, padding="SAME"))
        logits = tf.reshape(
            tf.nn.conv2d(x, self.class_head, strides=1, padding="SAME"), [-1, NUM_CLASSES + 1]
        )
        encodings = tf.reshape(tf.nn.conv2d(x, self.box_head, strides=1, padding="SAME"), [-1, 4])
        scores = tf.sigmoid(logits)  # [A, C + 1], column 0 is the background

        # The Faster R-CNN box coder with scales (10, 10, 5, 5), as SSD configs use.
        ya, xa, ha, wa = tf.unstack(self.anchors, axis=1)
        ty, tx, th, tw = tf.unstack(encodings, axis=1)
        yc = ty / 10.0 * ha + ya
        xc = tx / 10.0 * wa + xa
        h = tf.exp(th / 5.0) * ha
        w = tf.exp(tw / 5.0) * wa
        boxes = tf.clip_by_value(
            tf.stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2], axis=1), 0.0, 1.0
        )

        # Per-class NMS, then the strongest MAX_TOTAL over all classes, zero-padded.
        found_boxes, found_scores, found_classes, found_anchors = [], [], [], []
        for c in range(1, NUM_CLASSES + 1):
            picked, picked_scores = tf.image.non_max_suppression_with_scores(
                boxes, scores[:, c], MAX_PER_CLASS, iou_threshold=0.6, score_threshold=0.05
            )
            found_boxes.append(tf.gather(boxes, picked))
            found_scores.append(picked_scores)
            found_classes.append(tf.fill(tf.shape(picked), float(c)))
            found_anchors.append(tf.cast(picked, tf.float32))
        all_scores = tf.concat(found_scores, 0)
        count = tf.minimum(tf.shape(all_scores)[0], MAX_TOTAL)
        padding = [[0, MAX_TOTAL]]
        top = tf.math.top_k(tf.pad(all_scores, padding, constant_values=-1.0), MAX_TOTAL).indices
        valid = tf.range(MAX_TOTAL) < count

        def take(values, pad_value, rows=None):
            padded = tf.pad(values, padding + ([[0, 0]] if rows else []))
            picked = tf.gather(padded, top)
            mask = valid if rows is None else valid[:, None]
            return tf.where(mask, picked, tf.cast(pad_value, picked.dtype))

        det_boxes = take(tf.concat(found_boxes, 0), 0.0, rows=4)
        det_scores = take(all_scores, 0.0)
        # Padding rows are class 0 before the API adds its label id offset of 1.
        det_classes = take(tf.concat(found_classes, 0) - 1.0, 0.0) + 1.0
        det_anchors = take(tf.concat(found_anchors, 0), 0.0)
        multiclass = tf.gather(scores, tf.cast(det_anchors, tf.int32))
        return {
            "detection_boxes": det_boxes[None],
            "detection_scores": det_scores[None],
            "detection_classes": det_classes[None],
            "num_detections": tf.cast(count, tf.float32)[None],
            "raw_detection_boxes": boxes[None],
            "raw_detection_scores": scores[None],
            "detection_multiclass_scores": multiclass[None],
            "detection_anchor_indices": det_anchors[None],
        }


def main(saved_model_dir, answers_path, images):
    detector = Detector()
    tf.saved_model.save(detector, saved_model_dir, signatures={"serving_default": detector.serve})
    serving = tf.saved_model.load(saved_model_dir).signatures["serving_default"]
    answers = {}
    for path in images:
        pixels = tf.io.decode_png(tf.io.read_file(path), channels=3)
        out = serving(input_tensor=pixels[None])
        answers[path] = {name: value.numpy().tolist() for name, value in out.items()}
    with open(answers_path, "w") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
