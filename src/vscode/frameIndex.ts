// Which folders of the workspace hold frames, for the Explorer's MELLM submenu (context keys
// mellm.clipFolders / mellm.datasetFolders / mellm.frameFolders). Built by one bounded walk that reads
// directories only (no file is opened), then kept up to date from file-watcher events without re-walking.
// No 'vscode' import: tested directly.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export const FRAME_EXT = /\.(png|jpe?g|bmp|tiff?|webp)$/i;
/** Folders never walked: hidden ones (.git, .mellm), installed packages, and our own export output. */
const SKIP = (name: string) => name.startsWith('.') || name === 'node_modules' || name === 'mellm-reports' || name === '__pycache__';

export interface FrameIndexLimits {
  /** Deepest folder looked at below a root (CASME II's frames sit 3 levels down). */
  maxDepth: number;
  /** Folders read per walk: a huge workspace is indexed partly rather than stalling the host. */
  maxDirs: number;
}
const DEFAULT_LIMITS: FrameIndexLimits = { maxDepth: 8, maxDirs: 20_000 };

export interface FrameFolders {
  /** Folders holding at least two frames (a clip: onset/apex, two images, or a sequence). */
  clips: string[];
  /** Folders below a root that hold clip folders (datasets, subjects). Never a root itself. */
  datasets: string[];
}

export class FrameIndex {
  private readonly clipDirs = new Set<string>();
  private readonly roots = new Set<string>();
  /** True when a walk stopped at maxDirs (reported in the log). */
  truncated = false;

  constructor(private readonly limits: FrameIndexLimits = DEFAULT_LIMITS) {}

  /** Walk `root` (a workspace folder) breadth-first, replacing what was known below it. */
  async addRoot(root: string): Promise<void> {
    root = path.resolve(root);
    this.roots.add(root);
    this.dropUnder(root);
    await this.walk(root, 0);
  }

  removeRoot(root: string): void {
    root = path.resolve(root);
    this.roots.delete(root);
    this.dropUnder(root);
  }

  /** A file or folder appeared (watcher onDidCreate). */
  async created(p: string): Promise<void> {
    p = path.resolve(p);
    const root = this.rootOf(p);
    if (!root || this.skipped(root, p)) return;
    const st = await fs.stat(p).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) await this.walk(p, depthBelow(root, p));
    else if (FRAME_EXT.test(p)) await this.recheck(path.dirname(p));
  }

  /** A file or folder went away (watcher onDidDelete; a deleted folder reports only itself). */
  async deleted(p: string): Promise<void> {
    p = path.resolve(p);
    this.dropUnder(p);
    if (FRAME_EXT.test(p)) await this.recheck(path.dirname(p));
  }

  folders(): FrameFolders {
    const clips = [...this.clipDirs].sort();
    const datasets = new Set<string>();
    for (const c of clips) {
      const root = this.rootOf(c);
      if (!root) continue;
      for (let d = path.dirname(c); d !== root && d.startsWith(root + path.sep); d = path.dirname(d)) {
        if (datasets.has(d)) break;
        datasets.add(d);
      }
    }
    return { clips, datasets: [...datasets].sort() };
  }

  private rootOf(p: string): string | undefined {
    let best: string | undefined;
    for (const r of this.roots) if ((p === r || p.startsWith(r + path.sep)) && (!best || r.length > best.length)) best = r;
    return best;
  }

  private skipped(root: string, p: string): boolean {
    return path.relative(root, p).split(path.sep).some((part) => part !== '' && SKIP(part));
  }

  private dropUnder(p: string): void {
    for (const d of this.clipDirs) if (d === p || d.startsWith(p + path.sep)) this.clipDirs.delete(d);
  }

  /** Is `dir` (still) a clip folder? One readdir. */
  private async recheck(dir: string): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => null);
    if (entries && countFrames(entries) >= 2) this.clipDirs.add(dir);
    else this.clipDirs.delete(dir);
  }

  private async walk(start: string, startDepth: number): Promise<void> {
    let level = [start];
    let read = 0;
    for (let depth = startDepth; level.length > 0 && depth <= this.limits.maxDepth; depth++) {
      const next: string[] = [];
      for (const dir of level) {
        if (++read > this.limits.maxDirs) {
          this.truncated = true;
          return;
        }
        const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => null);
        if (!entries) continue;
        if (countFrames(entries) >= 2) this.clipDirs.add(dir);
        else this.clipDirs.delete(dir);
        for (const e of entries) if (e.isDirectory() && !SKIP(e.name)) next.push(path.join(dir, e.name));
      }
      level = next;
    }
  }
}

function countFrames(entries: { name: string; isFile(): boolean; isSymbolicLink(): boolean }[]): number {
  let n = 0;
  for (const e of entries) if ((e.isFile() || e.isSymbolicLink()) && FRAME_EXT.test(e.name) && ++n >= 2) break;
  return n;
}

function depthBelow(root: string, p: string): number {
  const rel = path.relative(root, p);
  return rel === '' ? 0 : rel.split(path.sep).length;
}

/** Context-key values: objects keyed by path, so `resourcePath in key` is a property lookup. */
export function contextValues(f: FrameFolders): { clips: Record<string, true>; datasets: Record<string, true>; frames: Record<string, true> } {
  const obj = (xs: string[]) => Object.fromEntries(xs.map((x) => [x, true] as const)) as Record<string, true>;
  return { clips: obj(f.clips), datasets: obj(f.datasets), frames: obj([...f.clips, ...f.datasets]) };
}
