import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDatasetEmotion, parseAus, parseFrameNumber } from '../../src/core/dataset/normalise';
import { parseCsv } from '../../src/core/dataset/table';
import { normaliseHeader } from '../../src/core/dataset/columns';

test('AU strings in the forms the sheets use', () => {
  assert.deepEqual(parseAus('4+7').aus, [{ au: 4, side: 'both' }, { au: 7, side: 'both' }]);
  assert.deepEqual(parseAus('R12').aus, [{ au: 12, side: 'R' }]);
  assert.deepEqual(parseAus('L1+R2').aus, [{ au: 1, side: 'L' }, { au: 2, side: 'R' }]);
  assert.deepEqual(parseAus('12B').aus, [{ au: 12, side: 'both', intensity: 'B' }]);
  assert.deepEqual(parseAus('AU6+AU12').aus, [{ au: 6, side: 'both' }, { au: 12, side: 'both' }]);
  assert.deepEqual(parseAus('AU4 + AU7').aus, [{ au: 4, side: 'both' }, { au: 7, side: 'both' }]);
  assert.deepEqual(parseAus('R14A+L10E').aus, [{ au: 14, side: 'R', intensity: 'A' }, { au: 10, side: 'L', intensity: 'E' }]);
  assert.deepEqual(parseAus('AU R12, AU 25').aus, [{ au: 12, side: 'R' }, { au: 25, side: 'both' }]);
  assert.deepEqual(parseAus('left 4 and right 7').aus, [{ au: 4, side: 'L' }, { au: 7, side: 'R' }]);
  assert.deepEqual(parseAus('12(c)').aus, [{ au: 12, side: 'both', intensity: 'C' }]);
  assert.deepEqual(parseAus('?'), { aus: [], unparsed: ['?'] });
  assert.deepEqual(parseAus(''), { aus: [], unparsed: [] });
  assert.deepEqual(parseAus('4+blink'), { aus: [{ au: 4, side: 'both' }], unparsed: ['blink'] });
});

test('emotions: the seven become canonical, other labels are kept in lower case', () => {
  assert.equal(normaliseDatasetEmotion('Happiness'), 'happiness');
  assert.equal(normaliseDatasetEmotion(' happy '), 'happiness');
  assert.equal(normaliseDatasetEmotion('Surprised'), 'surprise');
  assert.equal(normaliseDatasetEmotion('Anger'), 'anger');
  assert.equal(normaliseDatasetEmotion('恐惧'), 'fear');
  assert.equal(normaliseDatasetEmotion('Others'), 'others');
  assert.equal(normaliseDatasetEmotion('other'), 'others');
  assert.equal(normaliseDatasetEmotion('repression'), 'repression');
  assert.equal(normaliseDatasetEmotion('Negative'), 'negative');
  assert.equal(normaliseDatasetEmotion('Positive'), 'positive');
  assert.equal(normaliseDatasetEmotion(''), null);
  assert.equal(normaliseDatasetEmotion('/'), null);
});

test('frame numbers', () => {
  assert.equal(parseFrameNumber('46'), 46);
  assert.equal(parseFrameNumber('0046'), 46);
  assert.equal(parseFrameNumber('46.0'), 46);
  assert.equal(parseFrameNumber('/'), null);
  assert.equal(parseFrameNumber(''), null);
  assert.equal(parseFrameNumber('n/a'), null);
  assert.equal(parseFrameNumber('4a'), 'invalid');
  assert.equal(parseFrameNumber('46.5'), 'invalid');
});

test('CSV: quotes, escaped quotes, embedded newlines, BOM, CRLF, semicolons', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",3\r\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['two\nlines', '3'],
  ]);
  assert.deepEqual(parseCsv('a;b;c\n1;2;3'), [
    ['a', 'b', 'c'],
    ['1', '2', '3'],
  ]);
  assert.deepEqual(parseCsv('a\tb\n1\t2\n'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
});

test('header names compare without case, spaces or punctuation', () => {
  assert.equal(normaliseHeader('Onset Frame'), normaliseHeader('onset_frame'));
  assert.equal(normaliseHeader('OnsetFrame:'), 'onsetframe');
  assert.equal(normaliseHeader('Action  Units'), 'actionunits');
});
