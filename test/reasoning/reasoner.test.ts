import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuiltinReasoner, chunkText, classesFromPrompt } from '../../src/core/reasoning/reasoner';
import { emotionFromAus, inFaceFrame, type InferredAu } from '../../src/core/reasoning/facsRules';
import { measureRegionMotion, type RegionMotionReport, type RegionMotion } from '../../src/core/reasoning/regionMotion';
import { parseAnswer } from '../../src/core/reasoning/parse';
import { buildPrompt } from '../../src/core/reasoning/prompts';
import { ReasoningError, collectAnswer, type ReasoningLang } from '../../src/core/reasoning/source';
import { PROTOCOL_CLASSES, type Emotion, type ProtocolId } from '../../src/core/emotions';
import { ACTIONS, EXPRESSIONS, loadFixtureFace, type ActionName, type ExpressionName } from '../fixtures/reasoning/face';
import { computeFlow } from '../../src/core/native';
import { inferAus } from '../../src/core/reasoning/facsRules';
import { warpFace } from '../support/warp';

const cache = new Map<ExpressionName, RegionMotionReport>();
async function motionOf(name: ExpressionName): Promise<RegionMotionReport> {
  if (!cache.has(name)) {
    const { onset, face } = await loadFixtureFace();
    const { flow } = warpFace(onset, face.points, EXPRESSIONS[name]);
    cache.set(name, measureRegionMotion(flow, face));
  }
  return cache.get(name)!;
}

function request(motion: RegionMotionReport, lang: ReasoningLang = 'zh', protocol: ProtocolId = 'dfme', task: 'meu' | 'mer' = 'meu') {
  return { mapPng: new Uint8Array(0), prompt: buildPrompt({ lang, protocol, task }), lang, task, motion };
}

const codes = (aus: readonly { au: number; side?: string }[]) => aus.map((a) => `${a.side ?? ''}${a.au}`).sort();

// Expected AUs (subject's sides) and emotion for each synthetic expression, ground-truth flow.
const EXPECT: Record<ExpressionName, { must: string[]; mustNot?: string[]; emotion: Emotion }> = {
  happiness: { must: ['6', '12'], mustNot: ['10', '15', '4'], emotion: 'happiness' },
  surprise: { must: ['1', '2', '26'], mustNot: ['4', '5'], emotion: 'surprise' },
  browLowerer: { must: ['4'], mustNot: ['1', '2'], emotion: 'anger' },
  lipCornerDepressor: { must: ['15'], mustNot: ['12', '20'], emotion: 'sadness' },
  oneSidedSmile: { must: ['R12'], mustNot: ['L12', '12', '6'], emotion: 'contempt' },
};

for (const name of Object.keys(EXPECT) as ExpressionName[]) {
  test(`${name}: AUs and emotion from the warped real face (ground-truth flow)`, async () => {
    const e = EXPECT[name];
    const { inference } = new BuiltinReasoner().answer(request(await motionOf(name)));
    const got = codes(inference.aus);
    for (const c of e.must) assert.ok(got.includes(c), `${name}: ${c} missing in ${got.join(' ')}`);
    for (const c of e.mustNot ?? []) assert.ok(!got.includes(c), `${name}: ${c} unexpected in ${got.join(' ')}`);
    assert.equal(inference.match?.emotion, e.emotion);
  });
}

test('the parser reads back exactly the AUs (with sides) and the emotion the reasoner inferred, zh and en', async () => {
  for (const name of Object.keys(EXPECT) as ExpressionName[]) {
    for (const lang of ['zh', 'en'] as const) {
      for (const protocol of ['dfme', 'casme2'] as const) {
        const { text, inference } = new BuiltinReasoner().answer(request(await motionOf(name), lang, protocol));
        const parsed = parseAnswer(text);
        const where = `${name}/${lang}/${protocol}`;
        assert.equal(parsed.status, 'parsed', where);
        assert.equal(parsed.emotion, inference.match?.emotion, where);
        assert.deepEqual(codes(parsed.aus), codes(inference.aus), where);
        assert.deepEqual(parsed.sections.filter((s) => s.kind !== 'preamble').map((s) => s.kind), ['visual', 'au', 'reasoning', 'conclusion'], where);
      }
    }
  }
});

