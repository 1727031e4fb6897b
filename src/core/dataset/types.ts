// Types shared by the dataset adapters, the scanner, protocol subsets and the batch MMC job.
import type { ProtocolId } from '../emotions';

/** Which reader understood the folder. */
export type DatasetKind = 'casme2' | 'samm' | 'casme3a' | 'mapped' | 'generic-pair' | 'generic-frames';

export type AuSide = 'L' | 'R' | 'both';
export type AuIntensity = 'A' | 'B' | 'C' | 'D' | 'E';

/** One FACS action unit as coded in a sheet: "R12B" -> {au: 12, side: 'R', intensity: 'B'}. */
export interface AuCode {
  au: number;
  side: AuSide;
  intensity?: AuIntensity;
}

/** Where a clip's annotation came from, for messages a user can act on. */
export interface SourceRef {
  file: string;
  sheet?: string;
  /** 1-based row in the sheet / CSV file. */
  row?: number;
}

/** A frame resolved to a file. `frame` is the number in the file name (null for generic pairs). */
export interface FrameRef {
  frame: number | null;
  file: string;
}

export interface Clip {
  /** Stable id: dataset/subject/clip. */
  id: string;
  dataset: string;
  subject: string;
  clip: string;
  /** Folder holding the clip's frames. */
  dir: string;
  /** Number of frame files found for the clip. */
  frameCount: number;
  onset: FrameRef;
  /** null when the annotation gives no apex: spot it with spotApex(). */
  apex: FrameRef | null;
  offset: number | null;
  /** Canonical emotion (happiness ... anger) or the dataset's own label in lower case (others, repression ...); null when blank. */
  emotion: string | null;
  emotionRaw: string;
  aus: AuCode[];
  ausRaw: string;
  objectiveClass?: string;
  /** DFME TestA/TestB etc., from the mapping file's split column. */
  split?: string;
  source?: SourceRef;
  warnings: string[];
}

/** A row or folder that could not become a clip, with the reason. */
export interface ClipError {
  id: string;
  source?: SourceRef;
  message: string;
}

export interface ExcludedClip {
  id: string;
  emotion: string | null;
  reason: string;
}

export interface ProtocolSubset {
  protocol: ProtocolId;
  classes: readonly string[];
  /** Ids of the clips the protocol evaluates. */
  included: string[];
  excluded: ExcludedClip[];
}

export interface AnnotationInfo {
  file: string;
  sheet?: string;
  /** 1-based row of the header. */
  headerRow: number;
  /** Field -> header text as written in the sheet. */
  columns: Record<string, string>;
}

export interface ScanResult {
  root: string;
  kind: DatasetKind;
  /** Name used as the first part of clip ids. */
  dataset: string;
  annotation?: AnnotationInfo;
  clips: Clip[];
  errors: ClipError[];
  /** Dataset-level notes (skipped symlink loops, unreadable folders ...). */
  warnings: string[];
  protocol?: ProtocolSubset;
}

/** A user-fixable problem with the dataset as a whole (no sheet, missing column ...). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
