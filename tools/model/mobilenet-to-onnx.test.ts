import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '@clipfed/data';
import { backboneArtifacts, buildBackboneOnnx } from './backbone';
import { relativeMaxDiff } from './verify-export';

const FEATURE_NODE =
  'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';

describe('MobileNetV2 (nsfwjs) converted to ONNX', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('gives the features the original tfjs graph model gives, at 224x224', async () => {
    const art = backboneArtifacts();
    const weightSpecs = art.modelJson.weightsManifest.flatMap((g) => g.weights);
    const model = await tf.loadGraphModel(
      tf.io.fromMemory({ modelTopology: art.modelJson.modelTopology, weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[], weightData: art.weightData.slice().buffer }),
    );
    // A smooth random picture, [0,1] NHWC for tfjs; the ONNX graph takes 2x-1 in NCHW.
    const S = 224;
    const rng = new SeededRandom(5);
    const nhwc = new Float32Array(S * S * 3);
    const phase = [rng.next() * 6, rng.next() * 6, rng.next() * 6];
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) nhwc[(y * S + x) * 3 + c] = 0.5 + 0.5 * Math.sin(x / 9 + y / 13 + phase[c]) * Math.cos(y / 7 - phase[c]);
    const nchw = new Float32Array(nhwc.length);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) nchw[(c * S + y) * S + x] = nhwc[(y * S + x) * 3 + c] * 2 - 1;

    const expected = tf.tidy(() => (model.execute({ input: tf.tensor4d(nhwc, [1, S, S, 3]) }, FEATURE_NODE) as tf.Tensor).dataSync() as Float32Array);
    model.dispose();
    const session = await ort.InferenceSession.create(buildBackboneOnnx(S));
    const out = await session.run({ pixel_values: new ort.Tensor('float32', nchw, [1, 3, S, S]) });
    await session.release();
    const actual = out.features.data as Float32Array;
    expect(actual.length).toBe(1792);
    expect(relativeMaxDiff(actual, expected)).toBeLessThan(5e-4);
  });

  it('keeps the weights as uint8 (about 4.4 MB for 4.3 M parameters)', () => {
    expect(buildBackboneOnnx(128).byteLength).toBeLessThan(5_000_000);
  });
});
