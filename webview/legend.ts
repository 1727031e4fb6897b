// The colour -> direction legend (DESIGN.md section 2): hue = flow angle (x right, y down), in 30 degree
// steps, brightness = magnitude. Drawn as a 12-step ring plus the eight named directions the prompt uses,
// in the display language (rebuilt on a language change).
import type { Direction } from '../src/shared/protocol';
import { directionWord } from './claims';
import { t } from './l10n';

const NAMED: { angle: number; arrow: string; dir: Direction; colour: () => string }[] = [
  { angle: 270, arrow: '↑', dir: 'up', colour: () => t('purple') },
  { angle: 300, arrow: '↗', dir: 'up-right', colour: () => t('magenta/pink') },
  { angle: 0, arrow: '→', dir: 'right', colour: () => t('red') },
  { angle: 30, arrow: '↘', dir: 'down-right', colour: () => t('orange-yellow') },
  { angle: 90, arrow: '↓', dir: 'down', colour: () => t('yellow-green') },
  { angle: 120, arrow: '↙', dir: 'down-left', colour: () => t('green') },
  { angle: 180, arrow: '←', dir: 'left', colour: () => t('cyan') },
  { angle: 210, arrow: '↖', dir: 'up-left', colour: () => t('blue') },
];

/** CSS colour of a flow direction (angle in degrees, image coordinates), matching the map's HSV encoding. */
export function directionColour(angleDeg: number): string {
  const q = (((Math.round(angleDeg / 30) * 30) % 360) + 360) % 360;
  return `hsl(${q}, 100%, 50%)`;
}

export function buildLegend(): HTMLElement {
  const box = document.createElement('div');
  box.className = 'legend';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', t('Colour legend'));
  const ring = document.createElement('div');
  ring.className = 'legend-ring';
  ring.setAttribute('aria-hidden', 'true');
  // conic-gradient starts at 12 o'clock and turns clockwise; image angle 0 (right) is at 90deg there.
  const stops: string[] = [];
  for (let a = 0; a < 360; a += 30) stops.push(`${directionColour(a)} ${a - 15}deg ${a + 15}deg`);
  ring.style.background = `conic-gradient(from 90deg, ${directionColour(0)} -15deg, ${stops.join(', ')})`;
  const hole = document.createElement('div');
  hole.className = 'legend-hole';
  hole.textContent = t('bright = fast');
  ring.appendChild(hole);
  const list = document.createElement('ul');
  list.className = 'legend-list';
  for (const n of NAMED) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = directionColour(n.angle);
    const text = document.createElement('span');
    text.textContent = `${n.arrow} ${t('{0}: {1}', directionWord(n.dir), n.colour())}`;
    li.append(sw, text);
    list.appendChild(li);
  }
  box.append(ring, list);
  return box;
}
