// A pool of worker threads that find faces and their nose tips (noseWorker.ts). onnxruntime-node runs a session
// synchronously on the thread that calls it: on the main thread, a dataset job's face detection (about
// 10-25 ms a frame) would be serial and would stall everything else on that thread. With the pool it
// runs on several cores at once and the calling thread only copies the frame and posts it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadedImage } from '../image';
import type { NoseLocator } from '../mmc';
import { FaceModelError } from './models';
import type { NoseJob, NoseReply } from './poolProtocol';
import type { FaceResult } from './types';

export interface NosePoolOptions {
  /** Most worker threads (default: one per core but one, at most 8). */
  size?: number;
  /** An idle worker is stopped after this long, releasing its models (default 10 s). */
  idleMs?: number;
}

export interface NosePool {
  readonly size: number;
  /** Same contract as detectFace: the largest face, null when there is none. */
  detect: (img: LoadedImage, signal?: AbortSignal) => Promise<FaceResult | null>;
  /** Same contract as locateNoseTip: landmark 30 of the largest face, null when there is none. */
  locate: NoseLocator;
  /** Workers running now (they start on demand and stop when idle). */
  running(): number;
  /** Stops every worker; frames still queued are rejected. */
  close(): Promise<void>;
}

export function defaultNosePoolSize(): number {
  return Math.max(1, Math.min(8, os.availableParallelism() - 1));
}

// How to start a worker, found once: bundled, dist/noseWorker.js beside the bundle; from sources (tests,
// scripts under tsx), the .ts file loaded through tsx's CommonJS hook, which a worker does not inherit
// from `--import tsx`.
let entry: { code: string; eval: boolean } | undefined;
function workerEntry(): { code: string; eval: boolean } {
  if (entry) return entry;
  const bundled = path.join(__dirname, 'noseWorker.js');
  const source = path.join(__dirname, 'noseWorker.ts');
  if (fs.existsSync(bundled)) entry = { code: bundled, eval: false };
  else if (fs.existsSync(source)) {
    const tsx = require.resolve('tsx/cjs/api');
    entry = { code: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, eval: true };
  } else {
    throw new FaceModelError(`the face-detection worker is missing (looked for ${bundled} and ${source}): reinstall the extension or run npm run build`);
  }
  return entry;
}

function startWorker(): Worker {
  const e = workerEntry();
  return new Worker(e.code, { eval: e.eval });
}

interface Pending {
  job: NoseJob;
  signal?: AbortSignal;
  resolve: (f: FaceResult | null) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending;
  idleTimer?: NodeJS.Timeout;
}

function replyError(e: { name: string; message: string }): Error {
  const err = e.name === 'FaceModelError' ? new FaceModelError(e.message) : new Error(e.message);
  if (e.name !== 'FaceModelError') err.name = e.name;
  return err;
}

export function createNosePool(opts: NosePoolOptions = {}): NosePool {
  const size = Math.max(1, Math.floor(opts.size ?? defaultNosePoolSize()));
  const idleMs = opts.idleMs ?? 10_000;
  const queue: Pending[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;

  const retire = (slot: Slot): void => {
    slots.delete(slot);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    void slot.worker.terminate();
  };

  const finish = (slot: Slot): void => {
    slot.current = undefined;
    slot.worker.unref(); // an idle worker must not keep the process alive
    pump();
    if (!slot.current && slots.has(slot)) {
      slot.idleTimer = setTimeout(() => retire(slot), idleMs);
      slot.idleTimer.unref();
    }
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: startWorker() };
    slot.worker.on('message', (reply: NoseReply) => {
      const p = slot.current;
      if (!p || p.job.id !== reply.id) return;
      if ('error' in reply) p.reject(replyError(reply.error));
      else p.resolve(p.signal?.aborted ? null : reply.face);
      finish(slot);
    });
    const lost = (why: string): void => {
      if (!slots.has(slot)) return;
      slots.delete(slot);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.current?.reject(new Error(`the face-detection worker stopped (${why}); the frame was not searched`));
      slot.current = undefined;
      pump(); // queued frames go to a new worker
    };
    slot.worker.on('error', (e) => lost(e.message));
    slot.worker.on('exit', (code) => lost(`exit code ${code}`));
    slots.add(slot);
    return slot;
  };

  const pump = (): void => {
    while (queue.length > 0) {
      let slot = [...slots].find((s) => !s.current);
      if (!slot && slots.size < size) {
        try {
          slot = spawn();
        } catch (e) {
          for (const p of queue.splice(0)) p.reject(e as Error);
          return;
        }
      }
      if (!slot) return;
      const p = queue.shift()!;
      if (p.signal?.aborted) {
        p.resolve(null);
        continue;
      }
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      slot.current = p;
      slot.worker.ref();
      slot.worker.postMessage(p.job, [p.job.data.buffer as ArrayBuffer]);
    }
  };

  const detect = (img: LoadedImage, signal?: AbortSignal): Promise<FaceResult | null> => {
    if (closed) return Promise.reject(new Error('the nose pool is closed'));
    if (signal?.aborted) return Promise.resolve(null);
    // A copy, moved to the worker: the caller keeps its frame.
    const job: NoseJob = { id: nextId++, width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
    return new Promise<FaceResult | null>((resolve, reject) => {
      queue.push({ job, signal, resolve, reject });
      pump();
    });
  };
  const locate: NoseLocator = async (onset, signal) => {
    const face = await detect(onset, signal);
    return face ? { x: face.nose.x, y: face.nose.y } : null;
  };

  return {
    size,
    detect,
    locate,
    running: () => slots.size,
    close: async () => {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('the nose pool is closed'));
      const all = [...slots];
      slots.clear();
      for (const s of all) {
        if (s.idleTimer) clearTimeout(s.idleTimer);
        s.current?.reject(new Error('the nose pool is closed'));
      }
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
