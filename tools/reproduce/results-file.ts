import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExperimentResult } from './experiment';

/** One JSON line per finished experiment: a suite that stops part-way resumes where it left off. */
export async function readResults(file: string): Promise<ExperimentResult[]> {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as ExperimentResult);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export async function appendResult(file: string, result: ExperimentResult): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, JSON.stringify(result) + '\n');
}
