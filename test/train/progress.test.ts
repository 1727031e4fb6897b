import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainProgressTracker, describeProgress, parseTrainLine } from '../../src/core/train/progress';

test('tqdm bar lines give step/total (last carriage-return update wins)', () => {
  assert.deepEqual(parseTrainLine(' 10%|█         | 120/1200 [02:00<18:00,  1.00s/it]'), { step: 120, total: 1200 });
  assert.deepEqual(parseTrainLine('  1%|          | 5/1200 [00:05<20:00, 1.0s/it]\r  1%|          | 6/1200 [00:06<19:59, 1.0s/it]'), { step: 6, total: 1200 });
  assert.deepEqual(parseTrainLine('  0%|          | 0/1200 [00:00<?, ?it/s]'), { step: 0, total: 1200 });
});

test('Trainer log dicts give loss, learning rate and epoch (numbers or quoted numbers)', () => {
  assert.deepEqual(parseTrainLine("{'loss': 1.2345, 'grad_norm': 0.51, 'learning_rate': 9.98e-05, 'epoch': 0.12}"), {
    loss: 1.2345,
    learningRate: 9.98e-5,
    epoch: 0.12,
  });
  assert.deepEqual(parseTrainLine("{'loss': '0.8123', 'learning_rate': '5e-05', 'epoch': '1.0'}"), { loss: 0.8123, learningRate: 5e-5, epoch: 1 });
});

test("LLaMA-Factory's trainer_log.jsonl lines", () => {
  assert.deepEqual(parseTrainLine('{"current_steps": 10, "total_steps": 1200, "loss": 2.1, "lr": 0.0001, "epoch": 0.05, "percentage": 0.83}'), {
    step: 10,
    total: 1200,
    loss: 2.1,
    learningRate: 1e-4,
    epoch: 0.05,
  });
});

test('other lines are ignored and the tracker keeps the latest of each field', () => {
  assert.equal(parseTrainLine('[INFO] loading checkpoint shards'), null);
  const t = new TrainProgressTracker();
  t.update(' 5%|▌ | 60/1200 [01:00<19:00, 1.0s/it]');
  t.update("{'loss': 1.5, 'learning_rate': 0.0001, 'epoch': 0.1}");
  const p = t.update(' 6%|▌ | 70/1200 [01:10<18:50, 1.0s/it]');
  assert.deepEqual(p, { step: 70, total: 1200, loss: 1.5, learningRate: 1e-4, epoch: 0.1 });
  assert.equal(describeProgress(t.current), 'step 70/1200, loss 1.5000, lr 1.00e-4');
});
