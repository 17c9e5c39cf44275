import { resolve } from 'node:path';
import { exitUnlessSupportedRuntime } from './cli/supported-runtime';

// Checked before the commands are imported, so an unsupported Node fails with one clear message rather than an
// error from deep inside a dependency.
exitUnlessSupportedRuntime(resolve(import.meta.dirname, '../../..'));

const COMMANDS: Record<string, () => Promise<{ run: (argv: string[]) => Promise<void>; help: string }>> = {
  serve: async () => {
    const { serveCommand, SERVE_HELP } = await import('./cli/serve-command');
    return { run: serveCommand, help: SERVE_HELP };
  },
  simulate: async () => {
    const { simulateCommand, SIMULATE_HELP } = await import('./cli/simulate-command');
    return { run: simulateCommand, help: SIMULATE_HELP };
  },
};

const [command = 'serve', ...rest] = process.argv.slice(2);
const load = COMMANDS[command];
if (!load) {
  const helps = await Promise.all(Object.values(COMMANDS).map(async (c) => (await c()).help));
  console.error(`clipfed: unknown command "${command}"\n\n${helps.join('\n\n')}`);
  process.exit(1);
}
const entry = await load();
await entry.run(rest);
