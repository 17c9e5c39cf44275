/**
 * Writes a CLIP folder with the layout, input/output names and shapes of the public ONNX export of
 * openai/clip-vit-base-patch32, with random weights, in fp32 and in the int8 dynamic-quantised form of its
 * `*_quantized.onnx` files. For rehearsing the real-model path (download size per tab, load time, encode rate,
 * operator support per backend) on a machine without internet. Its embeddings mean nothing.
 *
 *   npx tsx tools/write-rehearsal-model.ts [--out models/rehearsal-vit-b32] [--only fp32|quantized]
 *   npm run serve -- --model models/rehearsal-vit-b32
 */
import { parseArgs } from 'node:util';
import { CLIP_VIT_B32 } from './rehearsal-model/clip-architecture';
import type { TowerPrecision } from './rehearsal-model/clip-towers';
import { writeRehearsalFolder } from './rehearsal-model/rehearsal-folder';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'models/rehearsal-vit-b32' }, only: { type: 'string' } },
});
const precisions: TowerPrecision[] = values.only === 'fp32' || values.only === 'quantized' ? [values.only] : ['fp32', 'quantized'];
const started = Date.now();
const manifest = writeRehearsalFolder(values.out, CLIP_VIT_B32, precisions, (line) => console.log(line));
const total = Object.values(manifest.files).reduce((s, f) => s + f.bytes, 0);
console.log(`${values.out}: ${(total / 1e6).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s. Use it with: npm run serve -- --model ${values.out}`);
