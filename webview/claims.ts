// Claim-check results in words, in the display language: what the answer said, what was measured, with
// region names a reader knows ("Lip corner (subject's left)", never `lipCornerL`).
import type { AuCheck, AuVerdict, ClaimMark, ClaimStatus, Direction, Intensity, MeasuredView } from '../src/shared/protocol';
import { list, regionName, t } from './l10n';

export function directionWord(d: Direction): string {
  const w: Record<Direction, () => string> = {
    up: () => t('up'),
    'up-right': () => t('up-right'),
    right: () => t('right'),
    'down-right': () => t('down-right'),
    down: () => t('down'),
    'down-left': () => t('down-left'),
    left: () => t('left'),
    'up-left': () => t('up-left'),
  };
  return w[d]();
}

export function intensityWord(i: Intensity): string {
  return { none: () => t('no clear motion'), slight: () => t('slight'), moderate: () => t('moderate'), strong: () => t('strong') }[i]();
}

const px = (v: number) => v.toFixed(2);

function movement(m: MeasuredView): string {
  if (m.intensity === 'none' || !m.direction) return t('{0}: no clear motion ({1} px)', regionName(m.region), px(m.px));
  return t('{0} moves {1} ({2}, {3} px)', regionName(m.region), directionWord(m.direction), intensityWord(m.intensity), px(m.px));
}

export function statusWord(s: ClaimStatus): string {
  return {
    supported: () => t('Supported by the measured motion'),
    contradicted: () => t('Contradicted by the measured motion'),
    measured: () => t('Restates the measurement'),
    'not-checkable': () => t('Not checkable'),
  }[s]();
}

/** One sentence: why the claim got its verdict. */
export function claimReason(c: ClaimMark): string {
  const w = c.why;
  if (!w) return c.note ?? '';
  const names = list((c.regions ?? w.measured.map((m) => m.region)).map(regionName));
  const moving = w.measured.filter((m) => m.intensity !== 'none');
  const dirs = list(w.claimed.map(directionWord));
  switch (w.kind) {
    case 'still-ok':
      return t('No clear motion is measured in {0}.', names);
    case 'still-but-moves':
      return t('Says there is no clear motion, but {0}.', list(moving.map(movement)));
    case 'moves-but-still':
      return t('Says it moves, but no motion is measured in {0}.', names);
    case 'moves':
      return t('Motion is measured: {0}.', list(moving.map(movement)));
    case 'direction-match':
      return t('Says {0}; measured: {1}.', dirs, list(moving.map(movement)));
    case 'direction-mismatch':
      return t('Says {0}, but {1}.', dirs, list(moving.map(movement)));
    case 'no-face':
      return t('No face motion was measured (no face found on the onset frame).');
    case 'unknown-region':
      return t('Not one of the measured facial regions.');
    case 'outside':
      return t('{0} lies outside the image.', names);
  }
}

export function auVerdictWord(v: AuVerdict): string {
  return {
    supported: () => t('supported'),
    contradicted: () => t('contradicted'),
    unconfirmed: () => t('not confirmed'),
    measured: () => t('inferred from the measurement'),
    'not-checkable': () => t('not checkable'),
  }[v]();
}

export function auReason(a: AuCheck): string {
  const moving = a.measured.filter((m) => m.intensity !== 'none');
  switch (a.why) {
    case 'inferred':
      return t('The measured motion yields it: {0}.', list(moving.map(movement)));
    case 'claim-contradicted':
      return t('The answer’s own region claim for it is contradicted by the measured motion.');
    case 'regions-still':
      return t('None of its regions moves: {0}.', list(a.measured.map((m) => regionName(m.region))));
    case 'regions-move':
      return t('Its regions move ({0}), but not as this AU moves them.', list(moving.map(movement)));
    case 'builtin':
      return t('The built-in reasoner inferred it from this measurement (no independent evidence).');
    case 'no-face':
      return t('No face motion was measured.');
  }
}
