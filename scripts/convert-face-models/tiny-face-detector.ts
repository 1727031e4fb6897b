// face-api's TinyFaceDetector (src/tinyFaceDetector + TinyYolov2Base.runMobilenet, separable-conv variant)
// as an ONNX graph. Decoding (sigmoid / anchors / NMS) stays in TypeScript, as in face-api.
// Input  "input": [1, H, W, 3] float RGB pixels 0..255, H and W multiples of 32 (face-api uses 416 x 416).
// Output "grid":  [1, H/32, W/32, 25] = 5 anchors x (tx, ty, tw, th, objectness logit), NHWC like tfjs.
import { GraphBuilder } from './graph-builder';
import { conv, normalizeInput, separableConv } from './layers';
import type { WeightMap } from './tfjs-weights';

/** tinyFaceDetector/const.ts MEAN_RGB. */
export const DETECTOR_MEAN_RGB: [number, number, number] = [117.001, 114.697, 97.404];

/** tinyYolov2 leaky(): relu(x - 0.1x) + 0.1x == LeakyRelu(alpha 0.1). */
function leaky(g: GraphBuilder, x: string): string {
  return g.node('LeakyRelu', [x], { alpha: { float: 0.1 } });
}

function maxPool(g: GraphBuilder, x: string, stride: number): string {
  return g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [stride, stride], auto_pad: 'SAME_UPPER' });
}

export function buildTinyFaceDetector(w: WeightMap, metadata: Record<string, string>): Uint8Array {
  const g = new GraphBuilder();
  let x = normalizeInput(g, 'input', DETECTOR_MEAN_RGB);
  x = leaky(g, conv(g, w, x, 'conv0', 1, 'valid'));
  x = maxPool(g, x, 2);
  for (const name of ['conv1', 'conv2', 'conv3', 'conv4']) {
    x = leaky(g, separableConv(g, w, x, name, 1, 'pad1'));
    x = maxPool(g, x, 2);
  }
  x = leaky(g, separableConv(g, w, x, 'conv5', 1, 'pad1'));
  x = maxPool(g, x, 1);
  x = conv(g, w, x, 'conv8', 1, 'valid');
  g.node('Transpose', [x], { perm: [0, 2, 3, 1] }, 'grid');
  return g.toModel({
    graphName: 'tiny_face_detector',
    inputs: [['input', [1, 'H', 'W', 3]]],
    outputs: [['grid', [1, 'GH', 'GW', 25]]],
    docString:
      'face-api TinyFaceDetector converted from tfjs. Input NHWC RGB 0..255 (H, W multiples of 32); output YOLO grid, 5 anchors x 5 values.',
    metadata,
  });
}
