"""Real TensorFlow on both sides of our TFRecord code, driven by test/integration/records.

  tf_records.py write <dir>      TensorFlow writes records (plain and GZIP) and prints their
                                 features as JSON, to compare with what our reader decodes.
  tf_records.py read [--no-decode] <files...>
                                 tf.data.TFRecordDataset + tf.io.parse_single_example with the
                                 Object Detection API's keys read records (ours), and
                                 tf.io.decode_image(channels=3) their images; prints JSON, or the
                                 error TensorFlow raised.
"""
import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402


def bytes_feature(values):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))


def float_feature(values):
    return tf.train.Feature(float_list=tf.train.FloatList(value=values))


def int64_feature(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


def examples():
    """Examples as the API's dataset tools write them, and the kinds' edge cases."""
    out = []
    for i in range(4):
        encoded = bytes((i * 37 + j) % 256 for j in range(1000 * (i + 1) * (i + 1)))
        boxes = [(0.1 * k, 0.05 * k, 0.1 * k + 0.3, 0.05 * k + 0.4) for k in range(i)]
        feature = {
            "image/encoded": bytes_feature([encoded]),
            "image/format": bytes_feature([b"jpeg"]),
            "image/height": int64_feature([480 + i]),
            "image/width": int64_feature([640 - i]),
            "image/filename": bytes_feature([f"image-{i}.jpg".encode()]),
            "image/source_id": bytes_feature([str(i).encode()]),
            "image/key/sha256": bytes_feature([b"%064d" % i]),
            "image/object/bbox/xmin": float_feature([b[0] for b in boxes]),
            "image/object/bbox/ymin": float_feature([b[1] for b in boxes]),
            "image/object/bbox/xmax": float_feature([b[2] for b in boxes]),
            "image/object/bbox/ymax": float_feature([b[3] for b in boxes]),
            "image/object/class/text": bytes_feature([("cät" if k % 2 else "dog").encode() for k in range(i)]),
            "image/object/class/label": int64_feature([k + 1 for k in range(i)]),
            "image/object/difficult": int64_feature([k % 2 for k in range(i)]),
            "image/object/truncated": int64_feature([1 - k % 2 for k in range(i)]),
            "image/object/view": bytes_feature([b"frontal" for _ in range(i)]),
            "edge/int64": int64_feature([-1, 0, 2**63 - 1, -(2**63)]),
            "edge/float": float_feature([1.5, -0.0, 3.4028234663852886e38, 1e-45]),
            "edge/empty": tf.train.Feature(),
        }
        out.append(tf.train.Example(features=tf.train.Features(feature=feature)))
    return out


def as_json(example):
    features = {}
    for key, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        if kind == "bytes_list":
            features[key] = {"bytes": [base64.b64encode(v).decode() for v in feature.bytes_list.value]}
        elif kind == "float_list":
            features[key] = {"floats": [float(v) for v in feature.float_list.value]}
        elif kind == "int64_list":
            features[key] = {"int64s": [str(v) for v in feature.int64_list.value]}
        else:
            features[key] = {"none": []}
    return features


def write(folder):
    plain = os.path.join(folder, "tf.record")
    with tf.io.TFRecordWriter(plain) as writer:
        for example in examples():
            writer.write(example.SerializeToString())
    gzip = os.path.join(folder, "tf-gzip.record")
    with tf.io.TFRecordWriter(gzip, options="GZIP") as writer:
        writer.write(examples()[0].SerializeToString())
    print(json.dumps({"plain": plain, "gzip": gzip, "examples": [as_json(e) for e in examples()]}))


SPEC = {
    "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
    "image/format": tf.io.FixedLenFeature((), tf.string, default_value="jpeg"),
    "image/filename": tf.io.FixedLenFeature((), tf.string, default_value=""),
    "image/key/sha256": tf.io.FixedLenFeature((), tf.string, default_value=""),
    "image/source_id": tf.io.FixedLenFeature((), tf.string, default_value=""),
    "image/height": tf.io.FixedLenFeature((), tf.int64, default_value=1),
    "image/width": tf.io.FixedLenFeature((), tf.int64, default_value=1),
    "image/object/bbox/xmin": tf.io.VarLenFeature(tf.float32),
    "image/object/bbox/xmax": tf.io.VarLenFeature(tf.float32),
    "image/object/bbox/ymin": tf.io.VarLenFeature(tf.float32),
    "image/object/bbox/ymax": tf.io.VarLenFeature(tf.float32),
    "image/object/class/label": tf.io.VarLenFeature(tf.int64),
    "image/object/class/text": tf.io.VarLenFeature(tf.string),
    "image/object/difficult": tf.io.VarLenFeature(tf.int64),
    "image/object/truncated": tf.io.VarLenFeature(tf.int64),
    "image/object/view": tf.io.VarLenFeature(tf.string),
}
"""The keys and types of the API's TfExampleDecoder (object_detection/data_decoders/tf_example_decoder.py)."""


def read(files, decode=True):
    out = []
    try:
        for record in tf.data.TFRecordDataset(files):
            parsed = tf.io.parse_single_example(record, SPEC)
            item = {}
            for key, value in parsed.items():
                if isinstance(value, tf.sparse.SparseTensor):
                    value = value.values
                array = value.numpy()
                values = array.tolist() if value.shape.rank else [getattr(array, "item", lambda: array)()]
                item[key] = [base64.b64encode(v).decode() if isinstance(v, bytes) else v for v in values]
            # What the model gets: the image decoded to RGB, as the API's decoder asks (channels=3).
            if decode:
                image = tf.io.decode_image(parsed["image/encoded"], channels=3, expand_animations=False)
                item["decoded_shape"] = image.shape.as_list()
            out.append(item)
    except tf.errors.OpError as error:
        print(json.dumps({"records": out, "error": f"{type(error).__name__}: {error.message}"}))
        return
    print(json.dumps({"records": out}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    elif sys.argv[2] == "--no-decode":
        read(sys.argv[3:], decode=False)
    else:
        read(sys.argv[2:])
