import { resolve } from 'node:path';
import type { ServerOptions } from '../server';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export const SERVER_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  classroom: { type: 'boolean', default: false },
  model: { type: 'string' },
  'runs-dir': { type: 'string' },
  'operator-token': { type: 'string' },
  'record-uploads': { type: 'boolean', default: false },
  redis: { type: 'string' },
  'trust-proxy': { type: 'boolean', default: false },
  'allowed-hosts': { type: 'string' },
} as const;

export const SERVER_FLAGS_HELP = `Server:
  --port <n>              HTTP + websocket port (default 8080, env PORT; 0 = any free port)
  --host <addr>           interface to listen on (default 127.0.0.1; with --classroom 0.0.0.0)
  --classroom             for a room of phones and laptops: listen on every interface, print the network link
                          and its QR code, and open the dashboard's projector view
  --model <dir>           CLIP model folder (default models/builtin)
  --runs-dir <dir>        where run folders are written (default runs)
  --operator-token <t>    operator token (default env CLIPFED_OPERATOR_TOKEN, else generated and printed)
  --record-uploads        keep the last rounds' uploads for /api/runs/:id/rounds/:r/aggregation
  --redis <url>           share volunteers with other server processes through Redis, e.g. redis://127.0.0.1:6379
                          (env CLIPFED_REDIS_URL; default: none, one process; see docs/DEPLOY.md)
  --trust-proxy           behind a reverse proxy: client addresses come from X-Forwarded-For (and the page's
                          scheme from X-Forwarded-Proto)
  --allowed-hosts <names> comma-separated host names the server answers to besides IP addresses, localhost and
                          this machine's name, e.g. the public name behind a proxy (env CLIPFED_ALLOWED_HOSTS);
                          requests for any other name are refused (DNS rebinding)`;

export function serverOptionsFromFlags(values: Record<string, string | boolean | undefined>): ServerOptions {
  return {
    port: Number(values.port ?? process.env.PORT ?? 8080),
    // A classroom's phones reach the server through the network, never through this computer's loopback.
    host: String(values.host ?? (values.classroom ? '0.0.0.0' : '127.0.0.1')),
    modelDir: resolve(String(values.model ?? resolve(REPO_ROOT, 'models/builtin'))),
    runsDir: resolve(String(values['runs-dir'] ?? resolve(REPO_ROOT, 'runs'))),
    cacheDir: resolve(REPO_ROOT, '.cache'),
    webDist: resolve(REPO_ROOT, 'apps/web/dist'),
    operatorToken: (values['operator-token'] as string | undefined) ?? process.env.CLIPFED_OPERATOR_TOKEN,
    recordUploads: Boolean(values['record-uploads']),
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    redisUrl: (values.redis as string | undefined) ?? (process.env.CLIPFED_REDIS_URL || undefined),
    trustProxy: Boolean(values['trust-proxy']),
    allowedHosts: String(values['allowed-hosts'] ?? process.env.CLIPFED_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  };
}
