import cliProgress from 'cli-progress';
import type { ProgressFn } from './image-set';

/**
 * A terminal progress bar (count, percentage, ETA) that follows the stages it is told about:
 * a new stage closes the previous bar and opens a new one. When stderr is not a terminal it prints
 * one line per stage instead of redrawing.
 */
export function consoleProgress(label: string): ProgressFn {
  let bar: cliProgress.SingleBar | null = null;
  let stage = '';
  let lastLineAt = 0;
  const interactive = Boolean(process.stderr.isTTY);
  return ({ stage: next, done, total }) => {
    if (!interactive) {
      const now = Date.now();
      if (next !== stage || done >= total || now - lastLineAt > 5000) {
        process.stderr.write(`${label} ${next}: ${done}/${total}\n`);
        lastLineAt = now;
      }
      stage = next;
      return;
    }
    if (next !== stage || bar === null) {
      bar?.stop();
      stage = next;
      bar = new cliProgress.SingleBar(
        { format: `${label} ${next} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done);
    } else {
      bar.setTotal(total);
      bar.update(done);
    }
    if (done >= total) {
      bar.stop();
      bar = null;
      stage = '';
    }
  };
}
