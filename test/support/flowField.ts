// A flow field from a function of the pixel position, for tests that need a known motion pattern.
import type { FlowField } from '../../src/core/native';

export function flowOf(width: number, height: number, f: (x: number, y: number) => [number, number]): FlowField {
  const u = new Float32Array(width * height);
  const v = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [a, b] = f(x, y);
      u[y * width + x] = a;
      v[y * width + x] = b;
    }
  return { width, height, u, v };
}
