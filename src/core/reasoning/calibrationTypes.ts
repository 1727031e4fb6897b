// The shape of the evidence calibration (evidenceCalibration.ts is generated data of this type).

export interface EvidenceCalibration {
  /** A region moves when z = motion / noise floor reaches this (or its own regionTau when higher). */
  tau: number;
  /** Per region: the 99.5th percentile of its z on the calibration pairs. */
  regionTau?: Partial<Record<string, number>>;
  /** z of every region of every calibration pair, as quantiles at k / (n - 1), ascending. */
  nullZ: number[];
  /** Calibration pairs and regions behind the figures. */
  pairs: number;
  regions: number;
  /** What tau was chosen for. */
  target: string;
}
