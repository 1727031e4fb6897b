#!/usr/bin/python3
"""OpenCV's DualTVL1 (cv2.optflow, the reference of DESIGN.md section 2) on one image pair, timed in-process.

Usage: /usr/bin/python3 scripts/opencv_tvl1.py ONSET APEX OUT.flo [--runs N] [--params JSON]

Images are read as colour and turned into grey with cvtColor (BT.601, as the extension does). --params takes
the extension's parameter names (tau, lambda, theta, nscales, warps, epsilon, innerIterations,
outerIterations, scaleStep, gamma, medianFiltering); anything not given keeps OpenCV's default.
Prints one JSON object: times of each run in ms (python start-up and image loading excluded), the flow's
size, OpenCV's version and thread count, and the process's peak RSS before and after the runs.
A benchmark yardstick only; the extension never needs Python.
"""
import json
import os
import resource
import struct
import sys
import time

SETTERS = {
    'tau': 'setTau', 'lambda': 'setLambda', 'theta': 'setTheta', 'nscales': 'setScalesNumber',
    'warps': 'setWarpingsNumber', 'epsilon': 'setEpsilon', 'innerIterations': 'setInnerIterations',
    'outerIterations': 'setOuterIterations', 'scaleStep': 'setScaleStep', 'gamma': 'setGamma',
    'medianFiltering': 'setMedianFiltering',
}


def fail(msg: str) -> None:
    sys.stderr.write(f'opencv_tvl1.py: {msg}\n')
    sys.exit(1)


def write_flo(path: str, flow) -> None:
    h, w = flow.shape[:2]
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<fii', 202021.25, w, h))
        f.write(flow.astype('<f4').tobytes())
    os.replace(tmp, path)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def main(argv: list[str]) -> None:
    args = argv[1:]
    runs, params = 1, {}
    pos = []
    while args:
        a = args.pop(0)
        if a == '--runs':
            runs = int(args.pop(0))
        elif a == '--params':
            params = json.loads(args.pop(0))
        else:
            pos.append(a)
    if len(pos) != 3 or runs < 1:
        fail('usage: opencv_tvl1.py ONSET APEX OUT.flo [--runs N] [--params JSON]')
    try:
        import cv2
    except ImportError:
        fail('cv2 is missing: install Debian\'s python3-opencv (apt-get install -y python3-opencv)')
    onset, apex, out = pos
    grey = []
    for p in (onset, apex):
        img = cv2.imread(p, cv2.IMREAD_COLOR)
        if img is None:
            fail(f'{p}: cannot read the image')
        grey.append(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    if grey[0].shape != grey[1].shape:
        fail(f'{onset} and {apex} differ in size')
    tvl1 = cv2.optflow.DualTVL1OpticalFlow_create()
    for k, v in params.items():
        if k not in SETTERS:
            fail(f'unknown parameter {k!r} (known: {", ".join(SETTERS)})')
        getattr(tvl1, SETTERS[k])(v)
    rss_before = peak_rss_mb()
    times = []
    flow = None
    for _ in range(runs):
        t = time.perf_counter()
        flow = tvl1.calc(grey[0], grey[1], None)
        times.append((time.perf_counter() - t) * 1000.0)
    write_flo(out, flow)
    print(json.dumps({
        'timesMs': times,
        'width': int(flow.shape[1]),
        'height': int(flow.shape[0]),
        'opencv': cv2.__version__,
        'threads': cv2.getNumThreads(),
        'peakRssMbBefore': round(rss_before, 1),
        'peakRssMbAfter': round(peak_rss_mb(), 1),
    }))


if __name__ == '__main__':
    main(sys.argv)
