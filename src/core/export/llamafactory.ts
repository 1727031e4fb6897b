// `mellm export DATASET --format llamafactory`: the instruction-following MEU dataset of paper III-E as
// LLaMA-Factory reads it (ShareGPT-style JSON with an `images` list, plus a dataset_info.json entry per
// split). One MEU sample per annotated clip (MMC-Map + FGMU prompt + grounded four-part answer), MER
// samples (same image, emotion word only) mixed in at a given ratio (paper III-F). The prompt is a preset
// (default 'authors': main.py's prompt byte for byte, after the "<image>" placeholder as main.py writes it);
// every sample names its preset and SHA-256. No face: the image is the plain 1-channel grey onset, as the
// authors' preprocess.py returns it (recorded per clip; noFace 'skip' leaves such clips out). Splits never share
// a subject; DFME-style TestA/TestB splits named by the annotations are kept. Clips that fail (missing frames)
// are reported and left out; every file is written atomically.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeStaleTemps, writeFileAtomic } from '../atomicWrite';
import { PROTOCOL_CLASSES, isProtocolId, type ProtocolId } from '../emotions';
import { runPool } from '../dataset/pool';
import { scanDataset } from '../dataset/scan';
import { spotApex } from '../dataset/apex';
import { protocolSubset } from '../dataset/protocol';
import type { Clip, DatasetKind } from '../dataset/types';
import { mmcPng } from '../mmc';
import type { Device } from '../native';
import { DEFAULT_PROMPT_PRESET, resolvePrompt, type PromptPreset } from '../reasoning/prompts';
import { measurePairMotion } from '../reasoning/pairMotion';
import { writeMerAnswer, writeTrainingAnswer, type Lang } from './answer';

export interface SplitShare {
  name: string;
  fraction: number;
}

export interface ExportOptions {
  out: string;
  lang: Lang;
  /** MER samples per MEU sample (0 = none; 0.5 = one MER for every two MEU). */
  merRatio: number;
  /** Subject-level split of the clips the annotations do not assign; default everything in "train". */
  split: SplitShare[];
  /** Keep only the protocol's clips (the MER samples' class line lists its classes). */
  protocol?: ProtocolId;
  /** The prompt preset of the samples (default 'authors'). */
  prompt?: PromptPreset;
  /** Clips without a face: 'grey' (default) exports the grey onset as preprocess.py gives it; 'skip' leaves them out. */
  noFace?: 'grey' | 'skip';
  jobs?: number;
  device?: Device;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, clipId: string) => void;
}

export interface ShareGptSample {
  messages: { role: 'user' | 'assistant'; content: string }[];
  images: string[];
  /** Not read by LLaMA-Factory; kept so a sample can be traced to its clip. */
  meta: {
    clip: string;
    subject: string;
    task: 'meu' | 'mer';
    emotion: string;
    aus: string;
    /** The prompt preset and the SHA-256 of the user text after "<image>". */
    prompt: string;
    promptSha256: string;
    /** 'grey-onset': no face, the image is the plain grey onset. */
    image: 'mmc' | 'grey-onset';
  };
}

export interface ExportReport {
  dataset: string;
  kind: DatasetKind;
  lang: Lang;
  protocol: ProtocolId | null;
  prompt: { preset: PromptPreset; meuSha256: string; merSha256: string; meuBytes: number; merBytes: number };
  /** Clips exported with the plain grey onset because no face was found (noFace 'grey'). */
  noFace: string[];
  splits: Record<string, { file: string; meu: number; mer: number; subjects: string[] }>;
  failures: { clip: string; message: string }[];
  excluded: { clip: string; reason: string }[];
  warnings: string[];
}

/** "train=0.8,val=0.1,test=0.1" -> shares (normalised); "train" -> everything in train. */
export function parseSplitSpec(spec: string): SplitShare[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`--split is empty: use e.g. train=0.8,val=0.1,test=0.1`);
  const shares = parts.map((p) => {
    const [name, frac] = p.split('=');
    if (!/^[A-Za-z][\w-]*$/.test(name ?? '')) throw new Error(`--split: '${p}' is not NAME=FRACTION (e.g. train=0.8)`);
    const f = frac === undefined ? 1 : Number(frac);
    if (!Number.isFinite(f) || f <= 0) throw new Error(`--split: the fraction of '${name}' must be a positive number`);
    return { name, fraction: f };
  });
  if (new Set(shares.map((s) => s.name)).size !== shares.length) throw new Error('--split names a split twice');
  const total = shares.reduce((s, x) => s + x.fraction, 0);
  return shares.map((s) => ({ name: s.name, fraction: s.fraction / total }));
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Subjects to splits: subjects in a stable pseudo-random order (hash of the name), each given whole to
 * the split furthest below its share of clips. No subject lands in two splits.
 */
