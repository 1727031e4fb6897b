#!/usr/bin/python3
"""The authors' MMC-Map, as the yardstick of the tests: a transcription of `image_preprocess` (and the
`visualize_flow`, `quantize_angle`, `compute_adaptive_flow_mask`, `compute_tvl1_optical_flow` it calls) from
preprocess.py of github.com/zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B- at commit
b7daa0f151c7ceac313fb3874ec43d9a82ca1b97, with ONE change: the face_alignment call is replaced by a nose point
passed in (FAN's preds[0][30]), or by "no face" (preds empty). Every numpy/cv2 operation is the authors', in
their order and with their dtypes (float32 flow, float32 np.mean, the float64 zero mean of an empty window,
radians then * 180 / np.pi, ...): nothing here is re-derived. Run with Debian's Python (python3-opencv 4.6,
python3-pil); a yardstick only, never a runtime dependency of the extension.

Usage:
  /usr/bin/python3 scripts/reference/authors_preprocess.py ONSET APEX OUT.png (--nose X,Y | --no-face)
      [--flow-in FLOW.flo] [--flow-out FLOW.flo]
  Prints one JSON line: nose pixel, window, mean_flow (and its dtype), output shape.
  --flow-in skips TV-L1 and uses that flow (e.g. the extension's own, to compare the rendering alone).
  /usr/bin/python3 scripts/reference/authors_preprocess.py --batch JOBS.json
  JOBS.json: [{"onset", "apex", "out", "nose": [x, y] | null, "flowIn"?: path}, ...]; one JSON line per job
  (one process for many maps: the tests are frugal with the shared CPU).

As a module: `preprocess_at(onset_rgb, apex_rgb, nose, flow=None)` with RGB uint8 arrays (PIL order) and
`render_at(grey, flow, nose)` for a grey onset and a float32 HxWx2 flow (the rendering steps alone).
"""
from __future__ import annotations

import json
import os
import struct
import sys

import cv2
import numpy as np
from PIL import Image

SOURCE = {
    'repo': 'github.com/zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-',
    'commit': 'b7daa0f151c7ceac313fb3874ec43d9a82ca1b97',
    'file': 'preprocess.py',
}
FLO_TAG = 202021.25


# ---- preprocess.py's helpers, same operations ----------------------------------------------------------

def adaptive_flow_mask(flow, percent=95):
    magnitude, _ = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    threshold = np.percentile(magnitude, percent)
    return (magnitude > threshold).astype(np.uint8) * 255


def tvl1_flow(prev_img, next_img):
    prev_gray = cv2.cvtColor(prev_img, cv2.COLOR_BGR2GRAY) if len(prev_img.shape) == 3 else prev_img
    next_gray = cv2.cvtColor(next_img, cv2.COLOR_BGR2GRAY) if len(next_img.shape) == 3 else next_img
    return cv2.optflow.DualTVL1OpticalFlow_create().calc(prev_gray, next_gray, None)


def quantize(angle_deg, step=30):
    angle_deg = angle_deg % 360
    quantized = np.round(angle_deg / step) * step
    return quantized % 360


def colour_flow(flow):
    magnitude, angle = cv2.cartToPolar(flow[..., 0], flow[..., 1])
    angle_deg = angle * 180 / np.pi
    hsv_hue = quantize(angle_deg, step=30) / 2
    hsv = np.zeros((flow.shape[0], flow.shape[1], 3), dtype=np.uint8)
    hsv[..., 0] = hsv_hue.astype(np.uint8)
    hsv[..., 1] = 255
    hsv[..., 2] = cv2.normalize(magnitude, None, 0, 255, cv2.NORM_MINMAX)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


# ---- image_preprocess with the nose point given ------------------------------------------------------

def head_motion(flow, nose_point):
    """preprocess.py's nose window and mean. Returns (mean_flow, (x1, x2, y1, y2) or None, (nose_x, nose_y))."""
    nose_x, nose_y = int(nose_point[0]), int(nose_point[1])
    region_size = 5
    x1 = max(nose_x - region_size, 0)
    x2 = min(nose_x + region_size + 1, flow.shape[1])
    y1 = max(nose_y - region_size, 0)
    y2 = min(nose_y + region_size + 1, flow.shape[0])
    if x2 <= x1 or y2 <= y1:
        return np.array([0.0, 0.0]), None, (nose_x, nose_y)
    nose_region_flow = flow[y1:y2, x1:x2]
    if nose_region_flow.size > 0:
        return np.mean(nose_region_flow.reshape(-1, 2), axis=0), (x1, x2, y1, y2), (nose_x, nose_y)
    return np.array([0.0, 0.0]), (x1, x2, y1, y2), (nose_x, nose_y)


