// Dev tool for labelling the face set (docs/face-set.md, "How the labels were made"). A labeller reads points off
// enlarged views with a coordinate grid, then checks each point on zoomed crosshair insets, in VIEW coordinates:
// each pass draws every face's window at its own random offset, kept in a secret file the labeller does not read,
// so the numbers of one pass (or of an older label file) give no hint in the next. No model runs here.
//   node --import tsx scripts/face-set-label.ts view  PASS ID            -> WORK/pPASS/ID-view.png
//   node --import tsx scripts/face-set-label.ts set   PASS ID eyeR=u,v eyeL=u,v nose=u,v   (any subset)
//   node --import tsx scripts/face-set-label.ts check PASS ID...         -> WORK/pPASS/check-<first ID>.png
//   node --import tsx scripts/face-set-label.ts merge OUT.json           -> source coordinates of both passes,
//                                                                           their differences and their mean
// WORK is $FACE_LABEL_WORK (default /tmp/face-label). Rough windows (face centre, inter-ocular distance, optional
// clip rectangle) come from WORK/rough.json: {sources: {key: "package/path"}, faces: {id: {source, cx, cy, iod, clip?}}}.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import sharp from 'sharp';
import { photoPath } from '../test/face/faceSet';

type Pt = [number, number];
const NAMES = ['eyeR', 'eyeL', 'nose'] as const;
type Name = (typeof NAMES)[number];

interface Rough {
  source: string;
  cx: number;
  cy: number;
  iod: number;
  clip?: [number, number, number, number];
  tags?: string[];
}
interface RoughFile {
  sources: Record<string, string>;
  faces: Record<string, Rough>;
}
/** Per pass and face: the hidden window origin (source px) and the points read in view coordinates. */
interface PassFile {
  origin: Record<string, Pt>;
  points: Record<string, Partial<Record<Name, Pt>>>;
}

const WORK = process.env.FACE_LABEL_WORK ?? '/tmp/face-label';
const readJson = <T>(p: string, dflt: T): T => (existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : dflt);
function writeJson(p: string, v: unknown): void {
  writeFileSync(`${p}.tmp`, JSON.stringify(v, null, 1));
  renameSync(`${p}.tmp`, p);
}
const rough = (): RoughFile => readJson<RoughFile>(join(WORK, 'rough.json'), { sources: {}, faces: {} });
const passPath = (pass: string): string => join(WORK, `secret-pass${pass}.json`);
const loadPass = (pass: string): PassFile => readJson<PassFile>(passPath(pass), { origin: {}, points: {} });

/** The view window of a face in this pass: 2.0 x 2.0 inter-ocular distances, origin jittered by up to 0.2 of it. */
function windowOf(pass: string, id: string): { x0: number; y0: number; w: number; h: number; r: Rough } {
  const r = rough().faces[id];
  if (!r) throw new Error(`no rough window for ${id} in ${join(WORK, 'rough.json')}`);
  const p = loadPass(pass);
  const w = Math.round(2.0 * r.iod);
  const h = Math.round(2.0 * r.iod);
  if (!p.origin[id]) {
    const j = Math.max(2, Math.round(0.2 * r.iod));
    p.origin[id] = [Math.round(r.cx - w / 2) + randomInt(-j, j + 1), Math.round(r.cy - 0.45 * h) + randomInt(-j, j + 1)];
    writeJson(passPath(pass), p);
  }
  const [x0, y0] = p.origin[id];
  return { x0, y0, w, h, r };
}

