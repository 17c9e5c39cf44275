import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '@clipfed/protocol';
import { runSummaryText } from './run-summary';

describe('run summary', () => {
  it('names the held-out style of an EmojiDomains run', () => {
    const text = runSummaryText('r1', runConfigSchema.parse({ emojiDomains: { heldOutDomain: 'noto' } }));
    expect(text).toBe('r1 · fedclip on emoji-domains (held-out style noto) · 10 rounds · 1 local epoch · fedavg · deadline 120 s');
  });

  it('describes a Fashion-MNIST-LT run by its long tail, never by a held-out style', () => {
    const text = runSummaryText('r2', runConfigSchema.parse({ algorithm: 'clip2fl', dataset: 'fashion-mnist-lt', fashionMnistLt: { imbalanceFactor: 10 }, localEpochs: 2 }));
    expect(text).toContain('clip2fl on fashion-mnist-lt (imbalance factor 10, 20 shards, Dirichlet α 0.5)');
    expect(text).toContain('2 local epochs');
    expect(text).not.toMatch(/held-out|openmoji/);
  });

  it("names the method a run amounts to on CLIP2FL's student: FedAvg for fedclip, CLIP2FL without KD when it has none", () => {
    const fedavg = runSummaryText('r3', runConfigSchema.parse({ dataset: 'fashion-mnist-lt', clientModel: 'student-resnet8' }));
    expect(fedavg).toContain('r3 · fedclip · FedAvg (student-resnet8) on fashion-mnist-lt');
    const noKd = runSummaryText('r4', runConfigSchema.parse({ algorithm: 'clip2fl', dataset: 'fashion-mnist-lt', clientModel: 'student-resnet8', clip2fl: { kd: false } }));
    expect(noKd).toContain('clip2fl · CLIP2FL without KD (student-resnet8) on fashion-mnist-lt');
  });
});