test('the emotion is restricted to the protocol classes: contempt is not a CASME II class', async () => {
  const dfme = new BuiltinReasoner().answer(request(await motionOf('oneSidedSmile'), 'en', 'dfme')).inference;
  const casme2 = new BuiltinReasoner().answer(request(await motionOf('oneSidedSmile'), 'en', 'casme2')).inference;
  assert.equal(dfme.match?.emotion, 'contempt');
  assert.equal(casme2.match?.emotion, 'happiness'); // Class I holds AU12
  assert.equal(casme2.match?.preferred, 'contempt');
  const anger = new BuiltinReasoner().answer(request(await motionOf('browLowerer'), 'zh', 'casme2')).inference;
  assert.equal(anger.match?.emotion, 'disgust');
  // An explicit class list wins over the prompt.
  const only = new BuiltinReasoner({ classes: ['sadness', 'fear'] }).answer(request(await motionOf('browLowerer'))).inference;
  assert.ok(['sadness', 'fear'].includes(only.match!.emotion), only.match!.emotion);
});

test('classes are read from the prompt class line in order', () => {
  for (const p of ['casme2', 'casme3a', 'dfme'] as const) {
    assert.deepEqual(classesFromPrompt(buildPrompt({ lang: 'zh', protocol: p })), [...PROTOCOL_CLASSES[p]]);
    assert.deepEqual(classesFromPrompt(buildPrompt({ lang: 'en', protocol: p })), [...PROTOCOL_CLASSES[p]]);
  }
  assert.equal(classesFromPrompt('no class line').length, 7);
});

test('AU -> emotion table: Davison et al. objective classes and the one-sided contempt rule', () => {
  const A = (s: string): InferredAu[] =>
    s.split(' ').map((c) => {
      const m = /^([LR]?)(\d+)$/.exec(c)!;
      return { au: Number(m[2]), ...(m[1] ? { side: m[1] as 'L' | 'R' } : {}), regions: [], level: 'moderate', expressive: true };
    });
  const e = (s: string, classes?: Emotion[]) => emotionFromAus(A(s), classes)?.emotion;
  assert.equal(e('6 12'), 'happiness');
  assert.equal(e('1 2'), 'surprise');
  assert.equal(e('1 2 4'), 'fear');
  assert.equal(e('20'), 'fear');
  assert.equal(e('1 4'), 'sadness');
  assert.equal(e('15 17'), 'sadness');
  assert.equal(e('4 7'), 'anger');
  assert.equal(e('17 24'), 'anger');
  assert.equal(e('4 7 10'), 'disgust');
  assert.equal(e('9'), 'disgust');
  assert.equal(e('R12'), 'contempt');
  assert.equal(e('L14'), 'contempt');
  assert.equal(e('R12 L12'), 'happiness'); // both sides = bilateral smile
  assert.equal(e('17'), 'sadness'); // partial: 15+17 (V) and 17+24 (III) tie at 1/2, class order picks sadness
  assert.equal(emotionFromAus(A('17'))?.kind, 'partial');
  assert.equal(e('4', ['happiness', 'sadness', 'fear', 'surprise', 'disgust']), 'disgust');
  assert.equal(emotionFromAus([]), null);
});

test('face-frame sectors follow the subject side: outwards is image-left for the right side', () => {
  const m = (u: number, v: number): RegionMotion => ({ region: 'lipCornerR', pixels: 1, u, v, magnitude: Math.hypot(u, v), angle: 0, mapAngle: 0, direction: 'up', excess: 1, normalised: 0.02, ratio: 10, coherence: 1, intensity: 'moderate' });
  const axes = { ex: [1, 0] as [number, number], up: [0, -1] as [number, number] };
  assert.equal(inFaceFrame(m(-1, -1), 'R', axes).sector, 1); // up-out for the subject's right
  assert.equal(inFaceFrame(m(-1, -1), 'L', axes).sector, 3); // the same motion is up-in on the left
  assert.equal(inFaceFrame(m(0, 1), 'L', axes).sector, -2);
  // Head rolled 90 degrees clockwise in the image: the face's "up" is image right.
  const rolled = { ex: [0, 1] as [number, number], up: [1, 0] as [number, number] };
  assert.equal(inFaceFrame(m(1, 0), null, rolled).sector, 2);
});

