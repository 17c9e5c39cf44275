import { defineConfig } from '@playwright/test';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 8181);
export const E2E_OPERATOR_TOKEN = 'e2e-operator-token';
/**
 * A name the browser resolves to this machine (`--host-resolver-rules`), so a page can be opened as a classroom's
 * phones open it: plain http on an address that is not localhost, which is not a secure context.
 */
export const E2E_LAN_HOST = 'classroom.test';

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against a real server started by
 * `webServer`. WebGPU runs on SwiftShader here, which needs --enable-unsafe-webgpu.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 15 * 60_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        `--host-resolver-rules=MAP ${E2E_LAN_HOST} 127.0.0.1`,
      ],
    },
  },
  webServer: {
    command: `npx tsx apps/server/src/cli.ts serve --no-run --record-uploads --port ${E2E_PORT} --allowed-hosts ${E2E_LAN_HOST} --runs-dir test-results/e2e-runs`,
    url: `http://localhost:${E2E_PORT}/api/health`,
    env: { CLIPFED_OPERATOR_TOKEN: E2E_OPERATOR_TOKEN, LOG_LEVEL: 'warn' },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
  },
});
