import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import QRCode from 'qrcode';
import type { RunRegistry } from '../runs/run-registry';
import type { FederatedRun } from '../runs/federated-run';
import { metricsToCsv } from './dashboard-csv';
import { joinAddresses, joinUrl, type JoinAddresses } from './dashboard-join';

export interface DashboardRoutesOptions {
  registry: RunRegistry;
  rateLimitPerMinute?: number;
}

type RunRequest = FastifyRequest<{ Params: { runId: string }; Querystring: { base?: string } }>;

const runParams = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const joinQuery = {
  type: 'object',
  properties: { base: { type: 'string', maxLength: 200, description: 'one of the origins GET /join lists; the first by default' } },
  additionalProperties: false,
} as const;

const joinResponse = {
  200: {
    type: 'object',
    required: ['runId', 'url', 'origins', 'qrSvgUrl'],
    properties: {
      runId: { type: 'string' },
      url: { type: 'string' },
      origins: { type: 'array', items: { type: 'string' } },
      hint: { type: 'string' },
      qrSvgUrl: { type: 'string' },
    },
  },
} as const;

/** A file name safe for Content-Disposition: run ids are short, but keep only characters no header parser trips on. */
const fileStem = (runId: string) => runId.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Routes for the operator dashboard: the page's short address, metrics exports (CSV and JSON, as downloads), and
 * the join link with a QR code for a classroom. All read-only and public like GET /api/runs/:runId/metrics.
 */
export async function dashboardRoutes(app: FastifyInstance, opts: DashboardRoutesOptions): Promise<void> {
  // QR codes cost CPU; these routes get the same per-client budget as the rest of the API.
  await app.register(rateLimit, { max: opts.rateLimitPerMinute ?? 300, timeWindow: '1 minute' });

  const findRun = (req: RunRequest, reply: FastifyReply): FederatedRun | undefined => {
    const run = opts.registry.get(req.params.runId);
    if (!run) void reply.code(404).send({ error: `no run ${req.params.runId}` });
    return run;
  };

  const addressesFor = (req: FastifyRequest): JoinAddresses => {
    const bound = app.server.address() as AddressInfo | null;
    return joinAddresses({
      requestOrigin: `${req.protocol}://${req.host}`,
      boundAddress: bound?.address ?? '',
      port: bound?.port ?? 80,
      interfaces: networkInterfaces(),
    });
  };

  /** The origin the QR code should carry: the one asked for when it is one of ours, else the best one. */
  const pickOrigin = (req: RunRequest, reply: FastifyReply, addresses: JoinAddresses): string | undefined => {
    const { base } = req.query;
    if (base === undefined) return addresses.origins[0];
    if (addresses.origins.includes(base)) return base;
    void reply.code(400).send({ error: `base must be one of: ${addresses.origins.join(', ')}` });
    return undefined;
  };

  app.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard.html'));

  app.get<{ Params: { runId: string } }>('/api/runs/:runId/export.csv', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req as RunRequest, reply);
    if (!run) return;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileStem(run.id)}-metrics.csv"`)
      .send(metricsToCsv(run.metrics));
  });

  app.get<{ Params: { runId: string } }>('/api/runs/:runId/export.json', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req as RunRequest, reply);
    if (!run) return;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileStem(run.id)}-metrics.json"`)
      .send(JSON.stringify(run.metrics, null, 2));
  });

  app.get<{ Params: { runId: string }; Querystring: { base?: string } }>(
    '/api/runs/:runId/join',
    { schema: { params: runParams, querystring: joinQuery, response: joinResponse } },
    async (req, reply) => {
      const run = findRun(req, reply);
      if (!run) return;
      const addresses = addressesFor(req);
      const origin = pickOrigin(req, reply, addresses);
      if (!origin) return;
      return {
        runId: run.id,
        url: joinUrl(origin, run.id),
        origins: addresses.origins,
        hint: addresses.hint,
        qrSvgUrl: `/api/runs/${encodeURIComponent(run.id)}/join.svg?base=${encodeURIComponent(origin)}`,
      };
    },
  );

  app.get<{ Params: { runId: string }; Querystring: { base?: string } }>(
    '/api/runs/:runId/join.svg',
    { schema: { params: runParams, querystring: joinQuery } },
    async (req, reply) => {
      const run = findRun(req, reply);
      if (!run) return;
      const origin = pickOrigin(req, reply, addressesFor(req));
      if (!origin) return;
      // Medium error correction survives a projector's glare and a phone camera at the back of a room.
      const svg = await QRCode.toString(joinUrl(origin, run.id), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.type('image/svg+xml').header('cache-control', 'no-cache').send(svg);
    },
  );
}