export function assignSubjects(clips: readonly { subject: string }[], shares: readonly SplitShare[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const c of clips) counts.set(c.subject, (counts.get(c.subject) ?? 0) + 1);
  const subjects = [...counts.keys()].sort((a, b) => hash(a).localeCompare(hash(b)));
  const total = clips.length;
  const filled = new Map(shares.map((s) => [s.name, 0]));
  const out = new Map<string, string>();
  for (const s of subjects) {
    const target = shares
      .map((sh) => ({ name: sh.name, deficit: sh.fraction * total - filled.get(sh.name)! }))
      .sort((a, b) => b.deficit - a.deficit)[0];
    out.set(s, target.name);
    filled.set(target.name, filled.get(target.name)! + counts.get(s)!);
  }
  return out;
}

function imageName(clip: Clip): string {
  const safe = clip.id.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${safe}-${hash(clip.id).slice(0, 8)}.png`;
}

function datasetInfoEntry(file: string): Record<string, unknown> {
  return {
    file_name: file,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images' },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
  };
}

export async function exportLlamaFactory(datasetDir: string, opts: ExportOptions): Promise<ExportReport> {
  const scan = await scanDataset(datasetDir);
  const protocol = opts.protocol ?? null;
  const report: ExportReport = {
    dataset: scan.dataset,
    kind: scan.kind,
    lang: opts.lang,
    protocol,
    prompt: { preset: opts.prompt ?? DEFAULT_PROMPT_PRESET, meuSha256: '', merSha256: '', meuBytes: 0, merBytes: 0 },
    noFace: [],
    splits: {},
    failures: scan.errors.map((e) => ({ clip: e.id, message: e.message })),
    excluded: [],
    warnings: [...scan.warnings],
  };
  let clips = scan.clips.filter((c) => {
    if (!c.emotion) report.excluded.push({ clip: c.id, reason: 'no emotion label' });
    return c.emotion !== null;
  });
  if (protocol) {
    const subset = protocolSubset(protocol, clips, []);
    const keep = new Set(subset.included);
    for (const e of subset.excluded) report.excluded.push({ clip: e.id, reason: e.reason });
    clips = clips.filter((c) => keep.has(c.id));
  }
  const preset = opts.prompt ?? DEFAULT_PROMPT_PRESET;
  const classes = protocol ? PROTOCOL_CLASSES[protocol] : undefined;
  const meu = resolvePrompt({ preset, task: 'meu', classes });
  const mer = resolvePrompt({ preset, task: 'mer', classes });
  const meuPrompt = meu.text;
  const merPrompt = mer.text;
  report.prompt = { preset, meuSha256: meu.sha256, merSha256: mer.sha256, meuBytes: meu.bytes, merBytes: mer.bytes };

  // Splits: what the annotations name (DFME TestA/TestB) is kept; the rest is split by subject.
  const named = clips.filter((c) => c.split && !/^train$/i.test(c.split));
  const rest = clips.filter((c) => !(c.split && !/^train$/i.test(c.split)));
  const bySubject = assignSubjects(rest, opts.split);
  const splitOf = (c: Clip): string => (c.split && !/^train$/i.test(c.split) ? c.split.toLowerCase().replace(/[^a-z0-9]+/g, '') : bySubject.get(c.subject)!);
  const clash = named.filter((c) => bySubject.has(c.subject));
  if (clash.length > 0) {
    report.warnings.push(
      `${clash.length} clip(s) of subjects that also appear in training data are kept in their annotated split (${[...new Set(clash.map((c) => c.subject))].slice(0, 5).join(', ')})`,
    );
  }

  const imagesDir = path.join(opts.out, 'images');
  await mkdir(imagesDir, { recursive: true });
  await removeStaleTemps(opts.out, 1);
  const done: { clip: Clip; image: string; answer: string; output: 'mmc' | 'grey-onset' }[] = [];
  let finished = 0;
  const jobs = opts.jobs ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  await runPool(
    clips,
    jobs,
    async (clip) => {
      try {
        let apexFile = clip.apex?.file;
        if (!apexFile) apexFile = (await spotApex(clip, { device: opts.device, signal: opts.signal })).apex.file;
        const pm = await measurePairMotion({ onset: clip.onset.file, apex: apexFile, device: opts.device, threads: 1, signal: opts.signal, noFace: 'grey' });
        if (!pm.face && opts.noFace === 'skip') throw new Error(`no face found on the onset frame ${clip.onset.file} (left out: --no-face skip)`);
        const image = path.posix.join('images', imageName(clip));
        // No face: preprocess.py's plain 1-channel grey onset, with an answer that says the image shows no motion.
        await writeFileAtomic(path.join(opts.out, image), await mmcPng(pm.mmc));
        const answer = writeTrainingAnswer({ aus: clip.aus, emotion: clip.emotion!, motion: pm.face ? pm.motion : null, lang: opts.lang });
        if (pm.mmc.output === 'grey-onset') report.noFace.push(clip.id);
        done.push({ clip, image, answer, output: pm.mmc.output });
      } catch (e) {
        if (opts.signal?.aborted) return;
        report.failures.push({ clip: clip.id, message: e instanceof Error ? e.message : String(e) });
      } finally {
        finished += 1;
        opts.onProgress?.(finished, clips.length, clip.id);
      }
    },
    opts.signal,
  );
  if (opts.signal?.aborted) throw Object.assign(new Error('export cancelled'), { name: 'CancelledError' });

  // Stable order: by clip id, whatever order the pool finished in.
  done.sort((a, b) => a.clip.id.localeCompare(b.clip.id));
  const groups = new Map<string, typeof done>();
  for (const d of done) {
    const s = splitOf(d.clip);
    groups.set(s, [...(groups.get(s) ?? []), d]);
  }
  const infoPath = path.join(opts.out, 'dataset_info.json');
  let info: Record<string, unknown> = {};
  try {
    info = JSON.parse(await readFile(infoPath, 'utf8')) as Record<string, unknown>;
  } catch {
    // no earlier dataset_info.json: start a new one
  }
  for (const [split, items] of [...groups.entries()].sort()) {
    const samples: ShareGptSample[] = [];
    const meta = (d: (typeof done)[number], task: 'meu' | 'mer'): ShareGptSample['meta'] => ({
      clip: d.clip.id,
      subject: d.clip.subject,
      task,
      emotion: d.clip.emotion!,
      aus: d.clip.ausRaw,
      prompt: preset,
      promptSha256: task === 'meu' ? meu.sha256 : mer.sha256,
      image: d.output,
    });
    for (const d of items) {
      samples.push({
        messages: [
          { role: 'user', content: `<image>${meuPrompt}` },
          { role: 'assistant', content: d.answer },
        ],
        images: [d.image],
        meta: meta(d, 'meu'),
      });
    }
    // MER samples: the clips with the smallest hash, so the choice is stable and spread over subjects.
    const merCount = Math.min(items.length, Math.round(items.length * opts.merRatio));
    const merClips = [...items].sort((a, b) => hash(`mer:${a.clip.id}`).localeCompare(hash(`mer:${b.clip.id}`))).slice(0, merCount);
    for (const d of merClips) {
      samples.push({
        messages: [
          { role: 'user', content: `<image>${merPrompt}` },
          { role: 'assistant', content: writeMerAnswer(d.clip.emotion!, opts.lang) },
        ],
        images: [d.image],
        meta: meta(d, 'mer'),
      });
    }
    const name = `mellm_${split}`;
    const file = `${name}.json`;
    await writeFileAtomic(path.join(opts.out, file), JSON.stringify(samples, null, 1) + '\n');
    info[name] = datasetInfoEntry(file);
    report.splits[split] = { file, meu: items.length, mer: merCount, subjects: [...new Set(items.map((d) => d.clip.subject))].sort() };
  }
  await writeFileAtomic(infoPath, JSON.stringify(info, null, 2) + '\n');
  report.failures.sort((a, b) => a.clip.localeCompare(b.clip));
  report.noFace.sort();
  await writeFileAtomic(path.join(opts.out, 'export-report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

export function parseProtocol(p: string | undefined): ProtocolId | undefined {
  if (p === undefined) return undefined;
  if (!isProtocolId(p)) throw new Error(`--protocol must be casme2, casme3a or dfme, got '${p}'`);
  return p;
}
