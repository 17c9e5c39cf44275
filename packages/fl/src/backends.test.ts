import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initNodeTfBackend } from './backends';
import { BackendError } from './errors';

describe('initNodeTfBackend', () => {
  it('skips tfjs-node when it is not installed, says why, and falls back to wasm', async () => {
    const logs: string[] = [];
    const choice = await initNodeTfBackend(undefined, (m) => logs.push(m));
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toMatch(/tensorflow: @tensorflow\/tfjs-node is not installed/);
    expect(logs.some((l) => l.includes('unavailable'))).toBe(true);
  });

  it('honours an explicit order and rejects unknown names', async () => {
    expect((await initNodeTfBackend(['cpu', 'wasm'], () => {})).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(initNodeTfBackend(['gpu'], () => {})).rejects.toThrow(BackendError);
    await expect(initNodeTfBackend(['tfjs-node'], () => {})).rejects.toThrow(/no tfjs backend could start/);
  });
});
