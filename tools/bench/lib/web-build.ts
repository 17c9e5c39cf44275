import { join } from 'node:path';
import { build } from 'vite';

/**
 * Builds the volunteer page and dashboard with the project's vite.config.ts into a bench-owned folder, so the
 * bench measures the current sources without touching apps/web/dist.
 */
export async function buildVolunteerPage(root: string, outDir: string): Promise<string> {
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
