// Square-resampling of an image region into a float NHWC RGB tensor, the way face-api feeds its nets:
// the region is zero-padded to a square (face-api's padToSquare) and scaled to the net's input size.
// Scaling is centre-aligned (like the canvas drawImage path face-api uses for images): area averaging when
// shrinking, so large images and faces do not alias, and bilinear when enlarging.

/** An 8-bit image, row-major, channels interleaved: 1 = grey, 3 = RGB, 4 = RGBA (alpha ignored). */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** Integer region of the image, inside its bounds. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the square's content sits: padding added before the region's left / top edge, in source pixels. */
export interface SquareLayout {
  side: number;
  padLeft: number;
  padTop: number;
}

/**
 * face-api padToSquare: detector input pads only after (right / bottom) the image; the landmark input
 * centres it, putting round(diff / 2) after and the rest before.
 */
export function squareLayout(width: number, height: number, centred: boolean): SquareLayout {
  const side = Math.max(width, height);
  const diff = side - Math.min(width, height);
  const before = centred ? diff - Math.round(diff / 2) : 0;
  return width < height ? { side, padLeft: before, padTop: 0 } : { side, padLeft: 0, padTop: height < width ? before : 0 };
}

interface Taps {
  /** Per output index: start offset into idx / w. */
  start: Int32Array;
  idx: Int32Array;
  w: Float32Array;
}

/**
 * 1-D resampling taps from a padded axis of length `side` to `out` samples. Source positions outside
 * [pad, pad + len) are padding (zero) and get no tap, so their weight is simply dropped.
 */
function makeTaps(side: number, pad: number, len: number, out: number): Taps {
  const scale = side / out;
  const idx: number[] = [];
  const w: number[] = [];
  const start = new Int32Array(out + 1);
  const push = (p: number, weight: number): void => {
    const local = p - pad;
    if (weight > 0 && local >= 0 && local < len) {
      idx.push(local);
      w.push(weight);
    }
  };
  for (let o = 0; o < out; o++) {
    start[o] = idx.length;
    if (scale > 1) {
      // Area average over the footprint [o * scale, (o + 1) * scale).
      const a = o * scale;
      const b = a + scale;
      for (let p = Math.floor(a); p < Math.ceil(b); p++) push(p, (Math.min(b, p + 1) - Math.max(a, p)) / scale);
    } else {
      // Bilinear at the output pixel centre, clamped to the padded square.
      const c = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), side - 1);
      const p0 = Math.floor(c);
      const p1 = Math.min(p0 + 1, side - 1);
      const f = c - p0;
      if (p1 === p0) push(p0, 1);
      else {
        push(p0, 1 - f);
        push(p1, f);
      }
    }
  }
  start[out] = idx.length;
  return { start, idx: Int32Array.from(idx), w: Float32Array.from(w) };
}

/**
 * Region of `img`, padded to a square per `layout`, resampled to out x out, as NHWC float32 RGB 0..255.
 * Grey input is replicated to the three channels.
 */
export function resampleSquare(img: RasterImage, region: Region, layout: SquareLayout, out: number): Float32Array {
  const xt = makeTaps(layout.side, layout.padLeft, region.width, out);
  const yt = makeTaps(layout.side, layout.padTop, region.height, out);
  const ch = img.channels;
  const src = img.data;
  const stride = img.width * ch;
  const width3 = out * 3;
  // Horizontal pass, once per source row that a vertical tap uses (rows are visited in increasing order).
  const rows: (Float32Array | undefined)[] = new Array(region.height);
  const horizontal = (ry: number): Float32Array => {
    const r = new Float32Array(width3);
    const base = (region.y + ry) * stride + region.x * ch;
    const { start, idx, w } = xt;
    for (let ox = 0; ox < out; ox++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      const end = start[ox + 1];
      if (ch === 1) {
        for (let k = start[ox]; k < end; k++) s0 += src[base + idx[k]] * w[k];
        s1 = s0;
        s2 = s0;
      } else {
        for (let k = start[ox]; k < end; k++) {
          const p = base + idx[k] * ch;
          const wt = w[k];
          s0 += src[p] * wt;
          s1 += src[p + 1] * wt;
          s2 += src[p + 2] * wt;
        }
      }
      r[ox * 3] = s0;
      r[ox * 3 + 1] = s1;
      r[ox * 3 + 2] = s2;
    }
    return r;
  };
  // Vertical pass: one sweep per output row over all its taps. The sum is rounded to float32 after each
  // tap, as accumulating tap by tap into the float32 output would round it.
  const dst = new Float32Array(out * width3);
  const tapRows: Float32Array[] = [];
  const tapW: number[] = [];
  let freed = 0;
  for (let oy = 0; oy < out; oy++) {
    const o = oy * width3;
    const k0 = yt.start[oy];
    const n = yt.start[oy + 1] - k0;
    tapRows.length = n;
    tapW.length = n;
    for (let t = 0; t < n; t++) {
      const ry = yt.idx[k0 + t];
      tapRows[t] = rows[ry] ??= horizontal(ry);
      tapW[t] = yt.w[k0 + t];
    }
    if (n === 1) {
      const r0 = tapRows[0];
      const w0 = tapW[0];
      for (let i = 0; i < width3; i++) dst[o + i] = r0[i] * w0;
    } else if (n === 2) {
      const r0 = tapRows[0];
      const r1 = tapRows[1];
      const w0 = tapW[0];
      const w1 = tapW[1];
      for (let i = 0; i < width3; i++) dst[o + i] = Math.fround(r0[i] * w0) + r1[i] * w1;
    } else if (n > 2) {
      for (let i = 0; i < width3; i++) {
        let acc = Math.fround(tapRows[0][i] * tapW[0]);
        for (let t = 1; t < n; t++) acc = Math.fround(acc + tapRows[t][i] * tapW[t]);
        dst[o + i] = acc;
      }
    }
    // Rows that no later output row uses can go (tap rows never decrease).
    const next = oy + 1 < out && yt.start[oy + 1] < yt.idx.length ? yt.idx[yt.start[oy + 1]] : region.height;
    for (; freed < next; freed++) rows[freed] = undefined;
  }
  return dst;
}