async function photoOf(r: Rough): Promise<{ data: Buffer; width: number; height: number }> {
  const spec = rough().sources[r.source];
  const { data, info } = await sharp(photoPath(spec)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * A window of the photo (view coordinates u = x - x0, v = y - y0), enlarged z times with bicubic resampling
 * (display d = (u + 0.5) z - 0.5), outside the photo or the clip rectangle filled black, with a grid every
 * `minor` view px and labels on every `major` line. Returns a PNG buffer.
 */
async function render(
  r: Rough,
  x0: number,
  y0: number,
  u0: number,
  v0: number,
  w: number,
  h: number,
  z: number,
  minor: number,
  major: number,
  marks: Pt[],
): Promise<Buffer> {
  const src = await photoOf(r);
  const [cl, ct, cw, ch] = r.clip ?? [0, 0, src.width, src.height];
  const W = Math.round(w * z);
  const H = Math.round(h * z);
  // Cut a padded rectangle (black outside the photo / clip), then enlarge.
  const pad = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = y0 + v0 + y;
    if (sy < ct || sy >= ct + ch || sy < 0 || sy >= src.height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x0 + u0 + x;
      if (sx < cl || sx >= cl + cw || sx < 0 || sx >= src.width) continue;
      src.data.copy(pad, (y * w + x) * 3, (sy * src.width + sx) * 3, (sy * src.width + sx) * 3 + 3);
    }
  }
  const big = await sharp(pad, { raw: { width: w, height: h, channels: 3 } }).resize(W, H, { kernel: 'cubic', fit: 'fill' }).png().toBuffer();
  const d = (u: number): number => (u - u0 + 0.5) * z - 0.5;
  const lines: string[] = [];
  const first = (a: number): number => Math.ceil(a / minor) * minor;
  for (let u = first(u0); u <= u0 + w; u += minor) {
    const isMajor = u % major === 0;
    lines.push(`<line x1="${d(u)}" y1="0" x2="${d(u)}" y2="${H}" stroke="${isMajor ? '#ffff00' : '#00ffff'}" stroke-opacity="${isMajor ? 0.45 : 0.18}" stroke-width="1"/>`);
    if (isMajor) {
      for (const ty of [11, H - 3]) lines.push(`<text x="${d(u) + 2}" y="${ty}" font-size="11" fill="#ffff00" stroke="#000" stroke-width="2.5" paint-order="stroke" font-family="sans-serif">${u}</text>`);
    }
  }
  for (let v = first(v0); v <= v0 + h; v += minor) {
    const isMajor = v % major === 0;
    lines.push(`<line x1="0" y1="${d(v - v0 + u0)}" x2="${W}" y2="${d(v - v0 + u0)}" stroke="${isMajor ? '#ffff00' : '#00ffff'}" stroke-opacity="${isMajor ? 0.45 : 0.18}" stroke-width="1"/>`);
    if (isMajor) {
      for (const tx of [2, W - 26]) lines.push(`<text x="${tx}" y="${d(v - v0 + u0) - 2}" font-size="11" fill="#ffff00" stroke="#000" stroke-width="2.5" paint-order="stroke" font-family="sans-serif">${v}</text>`);
    }
  }
  for (const [mu, mv] of marks) {
    const x = d(mu);
    const y = d(mv - v0 + u0);
    const a = 22;
    const g = 5;
    for (const [c, sw] of [['#000', 3], ['#ff00ff', 1]] as const) {
      lines.push(
        `<path d="M${x - a},${y}H${x - g}M${x + g},${y}H${x + a}M${x},${y - a}V${y - g}M${x},${y + g}V${y + a}" stroke="${c}" stroke-width="${sw}" fill="none"/>`,
      );
    }
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${lines.join('')}</svg>`);
  return sharp(big).composite([{ input: svg, top: 0, left: 0 }]).png().toBuffer();
}

/** Minor / labelled grid spacing in view px: minor lines at least `gap` display px apart. */
function gridFor(z: number, gap: number): [number, number] {
  for (const [m, M] of [[1, 5], [2, 10], [5, 10], [5, 25], [10, 50]] as const) if (m * z >= gap) return [m, M];
  return [20, 100];
}

async function view(pass: string, id: string): Promise<void> {
  const { x0, y0, w, h, r } = windowOf(pass, id);
  const z = Math.min(12, 1000 / w);
  const [m, M] = gridFor(z, 28);
  const png = await render(r, x0, y0, 0, 0, w, h, z, m, M, []);
  mkdirSync(join(WORK, `p${pass}`), { recursive: true });
  const out = join(WORK, `p${pass}`, `${id}-view.png`);
  writeFileSync(out, png);
  process.stdout.write(`${out} (${w}x${h} view px, zoom ${z.toFixed(2)}, grid ${m}/${M})\n`);
}

/** Three insets per face (each eye, the nose; 0.44 / 0.6 inter-ocular distances across) and the whole view with all marks. */
async function check(pass: string, ids: string[]): Promise<void> {
  const S = 300;
  const rows: Buffer[] = [];
  for (const id of ids) {
    const { x0, y0, w, h, r } = windowOf(pass, id);
    const pts = loadPass(pass).points[id] ?? {};
    const tiles: Buffer[] = [];
    for (const n of NAMES) {
      const p = pts[n];
      const span = Math.round((n === 'nose' ? 0.6 : 0.44) * r.iod);
      const c: Pt = p ?? [w / 2, h / 2];
      const u0 = Math.round(c[0] - span / 2);
      const v0 = Math.round(c[1] - span / 2);
      const z = S / span;
      const [m, M] = gridFor(z, 14);
      tiles.push(await render(r, x0, y0, u0, v0, span, span, z, m, M, p ? [p] : []));
    }
    const z = S / Math.max(w, h) * 1.0;
    tiles.push(await render(r, x0, y0, 0, 0, w, h, z, 1000, 1000, NAMES.flatMap((n) => (pts[n] ? [pts[n] as Pt] : []))));
    const row = await sharp({ create: { width: 4 * S + 30, height: S + 16, channels: 3, background: '#202020' } })
      .composite([
        ...tiles.map((t, i) => ({ input: t, left: i * (S + 10), top: 16 })),
        { input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${4 * S}" height="16"><text x="2" y="12" font-size="12" fill="#fff" font-family="sans-serif">${id}: eyeR | eyeL | nose | all</text></svg>`), left: 0, top: 0 },
      ])
      .png()
      .toBuffer();
    rows.push(row);
  }
  const H = rows.length * (S + 16);
  const sheet = await sharp({ create: { width: 4 * S + 30, height: H, channels: 3, background: '#000' } })
    .composite(rows.map((b, i) => ({ input: b, left: 0, top: i * (S + 16) })))
    .png()
    .toBuffer();
  mkdirSync(join(WORK, `p${pass}`), { recursive: true });
  const out = join(WORK, `p${pass}`, `check-${ids[0]}.png`);
  writeFileSync(out, sheet);
  process.stdout.write(`${out}\n`);
}

