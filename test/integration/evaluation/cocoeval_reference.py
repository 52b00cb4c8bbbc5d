"""pycocotools' COCOeval (bbox) over cases the tests wrote, for the evaluation fidelity tests.

usage: cocoeval_reference.py <dir>   where <dir>/<case>/gt.json and dt.json exist;
writes <dir>/<case>/reference.json: stats, precision [T,R,K,A,M], recall [T,K,A,M], scores,
the category ids and the thresholds, all as pycocotools computed them.
"""
import contextlib
import json
import os
import sys

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def evaluate(case_dir):
    with contextlib.redirect_stdout(sys.stderr):
        gt = COCO(os.path.join(case_dir, "gt.json"))
        dt = gt.loadRes(os.path.join(case_dir, "dt.json"))
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    out = {
        "stats": ev.stats.tolist(),
        "shape": list(ev.eval["precision"].shape),
        "precision": ev.eval["precision"].ravel().tolist(),
        "recall": ev.eval["recall"].ravel().tolist(),
        "scores": ev.eval["scores"].ravel().tolist(),
        "catIds": [int(c) for c in ev.params.catIds],
        "iouThrs": ev.params.iouThrs.tolist(),
        "recThrs": ev.params.recThrs.tolist(),
    }
    with open(os.path.join(case_dir, "reference.json"), "w") as f:
        json.dump(out, f)


def main():
    root = sys.argv[1]
    for name in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, name, "gt.json")):
            evaluate(os.path.join(root, name))


if __name__ == "__main__":
    main()
