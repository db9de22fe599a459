"""Test fixture: exports torchvision classifiers (seeded random weights, eval mode, opset 13) to ONNX.

Usage: /usr/bin/python3 torchvision_export.py OUT_DIR SIZE NAME [NAME ...]
Prints one JSON line {name: path}. Needs Debian python3-torch and python3-torchvision.
"""
import json
import os
import sys

import torch
import torchvision


def build(name):
    torch.manual_seed(0)
    if name == "inception_v3":
        return torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=True)
    return getattr(torchvision.models, name)(weights=None)


def main():
    out_dir, size, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for name in names:
        path = os.path.join(out_dir, f"{name}.onnx")
        torch.onnx.export(build(name).eval(), torch.zeros(1, 3, size, size), path, opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        paths[name] = path
    print(json.dumps(paths))


if __name__ == "__main__":
    main()