/** Up to four views, 2 x 2, each 560 px wide with a labelled grid: for reading first points of several faces at once. */
async function sheet(pass: string, ids: string[]): Promise<void> {
  const S = 560;
  const tiles: Array<{ input: Buffer; left: number; top: number }> = [];
  let top = 0;
  for (let i = 0; i < ids.length; i += 2) {
    let rowH = 0;
    for (let k = 0; k < 2 && i + k < ids.length; k++) {
      const id = ids[i + k];
      const { x0, y0, w, h, r } = windowOf(pass, id);
      const z = S / w;
      const [m, M] = gridFor(z, 26);
      const img = await render(r, x0, y0, 0, 0, w, h, z, m, M, []);
      const label = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="18"><rect width="${S}" height="18" fill="#000"/><text x="4" y="13" font-size="13" fill="#fff" font-family="sans-serif">${id}</text></svg>`);
      tiles.push({ input: label, left: k * (S + 12), top }, { input: img, left: k * (S + 12), top: top + 18 });
      rowH = Math.max(rowH, Math.round(h * z) + 24);
    }
    top += rowH;
  }
  const out = join(WORK, `p${pass}`, `sheet-${ids[0]}.png`);
  mkdirSync(join(WORK, `p${pass}`), { recursive: true });
  await sharp({ create: { width: 2 * S + 12, height: top, channels: 3, background: '#303030' } }).composite(tiles).png().toFile(out);
  process.stdout.write(`${out}\n`);
}

function set(pass: string, id: string, args: string[]): void {
  windowOf(pass, id);
  const p = loadPass(pass);
  const pts = (p.points[id] ??= {});
  for (const a of args) {
    const m = /^(eyeR|eyeL|nose)=(-?[\d.]+),(-?[\d.]+)$/.exec(a);
    if (!m) throw new Error(`bad point ${a} (want eyeR=u,v)`);
    pts[m[1] as Name] = [Number(m[2]), Number(m[3])];
  }
  writeJson(passPath(pass), p);
  process.stdout.write(`${id}: ${NAMES.filter((n) => pts[n]).join(', ')} set in pass ${pass}\n`);
}

/** Source coordinates of both passes, their differences in % of the inter-ocular distance (the mean pass's), and the mean. */
function merge(outPath: string): void {
  const rf = rough();
  const passes = ['1', '2'].map(loadPass);
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const id of Object.keys(rf.faces)) {
    const src = passes.map((p) => {
      const pts = p.points[id];
      const o = p.origin[id];
      if (!pts || !o || NAMES.some((n) => !pts[n])) return null;
      return Object.fromEntries(NAMES.map((n) => [n, [(pts[n] as Pt)[0] + o[0], (pts[n] as Pt)[1] + o[1]]])) as Record<Name, Pt>;
    });
    if (src.some((s) => !s)) {
      lines.push(`${id}: incomplete`);
      continue;
    }
    const [a, b] = src as Array<Record<Name, Pt>>;
    const mean = Object.fromEntries(NAMES.map((n) => [n, [(a[n][0] + b[n][0]) / 2, (a[n][1] + b[n][1]) / 2]])) as Record<Name, Pt>;
    const iod = Math.hypot(mean.eyeL[0] - mean.eyeR[0], mean.eyeL[1] - mean.eyeR[1]);
    const diff = Object.fromEntries(NAMES.map((n) => [n, (Math.hypot(a[n][0] - b[n][0], a[n][1] - b[n][1]) / iod) * 100])) as Record<Name, number>;
    out[id] = { pass1: a, pass2: b, mean, diffPctIod: diff };
    lines.push(`${id}: diff % IOD eyeR ${diff.eyeR.toFixed(1)} eyeL ${diff.eyeL.toFixed(1)} nose ${diff.nose.toFixed(1)}`);
  }
  writeJson(outPath, out);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'view') await view(rest[0], rest[1]);
  else if (cmd === 'check') await check(rest[0], rest.slice(1));
  else if (cmd === 'sheet') await sheet(rest[0], rest.slice(1));
  else if (cmd === 'set') set(rest[0], rest[1], rest.slice(2));
  else if (cmd === 'merge') merge(rest[0]);
  else throw new Error('usage: face-set-label.ts view|check|set|merge ...');
}

main().catch((e: unknown) => {
  process.stderr.write(`face-set-label: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
