"""Times pycocotools' COCOeval (bbox) on one ground-truth and results file, for bench:eval.

usage: cocoeval_bench.py <gt.json> <dt.json> <runs>
Prints one JSON line: the seconds of each run (evaluate + accumulate + summarize, the files
already loaded, as our side is timed) and the twelve summary numbers.
"""
import contextlib
import json
import sys
import time

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def main():
    gt_path, dt_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seconds = []
    stats = None
    with contextlib.redirect_stdout(sys.stderr):
        gt = COCO(gt_path)
        with open(dt_path) as f:
            results = json.load(f)
        for _ in range(runs):
            dt = gt.loadRes([dict(r) for r in results])
            started = time.perf_counter()
            ev = COCOeval(gt, dt, "bbox")
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
            seconds.append(time.perf_counter() - started)
            stats = ev.stats.tolist()
    print(json.dumps({"seconds": seconds, "stats": stats}))


if __name__ == "__main__":
    main()
