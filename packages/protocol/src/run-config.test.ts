import { describe, expect, it } from 'vitest';
import { mainHeadName, methodName, runConfigSchema } from './run-config';

describe('a run config per client model', () => {
  it('trains the adapters as FedCLIP does and the student as CLIP2FL does, unless told otherwise', () => {
    expect(runConfigSchema.parse({})).toMatchObject({ clientModel: 'fedclip-adapter', learningRate: 5e-5, weightDecay: 0.2 });
    expect(runConfigSchema.parse({ clientModel: 'student-resnet8' })).toMatchObject({ learningRate: 0.1, weightDecay: 0 });
    expect(runConfigSchema.parse({ clientModel: 'student-resnet8', learningRate: 0.05, weightDecay: 5e-4 })).toMatchObject({ learningRate: 0.05, weightDecay: 5e-4 });
  });

  it('is named and described after the method it amounts to', () => {
    const parse = (c: object) => runConfigSchema.parse({ dataset: 'fashion-mnist-lt', ...c });
    expect(parse({}).name).toBe('fedclip-fashion-mnist-lt');
    expect(parse({ clientModel: 'student-resnet8' }).name).toBe('fedavg-student-resnet8-fashion-mnist-lt');
    expect(parse({ algorithm: 'creff', clientModel: 'student-resnet8' }).name).toBe('creff-student-resnet8-fashion-mnist-lt');
    expect(methodName(parse({}))).toBe('FedCLIP');
    expect(methodName(parse({ clientModel: 'student-resnet8' }))).toBe('FedAvg (student-resnet8)');
    expect(methodName(parse({ clientModel: 'clip-adapter' }))).toBe('FedAvg (clip-adapter)');
    expect(methodName(parse({ algorithm: 'clip2fl', clientModel: 'student-resnet8' }))).toBe('CLIP2FL (student-resnet8)');
    expect(methodName(parse({ algorithm: 'clip2fl', clientModel: 'student-resnet8', clip2fl: { kd: false } }))).toBe('CLIP2FL without KD (student-resnet8)');
    expect(methodName(parse({ algorithm: 'clip2fl' }))).toBe('CLIP2FL');
    expect(methodName(parse({ algorithm: 'zero-shot', clientModel: 'student-resnet8' }))).toBe('zero-shot CLIP');
    expect([mainHeadName('fedclip-adapter'), mainHeadName('student-resnet8')]).toEqual(['text prototypes', 'FedAvg head']);
  });
});
