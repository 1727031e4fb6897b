// Hand-worked cases for ACC / UAR / UF1 (paper IV-C eqs. 1-3), the confusion matrix and AU scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, normalizeAu, OTHER, UNPARSED, FAILED, NONE, UNDETERMINED, type Outcome } from '../../src/core/bench/metrics';

const CASME2 = ['happiness', 'sadness', 'fear', 'surprise', 'disgust'];
const close = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);

function outcomes(pairs: Array<[string, Outcome['predicted']]>): Outcome[] {
  return pairs.map(([truth, predicted], i) => ({ id: `c${i}`, truth, predicted }));
}

test('perfect predictions give ACC = UAR = UF1 = 1', () => {
  const m = computeMetrics(outcomes(CASME2.flatMap((c) => [[c, c], [c, c]] as Array<[string, string]>)), CASME2);
  assert.equal(m.n, 10);
  assert.equal(m.acc, 1);
  assert.equal(m.uar, 1);
  assert.equal(m.uf1, 1);
  for (const c of m.perClass) assert.deepEqual([c.precision, c.recall, c.f1], [1, 1, 1]);
  assert.equal(m.parseFailureRate, 0);
});

test('all wrong gives zeros, precision 0 for classes predicted only wrongly', () => {
  const m = computeMetrics(
    outcomes([['happiness', 'sadness'], ['happiness', 'sadness'], ['sadness', 'happiness'], ['sadness', 'happiness']]),
    ['happiness', 'sadness'],
  );
  assert.deepEqual([m.acc, m.uar, m.uf1], [0, 0, 0]);
  assert.deepEqual(m.perClass.map((c) => [c.tp, c.fp, c.fn]), [[0, 2, 2], [0, 2, 2]]);
  assert.deepEqual(m.confusion.counts, [[0, 2, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0]]);
});

test('a class with no ground-truth samples is left out of the UAR / UF1 means and reported', () => {
  // happiness: TP 2 -> P 1 R 1 F1 1; sadness: TP 1 FN 1 -> P 1 R 0.5 F1 2/3; fear: N 0, one false positive.
  const m = computeMetrics(
    outcomes([['happiness', 'happiness'], ['happiness', 'happiness'], ['sadness', 'sadness'], ['sadness', 'fear']]),
    ['happiness', 'sadness', 'fear'],
  );
  close(m.acc, 3 / 4);
  close(m.uar, (1 + 0.5) / 2);
  close(m.uf1, (1 + 2 / 3) / 2);
  const fear = m.perClass[2];
  assert.deepEqual([fear.support, fear.fp, fear.precision, fear.recall, fear.f1], [0, 1, 0, null, null]);
  assert.deepEqual(m.classesWithoutSamples, [{ label: 'fear', falsePositives: 1 }]);
});

test('a class never predicted has precision 0, recall 0, F1 0 and stays in the means', () => {
  // happiness: TP 2 FP 1 -> P 2/3 R 1 F1 0.8; sadness: never predicted -> 0 / 0 / 0; fear: 1 / 1 / 1.
  const m = computeMetrics(
    outcomes([['happiness', 'happiness'], ['happiness', 'happiness'], ['sadness', 'happiness'], ['fear', 'fear']]),
    ['happiness', 'sadness', 'fear'],
  );
  close(m.acc, 3 / 4);
  close(m.perClass[0].precision, 2 / 3);
  close(m.perClass[0].f1 as number, 0.8);
  assert.deepEqual([m.perClass[1].precision, m.perClass[1].recall, m.perClass[1].f1], [0, 0, 0]);
  close(m.uar, 2 / 3);
  close(m.uf1, (0.8 + 0 + 1) / 3);
  assert.deepEqual(m.classesWithoutSamples, []);
});

test('unparsed and failed answers count as wrong, are counted, and have their own columns', () => {
  const m = computeMetrics(
    outcomes([
      ['happiness', 'happiness'],
      ['happiness', { kind: 'unparsed' }],
      ['sadness', 'sadness'],
      ['sadness', { kind: 'failed' }],
    ]),
    ['happiness', 'sadness'],
  );
  close(m.acc, 0.5);
  close(m.uar, 0.5);
  close(m.uf1, 2 / 3); // each class: P 1, R 0.5
  assert.equal(m.unparsed, 1);
  assert.equal(m.failed, 1);
  close(m.parseFailureRate, 0.25);
  assert.deepEqual(m.confusion.cols, ['happiness', 'sadness', OTHER, UNPARSED, FAILED, NONE, UNDETERMINED]);
  assert.deepEqual(m.confusion.counts, [[1, 0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 1, 0, 0]]);
});

test('"no micro-expression found" and undetermined answers: wrong, counted apart, none is an abstention', () => {
  const m = computeMetrics(
    [
      { id: 'a', truth: 'happiness', predicted: 'happiness', truthAus: ['AU12'], predictedAus: ['AU12'] },
      { id: 'b', truth: 'happiness', predicted: { kind: 'none' }, truthAus: ['AU12'], predictedAus: [] },
      { id: 'c', truth: 'sadness', predicted: { kind: 'undetermined' }, truthAus: ['AU15'], predictedAus: ['AU15'] },
      { id: 'd', truth: 'sadness', predicted: 'sadness', truthAus: ['AU15'], predictedAus: ['AU15'] },
    ],
    ['happiness', 'sadness'],
  );
  close(m.acc, 0.5);
  assert.equal(m.none, 1);
  assert.equal(m.undetermined, 1);
  assert.equal(m.unparsed, 0);
  close(m.abstentionRate, 0.25);
  close(m.parseFailureRate, 0); // neither is a parse failure
  // Misses of the true class, no class's false positive.
  assert.deepEqual(m.perClass.map((c) => [c.tp, c.fp, c.fn]), [[1, 0, 1], [1, 0, 1]]);
  assert.deepEqual(m.confusion.counts, [[1, 0, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0, 1]]);
  // The undetermined answer's AUs count; the none answer predicts no AU.
  const au15 = m.au!.ignored.perAu.find((a) => a.au === 'AU15')!;
  assert.deepEqual([au15.tp, au15.fn], [2, 0]);
  const au12 = m.au!.ignored.perAu.find((a) => a.au === 'AU12')!;
  assert.deepEqual([au12.tp, au12.fn], [1, 1]);
});

