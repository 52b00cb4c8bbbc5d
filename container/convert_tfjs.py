"""Converts the exported SavedModel to a TensorFlow.js graph model, for serving without libtensorflow.

Runs inside the training image (TF2 tags) after the export: `tfod predict`, `tfod serve`, the
preview and a `serve` container without the native binding run the trained model from tfjs/ on
the wasm backend. Output names are kept (detection_boxes, ...), not renamed Identity_N.

    python3 convert_tfjs.py --saved_model_dir=/opt/ml/model/saved_model --output_dir=/opt/ml/model/tfjs \
        --report=/opt/ml/model/tfjs_conversion.json

The report says whether the conversion succeeded and, when it did not, why: the ops TensorFlow.js
has no kernel for, or the converter's error. `tfod` reads it to explain a model without tfjs/.
Exit codes: 0 converted, 3 unsupported ops (tfjs/ removed), 1 the converter failed.
"""
import argparse
import glob
import json
import os
import shutil
import sys
import traceback
import types

# Ops the TensorFlow.js runtime of this product registers itself (src/detection/customOps.ts).
RUNTIME_OPS = {"Assert"}


def stub_jax_conversion():
    # tensorflowjs 3.21 (the last release for TF 2.9) imports its JAX converter with the package,
    # and JAX is not in this image; the SavedModel conversion does not use it.
    jax_conversion = types.ModuleType("tensorflowjs.converters.jax_conversion")

    def convert_jax(*_args, **_kwargs):
        raise RuntimeError("JAX models cannot be converted in this image")

    jax_conversion.convert_jax = convert_jax
    sys.modules["tensorflowjs.converters.jax_conversion"] = jax_conversion


def supported_ops(tensorflowjs_dir):
    """The TensorFlow op names the TensorFlow.js runtime has kernels for (the converter's op list)."""
    ops = set(RUNTIME_OPS)
    for path in glob.glob(os.path.join(tensorflowjs_dir, "op_list", "*.json")):
        with open(path) as f:
            ops.update(entry["tfOpName"] for entry in json.load(f))
    return ops


def graph_ops(model_json_path):
    """How many nodes use each op in a converted model.json, functions (control flow) included."""
    with open(model_json_path) as f:
        topology = json.load(f).get("modelTopology", {})
    nodes = list(topology.get("node", []))
    for function in topology.get("library", {}).get("function", []):
        nodes.extend(function.get("nodeDef", []))
    counts = {}
    for node in nodes:
        counts[node["op"]] = counts.get(node["op"], 0) + 1
    return counts


def write_report(path, report):
    if not path:
        return
    with open(path, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--saved_model_dir", required=True)
    parser.add_argument("--output_dir", required=True)
    parser.add_argument("--report", default="")
    args = parser.parse_args()

    stub_jax_conversion()
    import tensorflowjs
    from tensorflowjs.converters import tf_saved_model_conversion_v2

    version = getattr(tensorflowjs, "__version__", "unknown")
    try:
        # skip_op_check: the exporter's preprocessing keeps two Assert ops, which the converter's
        # op list lacks; the runtime registers Assert itself, and the check below names the rest.
        tf_saved_model_conversion_v2.convert_tf_saved_model(
            args.saved_model_dir,
            args.output_dir,
            signature_def="serving_default",
            saved_model_tags="serve",
            use_structured_outputs_names=True,
            skip_op_check=True,
        )
    except Exception as error:  # the converter raises many types; all mean "no TF.js model"
        shutil.rmtree(args.output_dir, ignore_errors=True)
        message = str(error).strip().splitlines()[-1:] or [type(error).__name__]
        write_report(args.report, {
            "converted": False,
            "converter": "tensorflowjs " + version,
            "unsupportedOps": [],
            "error": "%s: %s" % (type(error).__name__, message[0]),
        })
        traceback.print_exc()
        print("[tfod] TF.js conversion failed: %s: %s" % (type(error).__name__, message[0]),
              flush=True)
        return 1

    counts = graph_ops(os.path.join(args.output_dir, "model.json"))
    known = supported_ops(os.path.dirname(tensorflowjs.__file__))
    unsupported = sorted(op for op in counts if op not in known)
    if unsupported:
        shutil.rmtree(args.output_dir, ignore_errors=True)
        write_report(args.report, {
            "converted": False,
            "converter": "tensorflowjs " + version,
            "unsupportedOps": unsupported,
            "error": "TensorFlow.js has no kernel for %s" % ", ".join(
                "%s (%d node%s)" % (op, counts[op], "" if counts[op] == 1 else "s")
                for op in unsupported),
        })
        print("[tfod] TF.js conversion: TensorFlow.js has no kernel for op%s %s, so the model is "
              "exported as a SavedModel only" % ("" if len(unsupported) == 1 else "s",
                                                 ", ".join(unsupported)), flush=True)
        return 3

    write_report(args.report, {
        "converted": True,
        "converter": "tensorflowjs " + version,
        "unsupportedOps": [],
        "ops": len(counts),
    })
    print("wrote %s/model.json" % args.output_dir, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
