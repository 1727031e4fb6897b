// Layer helpers shared by both nets. The graphs run NCHW inside (ONNX's Conv layout); the tfjs originals
// are NHWC, so the graph transposes once after normalisation. tfjs 'same' padding puts the odd extra
// pixel at the end, which is ONNX auto_pad SAME_UPPER.
import type { AttrValue, GraphBuilder } from './graph-builder';
import { convFilterToOnnx, depthwiseFilterToOnnx, take, type WeightMap } from './tfjs-weights';

/** NHWC pixels (0..255) -> (x - meanRgb) / 255 -> NCHW, as face-api's normalize() then div(255). */
export function normalizeInput(g: GraphBuilder, input: string, meanRgb: [number, number, number]): string {
  const mean = g.constant('mean_rgb', [1, 1, 1, 3], Float32Array.from(meanRgb));
  const scale = g.constant('pixel_scale', [], Float32Array.of(255));
  const centred = g.node('Sub', [input, mean]);
  const scaled = g.node('Div', [centred, scale]);
  return g.node('Transpose', [scaled], { perm: [0, 3, 1, 2] });
}

/** tf.conv2d(x, filters, stride, padding) + bias. */
export function conv(
  g: GraphBuilder,
  w: WeightMap,
  x: string,
  prefix: string,
  stride: number,
  padding: 'same' | 'valid',
): string {
  const f = convFilterToOnnx(take(w, `${prefix}/filters`, 4));
  const b = take(w, `${prefix}/bias`, 1);
  const fw = g.constant(`${prefix}/filters`, f.dims, f.data);
  const bw = g.constant(`${prefix}/bias`, b.shape, b.data);
  return g.node('Conv', [x, fw, bw], {
    kernel_shape: f.dims.slice(2),
    strides: [stride, stride],
    auto_pad: padding === 'same' ? 'SAME_UPPER' : 'VALID',
  });
}

/**
 * tf.separableConv2d(x, depthwise, pointwise, stride, padding) + bias: a grouped 3x3 Conv then a 1x1 Conv.
 * padding 'pad1' is tinyYolov2's explicit tf.pad of 1 followed by a 'valid' conv.
 */
export function separableConv(
  g: GraphBuilder,
  w: WeightMap,
  x: string,
  prefix: string,
  stride: number,
  padding: 'same' | 'pad1',
): string {
  const d = depthwiseFilterToOnnx(take(w, `${prefix}/depthwise_filter`, 4));
  const p = convFilterToOnnx(take(w, `${prefix}/pointwise_filter`, 4));
  const b = take(w, `${prefix}/bias`, 1);
  const dw = g.constant(`${prefix}/depthwise_filter`, d.dims, d.data);
  const pw = g.constant(`${prefix}/pointwise_filter`, p.dims, p.data);
  const bw = g.constant(`${prefix}/bias`, b.shape, b.data);
  const padAttrs: Record<string, AttrValue> = padding === 'same' ? { auto_pad: 'SAME_UPPER' } : { pads: [1, 1, 1, 1] };
  const depth = g.node('Conv', [x, dw], {
    group: d.dims[0],
    kernel_shape: d.dims.slice(2),
    strides: [stride, stride],
    ...padAttrs,
  });
  return g.node('Conv', [depth, pw, bw], { kernel_shape: [1, 1] });
}
