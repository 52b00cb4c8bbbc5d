"""TensorFlow's own Python writer doing the conversion `npm run bench:data` times: the tutorials'
generate_tfrecord.py (CSV rows grouped by image, tf.train.Example with the Object Detection API's
keys, tf.io.TFRecordWriter), plus the SHA-256 key our converter also writes. Prints the seconds the
conversion took (TensorFlow's import excluded) as JSON.

  tf_write_records.py <csv> <images dir> <output record>
"""
import csv
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402


def main(csv_path, images, output):
    start = time.perf_counter()
    groups = {}
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["filename"], []).append(row)
    classes = sorted({row["class"] for rows in groups.values() for row in rows})
    ids = {name: i + 1 for i, name in enumerate(classes)}
    with tf.io.TFRecordWriter(output) as writer:
        for filename, rows in groups.items():
            with tf.io.gfile.GFile(os.path.join(images, filename), "rb") as fid:
                encoded = fid.read()
            width, height = int(rows[0]["width"]), int(rows[0]["height"])
            feature = {
                "image/height": tf.train.Feature(int64_list=tf.train.Int64List(value=[height])),
                "image/width": tf.train.Feature(int64_list=tf.train.Int64List(value=[width])),
                "image/filename": tf.train.Feature(bytes_list=tf.train.BytesList(value=[filename.encode()])),
                "image/source_id": tf.train.Feature(bytes_list=tf.train.BytesList(value=[filename.encode()])),
                "image/key/sha256": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[hashlib.sha256(encoded).hexdigest().encode()])
                ),
                "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded])),
                "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpeg"])),
                "image/object/bbox/xmin": tf.train.Feature(
                    float_list=tf.train.FloatList(value=[float(r["xmin"]) / width for r in rows])
                ),
                "image/object/bbox/xmax": tf.train.Feature(
                    float_list=tf.train.FloatList(value=[float(r["xmax"]) / width for r in rows])
                ),
                "image/object/bbox/ymin": tf.train.Feature(
                    float_list=tf.train.FloatList(value=[float(r["ymin"]) / height for r in rows])
                ),
                "image/object/bbox/ymax": tf.train.Feature(
                    float_list=tf.train.FloatList(value=[float(r["ymax"]) / height for r in rows])
                ),
                "image/object/class/text": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[r["class"].encode() for r in rows])
                ),
                "image/object/class/label": tf.train.Feature(
                    int64_list=tf.train.Int64List(value=[ids[r["class"]] for r in rows])
                ),
            }
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writer.write(example.SerializeToString())
    print(json.dumps({"seconds": time.perf_counter() - start, "images": len(groups)}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
