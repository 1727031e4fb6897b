// Synthetic clip data for the panel tests: flat-colour images whose pixels the tests can check,
// a region polygon, and a long FGMU-style answer.
import sharp from 'sharp';
import type { ClipView, HostMessage, Lane, SourceKind } from '../../src/shared/protocol';
import { chunkText } from '../../src/core/reasoning/reasoner';

export const W = 200;
export const H = 240;

export async function solidPng(rgb: [number, number, number], w = W, h = H): Promise<string> {
  const buf = await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return 'data:image/png;base64,' + buf.toString('base64');
}

/** Lower-left quarter of the image: where the test's "lipCornerL" region sits. */
export const LIP_REGION: [number, number][] = [
  [20, 150],
  [90, 150],
  [90, 220],
  [20, 220],
];

export async function testClip(over: Partial<ClipView> = {}): Promise<ClipView> {
  return {
    clipId: 'sub01/EP02_01f',
    title: 'sub01 / EP02_01f',
    ref: { kind: 'folder', folder: '/data/casme2/sub01/EP02_01f' },
    index: 2,
    total: 5,
    width: W,
    height: H,
    onset: await solidPng([128, 128, 128]),
    apex: await solidPng([40, 40, 200]),
    map: await solidPng([255, 0, 0]),
    flowOnly: await solidPng([0, 255, 0]),
    head: { u: 0.4, v: -0.2 },
    nose: { x: 100, y: 120 },
    landmarks: [
      [60, 80],
      [140, 80],
      [100, 120],
    ],
    regions: [
      { name: 'lipCornerL', points: LIP_REGION },
      { name: 'innerBrowL', points: [[110, 40], [160, 40], [160, 70], [110, 70]] },
    ],
    groundTruth: { emotion: 'happiness', aus: [{ au: 6 }, { au: 12 }] },
    warnings: [],
    mapInfo: { cached: true, ms: 12 },
    ...over,
  };
}

/** A Markdown answer of about `tokens` word-tokens in the FGMU section layout, split into deltas. */
export function longAnswer(tokens: number): { text: string; deltas: string[] } {
  const regions = ['forehead', 'inner brows', 'outer brows', 'upper eyelids', 'cheeks', 'nose wings', 'lip corners', 'chin'];
  const parts: string[] = ['## Visual inspection\n\n'];
  let i = 0;
  while (parts.join('').split(/\s+/).length < tokens - 20) {
    const r = regions[i % regions.length];
    parts.push(`- **${r}** (pass ${Math.floor(i / regions.length) + 1}): a *faint* patch of \`yellow-green\` colour, meaning slight downward motion of the ${r}; brightness is low.\n`);
    if (i % 6 === 5) parts.push('\n');
    i++;
  }
  parts.push('\n## Action unit inference\n\n1. AU6 cheek raiser\n2. AU12 lip corner puller\n\n## Final conclusion\n\nAUs: AU6 + AU12. Emotion: **happiness**.\n');
  const text = parts.join('');
  const deltas = text.match(/\S+\s*|\s+/g) ?? [];
  return { text, deltas };
}

/**
 * A flow for the test clip: (1.5, -0.5) px everywhere, except (0.4, -3.2) in LIP_REGION (a lip corner
 * moving up once the head vector (0.4, -0.2) is removed). int16 payload as the host sends it.
 */
export function testFlow(scale = 64): import('../../src/shared/protocol').FlowView {
  const buf = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inLip = x >= 20 && x < 90 && y >= 150 && y < 220;
      const [u, v] = inLip ? [0.4, -3.2] : [1.5, -0.5];
      buf.writeInt16LE(Math.round(u * scale), 4 * (y * W + x));
      buf.writeInt16LE(Math.round(v * scale), 4 * (y * W + x) + 2);
    }
  return { width: W, height: H, scale, data: buf.toString('base64') };
}

/** Region motion for the test clip: the lip corner moves up, the inner brow is still. */
export const TEST_MOTION: NonNullable<ClipView['motion']> = {
  background: 0.2,
  interOcular: 80,
  regions: [
    { name: 'lipCornerL', u: 0, v: -3, px: 3, direction: 'up', ratio: 15, intensity: 'strong', pixels: 4900 },
    { name: 'innerBrowL', u: 0.01, v: 0, px: 0.05, direction: 'right', ratio: 0.25, intensity: 'none', pixels: 1500 },
  ],
};

/** Frames 1..11 of a clip with onset 1 and apex 6, and a curve peaking at 6. */
export const TEST_FRAMES: NonNullable<ClipView['frames']> = {
  frames: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  onset: 1,
  apex: 6,
  apexFrom: 'annotation',
  curve: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((f) => ({ frame: f, magnitude: 1 - Math.abs(f - 6) / 6 })),
};

/** A whole answer as the host streams it to a lane: start, 24-character deltas, done. */
export function streamMessages(clipId: string, lane: Lane, label: string, kind: SourceKind, text: string, totalMs: number): HostMessage[] {
  return [
    { type: 'streamStart', clipId, lane, label, kind },
    ...chunkText(text, 24).map((t) => ({ type: 'streamDelta' as const, clipId, lane, text: t })),
    { type: 'streamDone', clipId, lane, stop: 'stop', incomplete: false, totalMs },
  ];
}
