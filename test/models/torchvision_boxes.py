#!/usr/bin/python3
"""torchvision oracle for heatcheck's box IoU and NMS (Debian python3-torchvision 0.14).

  torchvision_boxes.py FILE
      Reads JSON {"boxes": [[x, y, width, height], ...], "scores": [...], "nms": [iou, ...]} and prints
      JSON {"iou": pairwise box_iou matrix (row-major), "keep": {"<iou>": kept indices, best first}}.
"""
import json
import sys

import torch
from torchvision.ops import box_iou, nms


def main():
    spec = json.load(open(sys.argv[1]))
    xywh = torch.tensor(spec["boxes"], dtype=torch.float64)
    xyxy = torch.cat([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], dim=1)
    scores = torch.tensor(spec["scores"], dtype=torch.float64)
    out = {
        "iou": box_iou(xyxy, xyxy).flatten().tolist(),
        "keep": {str(t): nms(xyxy, scores, t).tolist() for t in spec["nms"]},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
