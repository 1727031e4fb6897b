// A stand-in for a text LLM behind the region-text lane, for tests and benches (no model runs here):
// it reads the region JSON lines of the prompt it receives and answers in the four-part FGMU form with a
// handful of fixed rules (lip corners up -> AU12 happiness, brows up + chin down -> surprise, lip corners
// down -> sadness, nothing moving -> no micro-expression). Its only purpose is to make the answer depend
// on the text actually sent, so a wrong or missing region block shows up in the scores; its accuracy is
// not a model's accuracy.
import type { ChatRequest } from './openaiServer';

interface Row {
  region: string;
  mean: number;
  direction: string;
}

/** The region rows of a region-text prompt (English keys). */
export function regionRows(prompt: string): Row[] {
  const rows: Row[] = [];
  for (const line of prompt.split('\n')) {
    if (!line.startsWith('{"region"')) continue;
    const r = JSON.parse(line) as { region: string; mean_magnitude: number; direction: string };
    rows.push({ region: r.region, mean: r.mean_magnitude, direction: r.direction });
  }
  return rows;
}

/** The user message of a chat request as text. */
export function promptOf(req: ChatRequest): string {
  const c = req.messages?.[0]?.content;
  return typeof c === 'string' ? c : '';
}

/** Mean magnitude above which the stand-in calls a region moving (px). */
const MOVING = 0.4;

export function standInAnswer(prompt: string): string {
  const rows = regionRows(prompt);
  const moving = rows.filter((r) => r.mean >= MOVING && /^(up|down|left|right)/.test(r.direction));
  const dir = (name: RegExp) => moving.filter((r) => name.test(r.region)).map((r) => r.direction.split(' ')[0]);
  const corners = dir(/^Lip corner/);
  const brows = dir(/brow/);
  const chin = dir(/^Chin/);
  const lines = moving.map((r) => `- ${r.region}: moves ${r.direction}, mean ${r.mean.toFixed(3)} px.`);
  let aus: string;
  let emotion: string;
  if (corners.length === 2 && corners.every((d) => d.startsWith('up'))) {
    aus = 'AU12';
    emotion = 'happiness';
  } else if (brows.length >= 2 && brows.every((d) => d === 'up') && chin.includes('down')) {
    aus = 'AU1 + AU2 + AU26';
    emotion = 'surprise';
  } else if (corners.length >= 1 && corners.every((d) => d.startsWith('down'))) {
    aus = 'AU15';
    emotion = 'sadness';
  } else {
    aus = 'none';
    emotion = '';
  }
  return [
    '### Visual inspection',
    '',
    ...(lines.length ? lines : ['- No region moves clearly more than the background.']),
    '',
    '### Action unit (AU) inference',
    '',
    `- ${aus}`,
    '',
    '### Expression reasoning',
    '',
    emotion ? `The action units ${aus} point to ${emotion}.` : 'There is no expressive action unit to reason from.',
    '',
    '### Final conclusion',
    '',
    emotion ? `Action units: ${aus}. Micro-expression: ${emotion}.` : 'No micro-expression was found.',
    '',
  ].join('\n');
}
