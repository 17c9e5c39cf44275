import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureClipModel } from '@clipfed/clip/testing';

/**
 * The model the round benchmarks serve: the built-in one when it is built, otherwise the test fixture at
 * d = 512 (random weights, so the adapter has the real 525,312 parameters and the bytes are the real ones).
 */
export async function roundBenchModel(root: string, cacheDir: string): Promise<{ dir: string; label: string }> {
  const builtin = join(root, 'models/builtin');
  if (existsSync(join(builtin, 'manifest.json'))) return { dir: builtin, label: 'the built-in model (models/builtin)' };
  const dir = join(cacheDir, 'fixture-512');
  if (!existsSync(join(dir, 'manifest.json'))) await writeFixtureClipModel(dir, { embedDim: 512, imageSize: 32, seed: 1 });
  return { dir, label: 'the random-weight test fixture at d = 512 (models/builtin was not built yet)' };
}
