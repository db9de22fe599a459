#!/usr/bin/python3
"""PyTorch peer of bench/engine.bench.ts (Debian python3-torch + python3-torchvision, /usr/bin/python3).

  engine_peer.py export OUTDIR NAME SIZE
      Builds the torchvision model NAME with seeded random weights, saves its state dict to
      OUTDIR/NAME.pt and exports OUTDIR/NAME@SIZE.onnx (eval mode, opset 13, dynamic batch), so
      heatcheck and torch run the same weights.
  engine_peer.py time OUTDIR NAME SIZE KIND BATCH THREADS RUNS
      Times one KIND (forward | input | guided | layer | train) of work on a seeded batch in this
      process and prints JSON: median ms per batch, images/s and this process's peak RSS.

Torch is given its fastest fair setting for each kind: forward under inference_mode; saliency
gradients with torch.autograd.grad and weights not requiring grad; guided backprop with a ReLU whose
backward passes the gradient only where input > 0 and gradient > 0; training with BatchNorm in
training mode, Dropout off (heatcheck's training mode keeps Dropout in inference too), no aux head.
"""
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

BLOCKS = {"resnet18": "layer4", "densenet121": "features", "inception_v3": "Mixed_7c"}


def make(name):
    torch.manual_seed(0)
    if name == "inception_v3":
        return torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True)
    return getattr(torchvision.models, name)(weights=None)


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > 0) & (grad > 0)).to(grad.dtype)


RELU = F.relu


def export(out_dir, name, size):
    os.makedirs(out_dir, exist_ok=True)
    pt = os.path.join(out_dir, f"{name}.pt")
    model = make(name).eval()
    if os.path.exists(pt):
        model.load_state_dict(torch.load(pt))
    else:
        torch.save(model.state_dict(), pt)
    path = os.path.join(out_dir, f"{name}@{size}.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, size, size), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print(json.dumps({"onnx": path}))


def time_kind(out_dir, name, size, kind, batch, threads, runs):
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = make(name)
    model.load_state_dict(torch.load(os.path.join(out_dir, f"{name}.pt")))
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(batch, 3, size, size, generator=gen)
    targets = torch.arange(batch) * 37 % 1000
    onehot = F.one_hot(targets, 1000).float()

    if kind == "train":
        model.train()
        for m in model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.eval()
        if name == "inception_v3":
            model.aux_logits = False
            model.AuxLogits = None
        params = [p for p in model.parameters() if p.requires_grad]

        def step():
            for p in params:
                p.grad = None
            (model(x) * onehot).sum().backward()
    else:
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        if kind == "forward":
            def step():
                with torch.inference_mode():
                    model(x)
        elif kind in ("input", "guided"):
            def step():
                xi = x.clone().requires_grad_(True)
                F.relu = (lambda t, inplace=False: GuidedRelu.apply(t)) if kind == "guided" else RELU
                try:
                    torch.autograd.grad((model(xi) * onehot).sum(), [xi])
                finally:
                    F.relu = RELU
        elif kind == "layer":
            module = dict(model.named_modules())[BLOCKS[name]]
            captured = {}
            module.register_forward_hook(lambda _m, _i, out: captured.__setitem__("a", out))
            # The hooked output must not be overwritten by an in-place ReLU (densenet's features).
            F.relu = lambda t, inplace=False: RELU(t)

            def step():
                xi = x.clone().requires_grad_(True)
                logits = model(xi)
                torch.autograd.grad((logits * onehot).sum(), [captured["a"]])
        else:
            raise SystemExit(f"unknown kind {kind}")

    step()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": ms, "imgPerSec": batch * 1000 / ms, "peakRssMiB": peak, "times": times}))


def main():
    cmd = sys.argv[1]
    if cmd == "export":
        export(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "time":
        out_dir, name, size, kind, batch, threads, runs = sys.argv[2:9]
        time_kind(out_dir, name, int(size), kind, int(batch), int(threads), int(runs))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
