import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe } from 'vitest';

/**
 * Runs the same describe block once per tfjs backend. Vitest runs the blocks one after another,
 * and each block's beforeAll switches the (global) tfjs backend before its tests start.
 */
export function forEachBackend(backends: readonly string[], fn: (backend: string) => void): void {
  // Silences tfjs's console advice (e.g. "install tfjs-node") in test output. (IS_TEST would also
  // do that, but it turns on a kernel leak check that misfires on wasm's logSoftmax under tf.grad.)
  tf.env().set('PROD', true);
  for (const backend of backends) {
    describe(`on tfjs ${backend}`, () => {
      beforeAll(async () => {
        if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} could not start`);
        await tf.ready();
      });
      fn(backend);
    });
  }
}

/** The backends every algorithm test runs on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