test('streams the same text in small deltas, deterministic, with one start and one done', async () => {
  const r = new BuiltinReasoner({ chunkChars: 5 });
  const req = request(await motionOf('happiness'), 'zh');
  const deltas: string[] = [];
  const events: string[] = [];
  for await (const ev of r.stream(req)) {
    events.push(ev.type);
    if (ev.type === 'delta') deltas.push(ev.text);
    if (ev.type === 'done') {
      assert.equal(ev.stop, 'stop');
      assert.equal(ev.incomplete, false);
      assert.ok(ev.firstTokenMs !== undefined && ev.firstTokenMs <= ev.totalMs);
    }
  }
  assert.equal(events[0], 'start');
  assert.equal(events.at(-1), 'done');
  assert.equal(events.filter((t) => t === 'done').length, 1);
  assert.ok(deltas.every((d) => Array.from(d).length <= 5));
  const { text } = r.answer(req);
  assert.equal(deltas.join(''), text);
  const again = await collectAnswer(new BuiltinReasoner({ chunkChars: 3 }).stream(req));
  assert.equal(again.text, text);
  assert.equal(again.start?.source, 'builtin');
});

test('abort: before the first token throws ReasoningError(aborted); during the stream ends incomplete', async () => {
  const req = request(await motionOf('surprise'), 'en');
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(collectAnswer(new BuiltinReasoner().stream(req, ac.signal)), (e: unknown) => e instanceof ReasoningError && e.code === 'aborted');
  const ac2 = new AbortController();
  let n = 0;
  const got = await collectAnswer(new BuiltinReasoner({ chunkChars: 4 }).stream(req, ac2.signal), () => {
    if (++n === 3) ac2.abort();
  });
  assert.equal(got.done.stop, 'aborted');
  assert.equal(got.done.incomplete, true);
  assert.equal(Array.from(got.text).length, 12);
});

test('no measured motion: a ReasoningError naming what to do; no motion at all: AUs none and unparsed', async () => {
  const req = { ...request(await motionOf('happiness')), motion: undefined };
  await assert.rejects(collectAnswer(new BuiltinReasoner().stream(req)), (e: unknown) => e instanceof ReasoningError && e.code === 'builtin' && /mellm\.server\.endpoints/.test(e.message));
  const still = structuredClone(await motionOf('happiness'));
  for (const m of Object.values(still.regions)) m.intensity = 'none';
  const { text, inference } = new BuiltinReasoner().answer(request(still, 'zh'));
  assert.equal(inference.aus.length, 0);
  assert.equal(inference.match, null);
  assert.equal(parseAnswer(text).status, 'unparsed');
});

test('MER task answers with the emotion word only', async () => {
  const zh = new BuiltinReasoner().answer(request(await motionOf('happiness'), 'zh', 'dfme', 'mer')).text;
  const en = new BuiltinReasoner().answer(request(await motionOf('surprise'), 'en', 'dfme', 'mer')).text;
  assert.equal(zh, '开心');
  assert.equal(en, 'Surprise');
  assert.equal(parseAnswer(zh).emotion, 'happiness');
});

test('chunkText never splits a surrogate pair', () => {
  const parts = chunkText('a😀b😀c', 2);
  assert.deepEqual(parts, ['a😀', 'b😀', 'c']);
});

// ---- the real pipeline: native TV-L1 on the warped pair, face found by the face module ----------------

import { measurePairMotion } from '../../src/core/reasoning/pairMotion';

