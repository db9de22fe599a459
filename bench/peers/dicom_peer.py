"""Peer for bench/dicom.bench.ts: pydicom 2.3 + GDCM decode (+ resize to 320x320) throughput.

Long-lived so the benchmark can interleave its runs with heatcheck's on a noisy machine: reads one JSON
request per stdin line, {"files": [...], "mode": "none" | "pil-box" | "skimage", "procs": n}, and
answers one JSON line {"ms": wall milliseconds for decoding all files}. Process pools are created once
per size and warmed before the first timed request.
"""
import json
import sys
import time
from multiprocessing import Pool

import numpy as np
import pydicom
from pydicom.pixel_data_handlers import gdcm_handler
from PIL import Image
from skimage.transform import resize as sk_resize

# GDCM only, as in the oracle (pydicom would otherwise try Pillow first for JPEG baseline).
pydicom.config.pixel_data_handlers = [gdcm_handler]


def decode(path, mode):
    ds = pydicom.dcmread(path)
    a = ds.pixel_array.astype(np.float32)
    a /= float(2 ** int(ds.BitsStored) - 1)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        a = 1.0 - a
    if mode == "skimage":
        # The usual Python pipeline: bilinear with Gaussian anti-aliasing.
        a = sk_resize(a, (320, 320), order=1, anti_aliasing=True)
    elif mode == "pil-box":
        # Area averaging, the same filter as heatcheck's default.
        a = np.asarray(Image.fromarray(a, mode="F").resize((320, 320), Image.BOX))
    return a.shape


def job(args):
    return decode(*args)


def main():
    pools = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        procs = request["procs"]
        tasks = [(f, request["mode"]) for f in request["files"]]
        if procs > 1 and procs not in pools:
            pools[procs] = Pool(procs)
            pools[procs].map(job, tasks[:procs])
        pool = pools.get(procs)
        t0 = time.perf_counter()
        if pool:
            pool.map(job, tasks, chunksize=1)
        else:
            for t in tasks:
                job(t)
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps({"ms": ms}), flush=True)
    for pool in pools.values():
        pool.close()
        pool.join()


if __name__ == "__main__":
    main()