test('a 5-class protocol fed 7-class predictions: outside labels are wrong, not false positives; outside truths excluded', () => {
  const m = computeMetrics(
    outcomes([
      ['happiness', 'happiness'],
      ['sadness', 'contempt'],
      ['fear', 'anger'],
      ['surprise', 'surprise'],
      ['disgust', 'disgust'],
      ['contempt', 'contempt'], // not in the CASME II protocol: not evaluated
      ['anger', 'happiness'], // not evaluated either, so no false positive for happiness
    ]),
    CASME2,
  );
  assert.equal(m.n, 5);
  assert.equal(m.excludedOutsideProtocol, 2);
  assert.equal(m.outsideProtocolPredictions, 2);
  close(m.acc, 3 / 5);
  close(m.uar, 3 / 5);
  close(m.uf1, 3 / 5);
  assert.equal(m.perClass[0].precision, 1);
  assert.deepEqual(
    m.confusion.counts.map((r) => r[CASME2.length]),
    [0, 1, 1, 0, 0],
  );
});

test('the figures match a direct evaluation of eqs. 1-3 on an imbalanced set', () => {
  // truth: 6 happiness, 3 sadness, 1 fear. Predictions chosen by hand:
  // happiness: 4 right, 1 sadness, 1 unparsed; sadness: 2 right, 1 happiness; fear: predicted sadness.
  const pairs: Array<[string, Outcome['predicted']]> = [
    ...Array.from({ length: 4 }, () => ['happiness', 'happiness'] as [string, string]),
    ['happiness', 'sadness'],
    ['happiness', { kind: 'unparsed' }],
    ['sadness', 'sadness'],
    ['sadness', 'sadness'],
    ['sadness', 'happiness'],
    ['fear', 'sadness'],
  ];
  const m = computeMetrics(outcomes(pairs), ['happiness', 'sadness', 'fear']);
  // happiness: TP 4 FP 1 FN 2 -> P 4/5 R 4/6; sadness: TP 2 FP 2 FN 1 -> P 1/2 R 2/3; fear: 0.
  const f = (p: number, r: number): number => (2 * p * r) / (p + r);
  close(m.acc, 6 / 10);
  close(m.uar, (4 / 6 + 2 / 3 + 0) / 3);
  close(m.uf1, (f(4 / 5, 4 / 6) + f(1 / 2, 2 / 3) + 0) / 3);
});

test('AU codes normalise from the forms answers and datasets use', () => {
  assert.equal(normalizeAu('AU6'), 'AU6');
  assert.equal(normalizeAu('AU06'), 'AU6');
  assert.equal(normalizeAu('AU 12'), 'AU12');
  assert.equal(normalizeAu('Right AU12'), 'R12');
  assert.equal(normalizeAu('R12'), 'R12');
  assert.equal(normalizeAu('l1'), 'L1');
  assert.equal(normalizeAu('AU12B'), 'AU12');
  assert.equal(normalizeAu('12'), 'AU12');
  assert.equal(normalizeAu('happy'), null);
  assert.equal(normalizeAu('AU0'), null);
});

test('AU precision / recall / F1, laterality ignored and respected', () => {
  const m = computeMetrics(
    [
      { id: 'a', truth: 'happiness', predicted: 'happiness', truthAus: ['AU6', 'R12'], predictedAus: ['AU06', 'L12', 'AU4'] },
      { id: 'b', truth: 'sadness', predicted: { kind: 'failed' }, truthAus: ['4+L10'], predictedAus: ['AU4'] },
      { id: 'c', truth: 'sadness', predicted: 'sadness' }, // no AU labels: not scored for AUs
    ],
    ['happiness', 'sadness'],
  );
  assert.ok(m.au);
  // ignored: a -> truth {6,12} pred {6,12,4}: TP 2 FP 1; b (failed predicts nothing) -> truth {4,10}: FN 2.
  assert.equal(m.au.ignored.clips, 2);
  assert.deepEqual([m.au.ignored.micro.tp, m.au.ignored.micro.fp, m.au.ignored.micro.fn], [2, 1, 2]);
  close(m.au.ignored.micro.precision, 2 / 3);
  close(m.au.ignored.micro.recall, 2 / 4);
  // respected: a -> truth {AU6,R12} pred {AU6,L12,AU4}: TP 1 FP 2 FN 1; b -> FN 2.
  assert.deepEqual([m.au.respected.micro.tp, m.au.respected.micro.fp, m.au.respected.micro.fn], [1, 2, 3]);
  const au4 = m.au.ignored.perAu.find((s) => s.au === 'AU4');
  assert.deepEqual(au4 && [au4.support, au4.tp, au4.fp, au4.fn], [1, 0, 1, 1]);
  // macro F1 over AUs in the ground truth (ignored): AU6 1, AU12 1, AU4 0, AU10 0 -> 0.5
  close(m.au.ignored.macroF1, 0.5);
});
