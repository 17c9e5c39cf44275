import { serveCommand, SERVE_HELP } from './cli/serve-command';
import { simulateCommand, SIMULATE_HELP } from './cli/simulate-command';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; help: string }> = {
  serve: { run: serveCommand, help: SERVE_HELP },
  simulate: { run: simulateCommand, help: SIMULATE_HELP },
};

const [command = 'serve', ...rest] = process.argv.slice(2);
const entry = COMMANDS[command];
if (!entry) {
  console.error(`clipfed: unknown command "${command}"\n\n${Object.values(COMMANDS).map((c) => c.help).join('\n\n')}`);
  process.exit(1);
}
await entry.run(rest);
