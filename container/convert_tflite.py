"""Converts the TFLite-ready SavedModel that export_tflite_graph_tf2.py writes into model.tflite.

Runs inside the training image (TF2 tags) when the job sets quantize=true. FLOAT keeps float32
weights and math; QUANTIZED_UINT8 quantizes weights and activations to 8 bits, calibrated on up to
100 images of the training TFRecords resized to image_size.
"""
import argparse
import glob

import tensorflow as tf


def representative_images(pattern, image_size, limit=100):
    files = sorted(glob.glob(pattern))
    dataset = tf.data.TFRecordDataset(files).take(limit)
    for record in dataset:
        example = tf.io.parse_single_example(
            record, {"image/encoded": tf.io.FixedLenFeature([], tf.string)}
        )
        image = tf.io.decode_image(example["image/encoded"], channels=3, expand_animations=False)
        image = tf.image.resize(image, (image_size, image_size))
        # The TFLite detection graph expects inputs normalised to [-1, 1].
        yield [tf.expand_dims((image / 127.5) - 1.0, 0)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--saved_model_dir", required=True)
    parser.add_argument("--output_file", required=True)
    parser.add_argument("--image_size", type=int, default=300)
    parser.add_argument("--inference_type", choices=["FLOAT", "QUANTIZED_UINT8"], default="FLOAT")
    parser.add_argument("--representative_records", default="")
    args = parser.parse_args()

    converter = tf.lite.TFLiteConverter.from_saved_model(args.saved_model_dir)
    if args.inference_type == "QUANTIZED_UINT8":
        if not glob.glob(args.representative_records):
            raise SystemExit(
                "QUANTIZED_UINT8 needs training TFRecords to calibrate on; none match "
                + args.representative_records
            )
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: representative_images(
            args.representative_records, args.image_size
        )
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
            tf.lite.OpsSet.TFLITE_BUILTINS,
        ]
        converter.inference_input_type = tf.uint8
    with open(args.output_file, "wb") as output:
        output.write(converter.convert())
    print("wrote " + args.output_file)


if __name__ == "__main__":
    main()
