#!/usr/bin/python3
"""PyTorch reference for heatcheck's training step (Debian python3-torch 1.13 + python3-onnx).

  torch_reference.py DIR
      Reads DIR/model.onnx, DIR/spec.json ({"input": [dims], "loss": ..., "targets": n}), DIR/input.bin
      and DIR/target_0.bin ... (float32 little-endian, each shaped as its loss part's slice of the
      output), runs the ONNX graph with an interpreter written on torch.nn.functional (BatchNorm in
      training mode with batch statistics, as PyTorch trains), and prints JSON: the loss, the gradient of
      every float initializer feeding a weight slot, and the updated BatchNorm running statistics
      (PyTorch's momentum convention). The loss is "softmax-cross-entropy" (one target) or
      {"sliced": [{"size": K, "loss": "focal", "alpha": a, "gamma": g}, {"size": 4, "loss": "smooth-l1",
      "beta": b}]} (RetinaNet's: two targets per part, the value and the per-element weight).
"""
import base64
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pads_of(a, rank):
    p = list(a.get("pads", [0] * (2 * rank)))
    return p[:rank], p[rank:]


def pad_input(x, begins, ends, value=0.0):
    if begins == ends:
        return x, begins
    flat = []
    for b, e in zip(reversed(begins), reversed(ends)):
        flat += [b, e]
    return F.pad(x, flat, value=value), [0] * len(begins)


def initial_env(model, x):
    """The graph input and every initializer as tensors; float initializers require grad (the parameters)."""
    env = {model.graph.input[0].name: x}
    params = {}
    for t in model.graph.initializer:
        arr = numpy_helper.to_array(t)
        if arr.dtype in (np.float32, np.float64):
            params[t.name] = torch.tensor(arr.astype(np.float32), requires_grad=True)
        else:
            env[t.name] = torch.tensor(arr)
    env.update(params)
    return env, params


def run(model, x, momentum_updates):
    env, params = initial_env(model, x)
    return execute(model, env, momentum_updates), params


