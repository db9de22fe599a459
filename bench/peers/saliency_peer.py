#!/usr/bin/python3
"""PyTorch peer of bench/saliency.bench.ts (Debian python3-torch, -torchvision, -skimage; /usr/bin/python3).

  saliency_peer.py time OUTDIR IMAGES N SIZE METHODS THREADS PAIR_BATCH
      Loads torchvision inception_v3 with the weights engine_peer.py exported to OUTDIR (the same
      weights heatcheck runs from the ONNX file), reads N float32 images (N x 3 x SIZE x SIZE) from the
      file IMAGES, and times each method of METHODS (comma-separated heatcheck ids) over the N images
      with the loops of the PAIR `saliency` library at the paper's settings: SmoothGrad 25 samples,
      IG 10 steps from -1, Smooth IG 25 x 10, Grad-CAM at Mixed_7c (= Keras mixed10), guided backprop
      with a guided ReLU, Guided Grad-CAM as the product of the two grayscale maps (computed afresh, as
      the paper's scripts did), XRAI with 2 x 100 IG steps, scikit-image Felzenszwalb segments and the
      full greedy ranking. PAIR_BATCH is PAIR's `batch_size` for IG path points (its default is 1).
      Prints JSON: wall and CPU (all threads) milliseconds per image for each method, and peak RSS.

This is a re-implementation of the loops for timing, written for this benchmark; heatcheck's
correctness is checked against the shared oracle, not against this file.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from skimage import segmentation
from skimage.morphology import dilation, disk
from skimage.transform import resize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_peer import RELU, GuidedRelu, make  # noqa: E402


class Peer:
    def __init__(self, out_dir, pair_batch):
        model = make("inception_v3")
        model.load_state_dict(torch.load(os.path.join(out_dir, "inception_v3.pt")))
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        self.model = model
        self.pair_batch = pair_batch
        self.captured = {}
        model.Mixed_7c.register_forward_hook(lambda _m, _i, out: self.captured.__setitem__("a", out))
        self.rng = np.random.default_rng(0)

    def target(self, x):
        with torch.inference_mode():
            return int(self.model(torch.from_numpy(x[None])).argmax(1)[0])

    def grads(self, xs, t, guided=False):
        xi = torch.from_numpy(np.ascontiguousarray(xs, dtype=np.float32)).requires_grad_(True)
        if guided:
            F.relu = lambda v, inplace=False: GuidedRelu.apply(v)
        try:
            (g,) = torch.autograd.grad(self.model(xi)[:, t].sum(), [xi])
        finally:
            F.relu = RELU
        return g.numpy()

    # --- PAIR loops -------------------------------------------------------------------------------
    def gradient(self, x, t):
        return self.grads(x[None], t)[0]

    def integrated_gradients(self, x, t, baseline, steps=10):
        total = np.zeros_like(x)
        batch = []
        for alpha in np.linspace(0, 1, steps):
            batch.append(baseline + alpha * (x - baseline))
            if len(batch) == self.pair_batch or alpha == 1:
                total += self.grads(np.stack(batch), t).sum(axis=0)
                batch = []
        return total * (x - baseline) / steps

    def smoothed(self, fn, x, t, samples=25, fraction=0.15):
        stdev = fraction * (x.max() - x.min())
        total = np.zeros_like(x)
        for _ in range(samples):
            m = fn(x + self.rng.normal(0, stdev, x.shape).astype(np.float32), t)
            total += m * m
        return total / samples

    def grad_cam(self, x, t):
        # The input must require grad for the block's activation to be on the autograd graph.
        xi = torch.from_numpy(x[None].copy()).requires_grad_(True)
        F.relu = lambda v, inplace=False: RELU(v)  # keep the hooked activation intact
        try:
            logits = self.model(xi)
            a = self.captured["a"]
            (g,) = torch.autograd.grad(logits[0, t], [a])
        finally:
            F.relu = RELU
        w = g[0].mean(dim=(1, 2))
        cam = torch.relu((w[:, None, None] * a[0]).sum(0)).detach().numpy()
        if cam.max() > 0:
            cam = cam / cam.max()
        return resize(cam, x.shape[1:], order=1)

    def guided_backprop(self, x, t):
        return self.grads(x[None], t, guided=True)[0]

    @staticmethod
    def grayscale(m):
        img = np.abs(m).sum(axis=0) if m.ndim == 3 else np.abs(m)
        vmax, vmin = np.percentile(img, 99), img.min()
        return np.clip((img - vmin) / (vmax - vmin), 0, 1)

    def guided_grad_cam(self, x, t):
        return self.grayscale(self.guided_backprop(x, t)) * self.grayscale(np.tile(self.grad_cam(x, t), (3, 1, 1)))

    def xrai(self, x, t):
        attrs = [self.integrated_gradients(x, t, np.full_like(x, b), steps=100) for b in (x.min(), x.max())]
        attr = np.mean(attrs, axis=0).max(axis=0)
        return greedy_regions(attr, segments(np.transpose(x, (1, 2, 0))))


def segments(im):
    """Multi-scale Felzenszwalb masks as PAIR builds them (HWC image)."""
    shape = im.shape[:2]
    im = (im - im.min()) / (im.max() - im.min()) * 2.0 - 1.0
    im = resize(im, (224, 224), order=3, mode="constant", preserve_range=True, anti_aliasing=True)
    masks = []
    for scale in (50, 100, 150, 250, 500, 1200):
        seg = segmentation.felzenszwalb(im, scale=scale, sigma=0.8, min_size=150)
        seg = resize(seg, shape, order=0, preserve_range=True, mode="constant", anti_aliasing=False).astype(int)
        masks.extend(seg == label for label in range(seg.min(), seg.max() + 1))
    return [dilation(m, disk(5)) for m in masks]


def greedy_regions(attr, masks, min_pixel_diff=50):
    """The full XRAI ranking, recomputing every candidate's masked mean at every step as PAIR does."""
    out = np.full(attr.shape, -np.inf)
    current = np.zeros(attr.shape, dtype=bool)
    remaining = dict(enumerate(masks))
    while current.mean() <= 1.0:
        best, best_key, drop = -np.inf, None, []
        for key, mask in remaining.items():
            diff = mask & ~current
            if diff.sum() < min_pixel_diff:
                drop.append(key)
                continue
            gain = attr[diff].mean()
            if gain > best:
                best, best_key = gain, key
        for key in drop:
            del remaining[key]
        if not remaining:
            break
        diff = remaining[best_key] & ~current
        out[diff] = best
        current |= remaining.pop(best_key)
    rest = out == -np.inf
    if rest.any():
        out[rest] = attr[rest].mean()
    return out