def render_bgr(onset_bgr_or_grey, flow, nose_point):
    """The rest of image_preprocess after the landmarks, from a given flow. Returns (BGR map, info)."""
    mean_flow, window, pixel = head_motion(flow, nose_point)
    flow_corrected = flow - mean_flow
    if len(onset_bgr_or_grey.shape) == 3:
        gray_img = cv2.cvtColor(onset_bgr_or_grey, cv2.COLOR_BGR2GRAY)
        gray_img = cv2.cvtColor(gray_img, cv2.COLOR_GRAY2BGR)
    else:
        gray_img = cv2.cvtColor(onset_bgr_or_grey, cv2.COLOR_GRAY2BGR)
    bgr_flow = colour_flow(flow_corrected)
    mask = adaptive_flow_mask(flow_corrected, percent=0)
    overlay = cv2.bitwise_and(bgr_flow, bgr_flow, mask=mask)
    info = {
        'nosePixel': list(pixel),
        'window': None if window is None else {'x1': window[0], 'x2': window[1], 'y1': window[2], 'y2': window[3]},
        'meanFlow': [float(mean_flow[0]), float(mean_flow[1])],
        'meanDtype': str(mean_flow.dtype),
        'correctedDtype': str(flow_corrected.dtype),
    }
    return cv2.add(gray_img, overlay), info


def preprocess_at(onset_rgb, apex_rgb, nose, flow=None):
    """image_preprocess(onset, apex) with preds[0][30] = nose (x, y), or nose None for 'no face found'.

    onset_rgb/apex_rgb: np.array(PIL image .convert('RGB')). Returns (BGR or 1-channel grey array, info, flow)."""
    onset_image = cv2.cvtColor(onset_rgb, cv2.COLOR_RGB2BGR)
    apex_image = cv2.cvtColor(apex_rgb, cv2.COLOR_RGB2BGR)
    if nose is None:
        return cv2.cvtColor(onset_image, cv2.COLOR_BGR2GRAY), {'noFace': True}, None
    if flow is None:
        flow = tvl1_flow(onset_image, apex_image)
    out, info = render_bgr(onset_image, flow, nose)
    return out, info, flow


def render_at(grey, flow, nose):
    """The rendering steps alone on a grey onset (HxW uint8) and a float32 flow; nose None = no compensation
    subtracted at all (not a preprocess.py path: the unit fixtures use it for uncompensated maps). BGR out."""
    if nose is None:
        gray_img = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
        bgr_flow = colour_flow(flow)
        mask = adaptive_flow_mask(flow, percent=0)
        return cv2.add(gray_img, cv2.bitwise_and(bgr_flow, bgr_flow, mask=mask)), {'meanFlow': [0.0, 0.0]}
    return render_bgr(grey, flow, nose)


# ---- files -------------------------------------------------------------------------------------------------

def read_flo(path):
    with open(path, 'rb') as f:
        tag, w, h = struct.unpack('<fii', f.read(12))
        if tag != FLO_TAG:
            raise ValueError(f'{path}: not a Middlebury .flo file')
        return np.frombuffer(f.read(w * h * 8), dtype='<f4').reshape(h, w, 2).astype(np.float32)


def write_flo(path, flow):
    h, w = flow.shape[:2]
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<fii', FLO_TAG, w, h))
        f.write(np.ascontiguousarray(flow, dtype='<f4').tobytes())
    os.replace(tmp, path)


def run_job(onset_path, apex_path, out_path, nose, flow_in=None, flow_out=None):
    # main.py: Image.open(path).convert("RGB"); image_preprocess: np.array + RGB2BGR.
    onset = np.array(Image.open(onset_path).convert('RGB'))
    apex = np.array(Image.open(apex_path).convert('RGB'))
    flow = read_flo(flow_in) if flow_in else None
    out, info, flow = preprocess_at(onset, apex, nose, flow)
    if flow_out and flow is not None:
        write_flo(flow_out, flow)
    tmp = out_path + '.tmp.png'
    if not cv2.imwrite(tmp, out):  # main.py: cv2.imwrite(temp_save_path, processed_image_np)
        sys.exit(f'{out_path}: cannot write')
    os.replace(tmp, out_path)
    info.update({'shape': list(out.shape), 'source': SOURCE, 'numpy': np.__version__, 'opencv': cv2.__version__})
    return info


def main(argv):
    args = argv[1:]
    if len(args) == 2 and args[0] == '--batch':
        with open(args[1]) as f:
            jobs = json.load(f)
        for j in jobs:
            nose = None if j.get('nose') is None else (float(j['nose'][0]), float(j['nose'][1]))
            print(json.dumps(run_job(j['onset'], j['apex'], j['out'], nose, j.get('flowIn'), j.get('flowOut'))), flush=True)
        return 0
    opts = {}
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ('--nose', '--flow-in', '--flow-out'):
            if i + 1 >= len(args):
                sys.exit(f'{a} needs a value')
            opts[a] = args[i + 1]
            i += 2
        elif a == '--no-face':
            opts[a] = True
            i += 1
        else:
            pos.append(a)
            i += 1
    if len(pos) != 3 or (('--nose' in opts) == ('--no-face' in opts)):
        sys.exit(__doc__)
    onset_path, apex_path, out_path = pos
    nose = None
    if '--nose' in opts:
        x, y = opts['--nose'].split(',')
        nose = (float(x), float(y))
    print(json.dumps(run_job(onset_path, apex_path, out_path, nose, opts.get('--flow-in'), opts.get('--flow-out'))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