def execute(model, env, momentum_updates):
    """Runs the nodes in order on `env` (name -> tensor), returning it with every node output added."""
    for node in model.graph.node:
        a = attrs(node)
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Conv":
            rank = i[1].dim() - 2
            b, e = pads_of(a, rank)
            xi, pad = pad_input(i[0], b, e)
            y = F.conv2d(xi, i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]), pad, a.get("dilations", [1, 1]), a.get("group", 1))
        elif op == "ConvTranspose":
            rank = i[1].dim() - 2
            b, e = pads_of(a, rank)
            y = F.conv_transpose2d(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]), b, a.get("output_padding", [0, 0]), a.get("group", 1))
        elif op == "BatchNormalization":
            rm = i[3].detach().clone()
            rv = i[4].detach().clone()
            # ONNX momentum m keeps m of the running value; PyTorch's momentum is the share of the batch value.
            y = F.batch_norm(i[0], rm, rv, i[1], i[2], True, 1 - a.get("momentum", 0.9), a.get("epsilon", 1e-5))
            momentum_updates[node.input[3]] = rm
            momentum_updates[node.input[4]] = rv
        elif op == "Relu":
            y = F.relu(i[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(i[0])
        elif op == "MaxPool":
            b, e = pads_of(a, 2)
            xi, pad = pad_input(i[0], b, e, float("-inf"))
            y = F.max_pool2d(xi, a["kernel_shape"], a.get("strides", a["kernel_shape"]), pad, ceil_mode=bool(a.get("ceil_mode", 0)))
        elif op == "AveragePool":
            b, e = pads_of(a, 2)
            if b != e:
                raise SystemExit("asymmetric AveragePool pads are not supported by the reference")
            y = F.avg_pool2d(i[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]), b, ceil_mode=bool(a.get("ceil_mode", 0)), count_include_pad=bool(a.get("count_include_pad", 0)))
        elif op == "GlobalAveragePool":
            y = i[0].mean(dim=(2, 3), keepdim=True)
        elif op == "ReduceMean":
            y = i[0].mean(dim=tuple(a["axes"]), keepdim=bool(a.get("keepdims", 1)))
        elif op == "Flatten":
            y = i[0].flatten(a.get("axis", 1))
        elif op == "Gemm":
            w = i[1].t() if a.get("transB", 0) else i[1]
            y = i[0] @ w * a.get("alpha", 1.0)
            if len(i) > 2 and i[2] is not None:
                y = y + i[2] * a.get("beta", 1.0)
        elif op == "Concat":
            y = torch.cat(i, dim=a["axis"])
        elif op == "Identity":
            y = i[0]
        elif op == "Constant":
            y = torch.tensor(numpy_helper.to_array(a["value"]))
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Transpose":
            y = i[0].permute(*a["perm"])
        elif op == "Reshape":
            # ONNX: 0 copies the input's dimension, -1 is inferred.
            shape = [int(i[0].shape[k]) if int(v) == 0 else int(v) for k, v in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == "Resize":
            y = resize_nearest(i[0], i[2], a)
        else:
            raise SystemExit(f"op {op} not supported by the reference")
        env[node.output[0]] = y
    return env


def resize_nearest(x, scales, a):
    """Nearest upsampling by integer factors (the FPN's top-down path): every ONNX coordinate mode and
    nearest rounding that heatcheck emits reduce to repeating each pixel there."""
    factors = [float(v) for v in scales.tolist()]
    if a.get("mode", b"nearest") not in (b"nearest", "nearest") or factors[:2] != [1.0, 1.0] or any(f != int(f) for f in factors):
        raise SystemExit(f"Resize {a} with scales {factors} is not supported by the reference")
    for axis, f in enumerate(factors[2:], start=2):
        x = x.repeat_interleave(int(f), dim=axis)
    return x


def focal(z, y, w, alpha, gamma):
    """Sigmoid focal loss (Lin et al. 2017), per-element weighted sum, as torchvision.ops.sigmoid_focal_loss."""
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    pt = p * y + (1 - p) * (1 - y)
    at = alpha * y + (1 - alpha) * (1 - y)
    return (w * at * (1 - pt) ** gamma * ce).sum()


def smooth_l1(z, t, w, beta):
    return (w * F.smooth_l1_loss(z, t, reduction="none", beta=beta)).sum()


def loss_of(spec, z, targets):
    if spec == "softmax-cross-entropy":
        return -(targets[0] * F.log_softmax(z, dim=-1)).sum()
    total = z.new_zeros(())
    start = 0
    k = 0
    for part in spec["sliced"]:
        zs = z[..., start:start + part["size"]]
        start += part["size"]
        if part["loss"] == "focal":
            total = total + focal(zs, targets[k], targets[k + 1], part["alpha"], part["gamma"])
        elif part["loss"] == "smooth-l1":
            total = total + smooth_l1(zs, targets[k], targets[k + 1], part["beta"])
        else:
            raise SystemExit(f"loss {part['loss']} is not supported by the reference")
        k += 2
    return total


def target_shapes(spec, z):
    if spec == "softmax-cross-entropy":
        return [tuple(z.shape)]
    return [tuple(z.shape[:-1]) + (part["size"],) for part in spec["sliced"] for _ in range(2)]


def b64(t):
    return base64.b64encode(t.detach().numpy().astype("<f4").tobytes()).decode()


def main():
    d = sys.argv[1]
    torch.set_num_threads(1)
    model = onnx.load(os.path.join(d, "model.onnx"))
    spec = json.load(open(os.path.join(d, "spec.json")))
    x = torch.tensor(np.fromfile(os.path.join(d, "input.bin"), dtype="<f4").reshape(spec["input"]))
    updates = {}
    env, params = run(model, x, updates)
    z = env[spec["output"]]
    shapes = target_shapes(spec["loss"], z)
    targets = [torch.tensor(np.fromfile(os.path.join(d, f"target_{k}.bin"), dtype="<f4").reshape(shape)) for k, shape in enumerate(shapes)]
    loss = loss_of(spec["loss"], z, targets)
    weights = [n for n in spec["weights"]]
    grads = torch.autograd.grad(loss, [params[n] for n in weights], allow_unused=True)
    out = {
        "loss": float(loss),
        "gradients": {n: b64(g if g is not None else torch.zeros_like(params[n])) for n, g in zip(weights, grads)},
        "updates": {n: b64(v) for n, v in updates.items()},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