for (const [name, shift] of [
  ['happiness', undefined],
  ['surprise', undefined],
  ['browLowerer', undefined],
  ['lipCornerDepressor', undefined],
  ['oneSidedSmile', undefined],
  // With head motion. (Not the smile: TV-L1 recovers only about half of the cheek raise on the smooth,
  // low-texture cheek once the whole face also moves, so AU6 drops below 'slight' there; see the README.)
  ['surprise', [0.9, -0.6]],
  ['oneSidedSmile', [-0.8, 0.5]],
] as [ExpressionName, [number, number] | undefined][]) {
  test(`${name}${shift ? ' with head motion' : ''}: real TV-L1 flow + detected face give the same AUs and emotion`, async () => {
    const { onset, face } = await loadFixtureFace();
    const { apex } = warpFace(onset, face.points, { ...EXPRESSIONS[name], shift });
    const pm = await measurePairMotion({ onset: { ...onset, channels: 1 }, apex: { ...apex, channels: 1 } });
    assert.ok(pm.face && pm.motion, 'face found');
    // Head motion is removed at the nose tip (TV-L1 at the nose window recovers the shift to ~0.2 px).
    if (shift) {
      assert.ok(Math.hypot(pm.mmc.head.u - shift[0], pm.mmc.head.v - shift[1]) < 0.25, `head ${pm.mmc.head.u}, ${pm.mmc.head.v}`);
      assert.ok(pm.motion.background < 0.25, `background ${pm.motion.background}`);
    }
    const { inference, text } = new BuiltinReasoner().answer(request(pm.motion));
    const e = EXPECT[name];
    const got = codes(inference.aus);
    for (const c of e.must) assert.ok(got.includes(c), `${name}: ${c} missing in ${got.join(' ')}`);
    for (const c of e.mustNot ?? []) assert.ok(!got.includes(c), `${name}: ${c} unexpected in ${got.join(' ')}`);
    assert.equal(inference.match?.emotion, e.emotion);
    assert.equal(parseAnswer(text).emotion, e.emotion);
  });
}

// ---- single actions: each FACS motion rule fires on its own motion -----------------------------------

const ACTION_EXPECT: Record<ActionName, { aus: string[]; noted?: string[]; emotion: Emotion | null; realFlow: boolean }> = {
  AU5: { aus: ['5'], emotion: 'surprise', realFlow: true },
  AU7: { aus: ['7'], emotion: 'happiness', realFlow: true }, // partial: 7+12 (I), 4+7 (III), 7+10 (IV) tie; class order
  AU9: { aus: ['9'], emotion: 'disgust', realFlow: true },
  AU10: { aus: ['10'], emotion: 'disgust', realFlow: true },
  AU14: { aus: ['R14'], emotion: 'contempt', realFlow: true },
  AU17: { aus: ['17'], emotion: 'sadness', realFlow: true },
  AU20: { aus: ['20'], emotion: 'fear', realFlow: true },
  AU23: { aus: ['23'], emotion: 'anger', realFlow: true },
  // TV-L1 smooths the opposite motions of the two thin lips into each other: ground truth only.
  AU24: { aus: ['24'], emotion: 'surprise', realFlow: false },
  AU45: { aus: [], noted: ['45'], emotion: null, realFlow: true },
};

for (const name of Object.keys(ACTION_EXPECT) as ActionName[]) {
  const e = ACTION_EXPECT[name];
  test(`${name} alone is inferred from its motion (ground truth${e.realFlow ? ' and real TV-L1 flow' : ''})`, async () => {
    const { onset, face } = await loadFixtureFace();
    const { apex, flow: gt } = warpFace(onset, face.points, ACTIONS[name]);
    const flows = [gt, ...(e.realFlow ? [await computeFlow(onset, apex, {}, {})] : [])];
    for (const [i, flow] of flows.entries()) {
      const motion = measureRegionMotion(flow, face);
      const { aus, noted } = inferAus(motion);
      const where = `${name} ${i === 0 ? 'ground truth' : 'TV-L1'}`;
      assert.deepEqual(codes(aus), e.aus, where);
      assert.deepEqual(codes(noted), e.noted ?? [], where);
      const { inference, text } = new BuiltinReasoner().answer(request(motion, 'en'));
      assert.equal(inference.match?.emotion ?? null, e.emotion, where);
      const parsed = parseAnswer(text);
      assert.equal(parsed.emotion, e.emotion, where);
      assert.deepEqual(codes(parsed.aus), e.aus, where); // blinks are noted, never in the conclusion
    }
  });
}
