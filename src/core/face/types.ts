// Shared face types: produced by the landmark detector, used by the MMC pipeline (nose tip),
// the built-in reasoner, the claim check and the panel.

export type Point = [number, number];

/**
 * Facial regions derived from the 68 iBUG 300-W points. L/R are the SUBJECT's own sides (FACS convention):
 * the subject's left is on the image's right (iBUG points 22-26 are the left brow, 17-21 the right).
 */
export const REGION_NAMES = [
  'forehead',
  'innerBrowL',
  'innerBrowR',
  'outerBrowL',
  'outerBrowR',
  'upperEyelidL',
  'upperEyelidR',
  'lowerEyelidL',
  'lowerEyelidR',
  'cheekL',
  'cheekR',
  'noseWingL',
  'noseWingR',
  'nasolabialL',
  'nasolabialR',
  'lipCornerL',
  'lipCornerR',
  'upperLip',
  'lowerLip',
  'chin',
] as const;

export type RegionName = (typeof REGION_NAMES)[number];

/** Closed polygon in image pixel coordinates (x right, y down). */
export type Polygon = Point[];

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceResult {
  box: FaceBox;
  /** Detector confidence in [0, 1]. */
  score: number;
  /** 68 points, iBUG 300-W order, image coordinates. */
  points: Point[];
  /** Point 30 (0-based). */
  nose: { x: number; y: number };
  /** Distance between the two eye centres (means of points 36-41 and 42-47), in pixels. */
  interOcular: number;
  regions: Record<RegionName, Polygon>;
}
