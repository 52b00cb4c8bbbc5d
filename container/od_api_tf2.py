"""The Object Detection API's TF2 training and evaluation loops, run the way a one-shot job needs.

`train` runs these instead of model_main_tf2.py, which cannot be told three things a job needs:
- model_main_tf2.py saves a checkpoint at step 0 and then every 1,000 steps (--checkpoint_every_n)
  with no save after the loop, and the export takes the newest checkpoint: a 100-step job exported
  its untrained weights. Here the interval divides num_steps, so the last step is always saved.
- its loop runs whole iterations of 100 steps (NUM_STEPS_PER_ITERATION), so num_steps was rounded
  up to a multiple of 100. Here the iteration divides num_steps.
- its evaluation waits 300 s for newer checkpoints after the last one (on billed instances). Here
  it evaluates the newest checkpoint once and returns.

    python3 od_api_tf2.py --mode=train --pipeline_config_path=P --model_dir=D --num_train_steps=N
    python3 od_api_tf2.py --mode=evaluate --pipeline_config_path=P --model_dir=D --num_train_steps=N

With TF_CONFIG naming several workers (a job on several hosts: `train` writes it from SageMaker's
resourceconfig.json) it trains with MultiWorkerMirroredStrategy; otherwise with MirroredStrategy,
which uses every GPU of the host (or its CPU). Worker 0 is the chief: the API's loop saves the
checkpoints there and into temporary folders it deletes on the others.

--cpu_replicas=N (train; hosts without a GPU) splits the CPU into N logical devices and mirrors the
model across them as across N GPUs: the multi-GPU path, run where there is no GPU.
"""

import json
import os

import sys

# Steps per iteration of the API's training loop (its own default, the most it runs per call).
MAX_ITERATION = 100
# The API's default checkpoint interval, the most this chooses.
MAX_CHECKPOINT_INTERVAL = 1000


