// A tiny annotated dataset on disk for benchmark tests: mellm-dataset.json + labels.csv + PNG frames
// (subject/clip/img{frame}.png), five CASME II classes plus clips the protocol leaves out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

export const SYNTH_CLASSES = ['happiness', 'sadness', 'fear', 'surprise', 'disgust'];

export interface SynthDataset {
  root: string;
  /** Ids of the clips a casme2 benchmark evaluates (dataset/subject/clip). */
  evaluated: string[];
}

/** `n` labelled clips over 3 subjects; every 7th clip is 'others' (outside the protocol). */
export async function makeSynthDataset(root: string, n: number, opts: { split?: boolean } = {}): Promise<SynthDataset> {
  fs.mkdirSync(root, { recursive: true });
  const rows = [['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'Action Units', 'Estimated Emotion', ...(opts.split ? ['Split'] : [])]];
  const evaluated: string[] = [];
  for (let i = 0; i < n; i++) {
    const subject = `sub${(i % 3) + 1}`;
    const clip = `EP${String(i).padStart(2, '0')}`;
    const emotion = i % 7 === 6 ? 'others' : SYNTH_CLASSES[i % 5];
    const dir = path.join(root, subject, clip);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 1; f <= 3; f++) {
      // Each frame a different flat shade with a moving square, so onset and apex differ.
      const img = sharp({ create: { width: 32, height: 40, channels: 3, background: { r: 40 + i, g: 80, b: 120 } } }).composite([
        { input: { create: { width: 6, height: 6, channels: 3, background: { r: 250, g: 250, b: 250 } } }, left: 4 + 3 * f, top: 10 },
      ]);
      await img.png().toFile(path.join(dir, `img${f}.png`));
    }
    rows.push([subject, clip, '1', '2', i % 2 ? 'AU6+AU12' : 'AU4+L10', emotion, ...(opts.split ? [i % 2 ? 'TestA' : 'TestB'] : [])]);
    if (emotion !== 'others') evaluated.push(`synth/${subject}/${clip}`);
  }
  fs.writeFileSync(path.join(root, 'labels.csv'), rows.map((r) => r.join(',')).join('\n') + '\n');
  fs.writeFileSync(
    path.join(root, 'mellm-dataset.json'),
    JSON.stringify({ name: 'synth', annotations: 'labels.csv', frames: '{subject}/{clip}/img{frame}.png' }, null, 2),
  );
  return { root, evaluated };
}
