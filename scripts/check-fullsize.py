#!/usr/bin/python3
"""Reference side of the full-size engine check (run by scripts/check-fullsize.ts).

Exports torchvision resnet18, densenet121 and inception_v3 (random weights, eval mode, opset 13) to
ONNX and computes, with torch autograd in float64 and in float32, the logits, the input gradient, the
guided-backprop gradient and the activation + gradient at the last spatial block, for a seeded batch.
Needs Debian's python3-torch and python3-torchvision; run with /usr/bin/python3.

usage: check-fullsize.py OUTDIR [model ...]
Writes OUTDIR/<model>.onnx, raw little-endian float64 arrays OUTDIR/<model>.<what>.f64 and
OUTDIR/manifest.json describing them.
"""
import copy
import json
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

# name -> (constructor, image size, block whose output is the Grad-CAM layer)
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), 224, "layer4"),
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), 224, "features"),
    "inception_v3": (lambda: torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True), 299, "Mixed_7c"),
}
BATCH = 4


class GuidedRelu(torch.autograd.Function):
    """ReLU whose backward passes the gradient only where the input > 0 and the gradient > 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0).to(grad.dtype) * (grad > 0).to(grad.dtype)


RELU = F.relu


def guided_relu(x, inplace=False):  # signature of F.relu; torchvision calls F.relu for every ReLU
    return GuidedRelu.apply(x)


def plain_relu(x, inplace=False):
    # In-place ReLUs would overwrite the block outputs we capture (densenet's features), so none here.
    return RELU(x)


def passes(model, x, targets, block):
    """Logits, input gradient, guided gradient, block activation and gradient, all in x's dtype."""
    module = dict(model.named_modules())[block]
    captured = {}

    def hook(_m, _inp, out):
        out.retain_grad()
        captured["a"] = out

    onehot = F.one_hot(targets, 1000).to(x.dtype)
    xi = x.clone().requires_grad_(True)
    handle = module.register_forward_hook(hook)
    F.relu = plain_relu
    try:
        logits = model(xi)
        (logits * onehot).sum().backward()
    finally:
        F.relu = RELU
        handle.remove()
    result = {
        "logits": logits.detach(),
        "input": xi.grad.detach(),
        "layer_activation": captured["a"].detach(),
        "layer_gradient": captured["a"].grad.detach(),
    }
    xg = x.clone().requires_grad_(True)
    F.relu = guided_relu
    try:
        (model(xg) * onehot).sum().backward()
    finally:
        F.relu = RELU
    result["guided"] = xg.grad.detach()
    return result


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": []}
    for name in names:
        make, size, block = MODELS[name]
        torch.manual_seed(0)
        model = make().eval()
        onnx_path = os.path.join(out_dir, f"{name}.onnx")
        dummy = torch.zeros(1, 3, size, size)
        torch.onnx.export(
            model, dummy, onnx_path, opset_version=13, input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True,
        )
        gen = torch.Generator().manual_seed(1)
        x = torch.randn(BATCH, 3, size, size, generator=gen)
        model64 = copy.deepcopy(model).double()
        with torch.no_grad():
            targets = model64(x.double()).argmax(dim=1)
        ref = passes(model64, x.double(), targets, block)
        f32 = passes(model, x, targets, block)
        entry = {"name": name, "onnx": onnx_path, "size": size, "block": block, "batch": BATCH,
                 "targets": targets.tolist(), "arrays": {}}

        def save(key, tensor):
            path = os.path.join(out_dir, f"{name}.{key}.f64")
            tensor.detach().double().contiguous().numpy().astype("<f8").tofile(path)
            entry["arrays"][key] = {"path": path, "shape": list(tensor.shape)}

        save("input_image", x)
        for key, value in ref.items():
            save(f"{key}_f64", value)
        for key, value in f32.items():
            save(f"{key}_f32", value)
        manifest["models"].append(entry)
        print(f"{name}: exported and differentiated", file=sys.stderr)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