def main():
    cmd = sys.argv[1]
    if cmd != "time":
        raise SystemExit(f"unknown command {cmd}")
    out_dir, images, n, size, methods, threads, pair_batch = sys.argv[2:9]
    n, size, threads = int(n), int(size), int(threads)
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    xs = np.fromfile(images, dtype=np.float32).reshape(n, 3, size, size)
    peer = Peer(out_dir, int(pair_batch))
    black = -1.0
    run = {
        "gradient": peer.gradient,
        "smoothgrad": lambda x, t: peer.smoothed(peer.gradient, x, t),
        "integrated-gradients": lambda x, t: peer.integrated_gradients(x, t, np.full_like(x, black)),
        "smooth-ig": lambda x, t: peer.smoothed(lambda y, u: peer.integrated_gradients(y, u, np.full_like(y, black)), x, t),
        "grad-cam": peer.grad_cam,
        "guided-backprop": peer.guided_backprop,
        "guided-grad-cam": peer.guided_grad_cam,
        "xrai": peer.xrai,
    }
    peer.gradient(xs[0], 0)  # warm-up
    result, cpu = {}, {}
    for method in methods.split(","):
        t0, c0 = time.perf_counter(), time.process_time()
        for x in xs:
            # The paper's scripts predict, then explain the predicted class, per image.
            run[method](x, peer.target(x))
        result[method] = (time.perf_counter() - t0) * 1000 / n
        cpu[method] = (time.process_time() - c0) * 1000 / n
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"msPerImage": result, "cpuMsPerImage": cpu, "peakRssMiB": peak}))


if __name__ == "__main__":
    main()
