import { spawn } from 'node:child_process';

/** The desktop's "open this link" command, or undefined where there is no desktop to open a browser on. */
export function openCommand(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): [string, string[]] | undefined {
  if (platform === 'darwin') return ['open', []];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  // A Linux server over SSH or in CI has no display: printing the link is all that can be done there.
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', []] : undefined;
}

/**
 * Opens a link in the default browser, best effort: a missing opener only means the teacher clicks the printed
 * link instead, so failures are reported as false, never thrown.
 */
export function openInBrowser(url: string, platform = process.platform, env = process.env): Promise<boolean> {
  const command = openCommand(platform, env);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command[0], [...command[1], url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
