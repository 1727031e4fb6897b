// The colour -> direction legend (DESIGN.md section 2): hue = flow angle (x right, y down), in 30 degree
// steps, brightness = magnitude. Drawn as a 12-step ring plus the eight named directions the prompt uses.

const NAMED: { angle: number; arrow: string; en: string; zh: string }[] = [
  { angle: 270, arrow: '↑', en: 'up: purple', zh: '上：紫色' },
  { angle: 300, arrow: '↗', en: 'up-right: magenta/pink', zh: '右上：品红/粉色' },
  { angle: 0, arrow: '→', en: 'right: red', zh: '右：红色' },
  { angle: 30, arrow: '↘', en: 'down-right: orange-yellow', zh: '右下：橙黄色' },
  { angle: 90, arrow: '↓', en: 'down: yellow-green', zh: '下：黄绿色' },
  { angle: 120, arrow: '↙', en: 'down-left: green', zh: '左下：绿色' },
  { angle: 180, arrow: '←', en: 'left: cyan', zh: '左：青色' },
  { angle: 210, arrow: '↖', en: 'up-left: blue', zh: '左上：蓝色' },
];

/** CSS colour of a flow direction (angle in degrees, image coordinates), matching the map's HSV encoding. */
export function directionColour(angleDeg: number): string {
  const q = (Math.round(angleDeg / 30) * 30) % 360;
  return `hsl(${q}, 100%, 50%)`;
}

export function buildLegend(lang: 'zh' | 'en'): HTMLElement {
  const box = document.createElement('div');
  box.className = 'legend';
  const ring = document.createElement('div');
  ring.className = 'legend-ring';
  // conic-gradient starts at 12 o'clock and turns clockwise; image angle 0 (right) is at 90deg there.
  const stops: string[] = [];
  for (let a = 0; a < 360; a += 30) stops.push(`${directionColour(a)} ${a - 15}deg ${a + 15}deg`);
  ring.style.background = `conic-gradient(from 90deg, ${directionColour(0)} -15deg, ${stops.join(', ')})`;
  const hole = document.createElement('div');
  hole.className = 'legend-hole';
  hole.textContent = lang === 'zh' ? '亮度=幅度' : 'bright = fast';
  ring.appendChild(hole);
  const list = document.createElement('ul');
  list.className = 'legend-list';
  for (const n of NAMED) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = directionColour(n.angle);
    const t = document.createElement('span');
    t.textContent = `${n.arrow} ${lang === 'zh' ? n.zh : n.en}`;
    li.append(sw, t);
    list.appendChild(li);
  }
  box.append(ring, list);
  return box;
}
