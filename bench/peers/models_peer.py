#!/usr/bin/python3
"""PyTorch peer of bench/models.bench.ts (Debian python3-torch + python3-onnx, /usr/bin/python3).

  models_peer.py MODEL.onnx OUTPUT BATCH THREADS RUNS
      Runs the heatcheck-built ONNX graph MODEL.onnx as PyTorch functional ops (the interpreter of
      test/models/torch_reference.py: the same architecture and weights, BatchNorm in training mode),
      and times one training step: forward, softmax cross-entropy, backward to every weight, Adam update.
      Prints JSON: median ms per step and this process's peak RSS.
"""
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "models"))

import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_reference import execute, initial_env  # noqa: E402


def main():
    path, output, batch, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    model = onnx.load(path)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = torch.sin(torch.arange(batch * dims[1] * dims[2] * dims[3], dtype=torch.float32) * 0.001).reshape(batch, dims[1], dims[2], dims[3])
    target = torch.zeros(batch, 2)
    target[torch.arange(batch), torch.arange(batch) % 2] = 1.0 / batch
    env0, params = initial_env(model, x)
    optimizer = torch.optim.Adam(list(params.values()), lr=7e-5, eps=1e-7)
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        env = execute(model, dict(env0), {})
        loss = -(target * F.log_softmax(env[output], dim=-1)).sum()
        loss.backward()
        optimizer.step()
        if i > 0:
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": statistics.median(times), "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


main()
