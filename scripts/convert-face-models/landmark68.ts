// face-api's FaceLandmark68Net (src/faceLandmarkNet + src/faceFeatureExtractor) as an ONNX graph:
// four dense blocks of separable convs (ReLU, residual sums), 7x7 average pool, one fully connected layer.
// Input  "input":     [N, 112, 112, 3] float RGB pixels 0..255 (the face crop, padded square and resized).
// Output "landmarks": [N, 136] x0, y0, x1, y1, ... relative to the 112x112 input (0..1).
import { GraphBuilder } from './graph-builder';
import { conv, normalizeInput, separableConv } from './layers';
import { take, type WeightMap } from './tfjs-weights';

export const LANDMARK_INPUT_SIZE = 112;
/** FaceFeatureExtractor's meanRgb. */
export const LANDMARK_MEAN_RGB: [number, number, number] = [122.782, 117.001, 104.298];

function denseBlock4(g: GraphBuilder, w: WeightMap, x: string, prefix: string, isFirstLayer: boolean): string {
  const out1 = g.node('Relu', [
    isFirstLayer ? conv(g, w, x, `${prefix}/conv0`, 2, 'same') : separableConv(g, w, x, `${prefix}/conv0`, 2, 'same'),
  ]);
  const out2 = separableConv(g, w, out1, `${prefix}/conv1`, 1, 'same');
  const in3 = g.node('Relu', [g.node('Add', [out1, out2])]);
  const out3 = separableConv(g, w, in3, `${prefix}/conv2`, 1, 'same');
  const in4 = g.node('Relu', [g.node('Add', [out1, g.node('Add', [out2, out3])])]);
  const out4 = separableConv(g, w, in4, `${prefix}/conv3`, 1, 'same');
  return g.node('Relu', [g.node('Add', [out1, g.node('Add', [out2, g.node('Add', [out3, out4])])])]);
}

export function buildLandmark68(w: WeightMap, metadata: Record<string, string>): Uint8Array {
  const g = new GraphBuilder();
  let x = normalizeInput(g, 'input', LANDMARK_MEAN_RGB);
  x = denseBlock4(g, w, x, 'dense0', true);
  x = denseBlock4(g, w, x, 'dense1', false);
  x = denseBlock4(g, w, x, 'dense2', false);
  x = denseBlock4(g, w, x, 'dense3', false);
  x = g.node('AveragePool', [x], { kernel_shape: [7, 7], strides: [2, 2] });
  x = g.node('Flatten', [x], { axis: 1 });
  const fcW = take(w, 'fc/weights', 2);
  const fcB = take(w, 'fc/bias', 1);
  const wName = g.constant('fc/weights', fcW.shape, fcW.data);
  const bName = g.constant('fc/bias', fcB.shape, fcB.data);
  g.node('Gemm', [x, wName, bName], {}, 'landmarks');
  const s = LANDMARK_INPUT_SIZE;
  return g.toModel({
    graphName: 'face_landmark_68',
    inputs: [['input', ['N', s, s, 3]]],
    outputs: [['landmarks', ['N', 136]]],
    docString:
      'face-api FaceLandmark68Net converted from tfjs. Input NHWC RGB 0..255, 112x112; output 68 (x, y) pairs relative to the input.',
    metadata,
  });
}
