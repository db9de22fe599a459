"""Peer for bench/metrics.bench.ts: times scikit-learn, scikit-image and numpy on the same inputs.

usage: metrics_peer.py INPUT_DIR RUNS
Reads INPUT_DIR/{scores.f32, labels.u8, ssim_a.f32, ssim_b.f32, raw_hwc.f32, meta.json} and prints one
JSON line: per-call median milliseconds and the values computed, so the caller can check agreement;
writes its post-processed map to INPUT_DIR/peer_final.f32.
"""
import json
import sys
import time

import numpy as np
import sklearn
import skimage
from skimage.metrics import structural_similarity
from sklearn.metrics import auc, precision_recall_curve


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return float(np.median(times))


def main():
    folder, runs = sys.argv[1], int(sys.argv[2])
    meta = json.load(open(f"{folder}/meta.json"))
    h, w, c = meta["height"], meta["width"], meta["channels"]
    scores = np.fromfile(f"{folder}/scores.f32", dtype=np.float32)
    labels = np.fromfile(f"{folder}/labels.u8", dtype=np.uint8)
    a = np.fromfile(f"{folder}/ssim_a.f32", dtype=np.float32).reshape(h, w)
    b = np.fromfile(f"{folder}/ssim_b.f32", dtype=np.float32).reshape(h, w)
    raw = np.fromfile(f"{folder}/raw_hwc.f32", dtype=np.float32).reshape(h, w, c)

    def auprc():
        precision, recall, _ = precision_recall_curve(labels != 0, scores)
        return auc(recall, precision)

    # The paper's call: float maps, data_range 2, skimage defaults (7x7 box, sample covariance).
    a64, b64 = a.astype(np.float64), b.astype(np.float64)

    def ssim_box():
        return structural_similarity(a64, b64, data_range=2.0)

    def ssim_gaussian():
        return structural_similarity(a64, b64, data_range=2.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)

    # PAIR saliency's VisualizeImageGrayscale(percentile=99), then the final min-max.
    def postprocess():
        image_2d = np.sum(np.abs(raw), axis=2)
        vmax = np.percentile(image_2d, 99)
        vmin = np.min(image_2d)
        gray = np.clip((image_2d - vmin) / (vmax - vmin), 0, 1)
        return (gray - gray.min()) / (gray.max() - gray.min())

    out = {
        "versions": {"numpy": np.__version__, "sklearn": sklearn.__version__, "skimage": skimage.__version__},
        "ms": {
            "auprc": median_ms(auprc, runs),
            "ssim_box": median_ms(ssim_box, runs),
            "ssim_gaussian": median_ms(ssim_gaussian, runs),
            "postprocess": median_ms(postprocess, runs),
        },
        "values": {
            "auprc": float(auprc()),
            "ssim_box": float(ssim_box()),
            "ssim_gaussian": float(ssim_gaussian()),
        },
    }
    # The final map itself, for a pixel-by-pixel comparison.
    postprocess().astype(np.float32).tofile(f"{folder}/peer_final.f32")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