def iteration_size(num_steps):
    """The largest divisor of num_steps up to 100 that still gives four or more iterations (so the
    loss is logged several times), or the largest divisor up to 100 for short jobs."""
    divisors = [d for d in range(1, min(MAX_ITERATION, num_steps) + 1) if num_steps % d == 0]
    several = [d for d in divisors if num_steps // d >= 4]
    return max(several or divisors)


def checkpoint_interval(num_steps, iteration):
    """A multiple of the iteration, at most 1,000 steps, that divides num_steps: the loop saves
    every `interval` steps counted from its start, so it saves at the last step. So that an
    interrupted (spot) job loses little, the largest one up to a quarter of the job that saves at
    most 16 times; else the largest; and num_steps itself (one save, at the end) where every
    other would save more than 100 times (a prime num_steps: iterations of one step)."""
    fitting = [
        m
        for m in range(iteration, max(MAX_CHECKPOINT_INTERVAL, iteration) + 1, iteration)
        if num_steps % m == 0
    ]
    quarter = [m for m in fitting if m * 4 <= num_steps and m * 16 >= num_steps]
    if quarter:
        return max(quarter)
    best = max(fitting)
    return best if best * 100 >= num_steps else num_steps


def log_interval(num_steps, iteration):
    """Steps between the loop's loss lines: about a quarter of a short job, 100 in a long one. A
    multiple of the iteration that divides num_steps, so the last step is logged, unless that
    would log far more often (num_steps prime: an iteration of one step)."""
    cap = max(iteration, min(MAX_ITERATION, max(1, num_steps // 4)))
    best = max(m for m in range(iteration, cap + 1, iteration) if num_steps % m == 0)
    return best if best * 4 >= cap else cap


def cluster_workers():
    """(number of workers, this worker's index) from TF_CONFIG; (1, 0) without it."""
    try:
        config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    except ValueError:
        return 1, 0
    workers = config.get("cluster", {}).get("worker", [])
    index = config.get("task", {}).get("index", 0)
    return max(1, len(workers)), int(index)


def distribution_strategy(cpu_replicas=1):
    """MultiWorkerMirroredStrategy across hosts, MirroredStrategy (every local GPU) on one. Made
    before any other TensorFlow op runs, as the multi-worker strategy requires."""
    workers, index = cluster_workers()
    devices = None
    if workers == 1 and cpu_replicas > 1 and not tf.config.list_physical_devices("GPU"):
        # Logical devices must be set up before TensorFlow initialises its runtime.
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(cpu_replicas)]
        )
        devices = ["/cpu:%d" % i for i in range(cpu_replicas)]
    if workers > 1:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        print(
            "[tfod] MultiWorkerMirroredStrategy: worker %d of %d, %d replica(s) in sync"
            % (index + 1, workers, strategy.num_replicas_in_sync),
            flush=True,
        )
        return strategy, index == 0, True
    strategy = tf.distribute.MirroredStrategy(devices=devices)
    print(
        "[tfod] MirroredStrategy: %d replica(s) in sync (%s)"
        % (
            strategy.num_replicas_in_sync,
            ", ".join(strategy.extended.worker_devices),
        ),
        flush=True,
    )
    return strategy, True, False


def leave(code, multi_worker):
    """Ends the process. With MultiWorkerMirroredStrategy TensorFlow 2.9 aborts while Python shuts
    down ("terminate called without an active exception", SIGABRT: its collective ops' threads are
    still joinable), after the work is done and saved: leave without that teardown."""
    if multi_worker:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def checkpoint_step(path):
    return int(tf.train.load_variable(path, "step/.ATTRIBUTES/VARIABLE_VALUE"))


def loop_settings(num_steps, resumed_step=0):
    """(iteration, checkpoint interval, log interval) for the steps still to run. The loop counts
    from the step it restored (a resumed job), so they must divide num_steps - resumed_step: a job
    resumed from step 100 with num_steps 150 must not run iterations of 30 to step 160."""
    remaining = num_steps - resumed_step
    if remaining < 1:
        remaining = num_steps
    iteration = iteration_size(remaining)
    return iteration, checkpoint_interval(remaining, iteration), log_interval(remaining, iteration)


def train(args):
    tf.config.set_soft_device_placement(True)
    strategy, chief, multi_worker = distribution_strategy(args.cpu_replicas)
    # The API's loop restores the newest checkpoint of model_dir on its own (a spot job restarted
    # with /opt/ml/checkpoints as its model_dir); say so with the step it goes on from.
    resumed = tf.train.latest_checkpoint(args.model_dir)
    resumed_step = checkpoint_step(resumed) if resumed else 0
    if resumed:
        print("[tfod] resuming from checkpoint %s (step %d)" % (resumed, resumed_step), flush=True)
        if resumed_step > args.num_train_steps:
            print(
                "error: the checkpoints folder %s holds a checkpoint at step %d, past num_steps %d"
                " (another job's checkpoints?): give this job its own checkpoints path or raise"
                " num_steps" % (args.model_dir, resumed_step, args.num_train_steps),
                file=sys.stderr,
            )
            sys.exit(1)
    iteration, interval, log_every = loop_settings(args.num_train_steps, resumed_step)
    print(
        "[tfod] training %d steps: %d per iteration, a checkpoint every %d steps"
        % (args.num_train_steps, iteration, interval),
        flush=True,
    )
    # The loop logs its losses every LOG_EVERY steps (100), checked after each iteration: here
    # about four times in a short job, every 100 steps in a long one.
    model_lib_v2.LOG_EVERY = log_every
    with strategy.scope():
        model_lib_v2.train_loop(
            pipeline_config_path=args.pipeline_config_path,
            model_dir=args.model_dir,
            train_steps=args.num_train_steps,
            checkpoint_every_n=interval,
            num_steps_per_iteration=iteration,
            record_summaries=True,
        )
    if not chief:
        # The loop saved this worker's checkpoints into temporary folders and deleted them; the
        # chief's are the job's.
        print("[tfod] worker done: the chief holds the checkpoints", flush=True)
        return leave(0, multi_worker)
    latest = tf.train.latest_checkpoint(args.model_dir)
    step = checkpoint_step(latest) if latest else -1
    print("[tfod] newest checkpoint: %s (step %d)" % (latest, step), flush=True)
    if step != args.num_train_steps:
        print(
            "error: the newest checkpoint is at step %d, not %d" % (step, args.num_train_steps),
            file=sys.stderr,
        )
        return leave(1, multi_worker)
    return leave(0, multi_worker)


def evaluate(args):
    tf.config.set_soft_device_placement(True)
    # One pass over the newest checkpoint: it is at num_steps, where the API's loop returns; the
    # 1 s timeout ends the wait for newer checkpoints should it not be.
    model_lib_v2.eval_continuously(
        pipeline_config_path=args.pipeline_config_path,
        model_dir=args.model_dir,
        train_steps=args.num_train_steps,
        checkpoint_dir=args.model_dir,
        wait_interval=0,
        timeout=1,
    )
    return 0


def main(argv):
    del argv  # flags only
    args = FLAGS
    if args.num_train_steps < 1:
        raise app.UsageError("--num_train_steps must be at least 1")
    return train(args) if args.mode == "train" else evaluate(args)


if __name__ == "__main__":
    # absl, as the API's own scripts: its logging shows the loop's INFO lines (the step, the losses,
    # the evaluation) with --alsologtostderr, in the format model_main_tf2.py prints.
    # TensorFlow and the API are imported before absl parses the flags, as model_main_tf2.py does:
    # imported later (inside train), TF 2.9 fails to start the input pipeline ("Unable to find
    # FunctionDef for __inference_Dataset_flat_map_read_one_file ... MultiDeviceIteratorInit").
    import tensorflow.compat.v2 as tf
    from absl import app, flags
    from object_detection import model_lib_v2

    flags.DEFINE_enum("mode", None, ["train", "evaluate"], "train, or evaluate the newest checkpoint")
    flags.DEFINE_string("pipeline_config_path", None, "the pipeline.config to train with")
    flags.DEFINE_string("model_dir", None, "where checkpoints and summaries go")
    flags.DEFINE_integer("num_train_steps", None, "the number of training steps")
    flags.DEFINE_integer("cpu_replicas", 1, "without a GPU: replicas on the CPU (train)", lower_bound=1)
    for name in ("mode", "pipeline_config_path", "model_dir", "num_train_steps"):
        flags.mark_flag_as_required(name)
    FLAGS = flags.FLAGS
    app.run(main)
