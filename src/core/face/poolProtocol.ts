// Messages between the nose pool and its worker threads.
import type { FaceResult } from './types';

/** One onset frame to search: the decoded pixels, moved (not copied) to the worker. */
export interface NoseJob {
  id: number;
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** The largest face (plain data: it crosses threads by structured clone), or the error. */
export type NoseReply = { id: number; face: FaceResult | null } | { id: number; error: { name: string; message: string } };
