"""Converts the exported SavedModel to a TensorFlow.js graph model, for serving without libtensorflow.

Runs inside the training image (TF2 tags) after the export: `tfod predict`, `tfod serve`, the
preview and a `serve` container without the native binding run the trained model from tfjs/ on
the wasm backend. Output names are kept (detection_boxes, ...), not renamed Identity_N.

    python3 convert_tfjs.py --saved_model_dir=/opt/ml/model/saved_model --output_dir=/opt/ml/model/tfjs
"""
import argparse
import sys
import types


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--saved_model_dir", required=True)
    parser.add_argument("--output_dir", required=True)
    args = parser.parse_args()

    # tensorflowjs 3.21 (the last release for TF 2.9) imports its JAX converter with the package,
    # and JAX is not in this image; the SavedModel conversion does not use it.
    jax_conversion = types.ModuleType("tensorflowjs.converters.jax_conversion")

    def convert_jax(*_args, **_kwargs):
        raise RuntimeError("JAX models cannot be converted in this image")

    jax_conversion.convert_jax = convert_jax
    sys.modules["tensorflowjs.converters.jax_conversion"] = jax_conversion
    from tensorflowjs.converters import tf_saved_model_conversion_v2

    # skip_op_check: the exporter's preprocessing keeps two Assert ops, which the converter's op
    # list lacks; the runtime registers Assert itself (src/detection/customOps.ts).
    tf_saved_model_conversion_v2.convert_tf_saved_model(
        args.saved_model_dir,
        args.output_dir,
        signature_def="serving_default",
        saved_model_tags="serve",
        use_structured_outputs_names=True,
        skip_op_check=True,
    )
    print("wrote %s/model.json" % args.output_dir, flush=True)


if __name__ == "__main__":
    main()
