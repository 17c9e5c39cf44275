import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import QRCode from 'qrcode';
import type { RunRegistry } from '../runs/run-registry';
import type { FederatedRun } from '../runs/federated-run';
import { metricsToCsv } from './dashboard-csv';
import { joinAddresses, joinUrl, type JoinAddresses } from './dashboard-join';
import { joinQuery, joinResponse, runParams } from './route-schemas';
import { useZodSchemas } from './zod-type-provider';

export interface DashboardRoutesOptions {
  registry: RunRegistry;
  rateLimitPerMinute?: number;
}

/** A file name safe for Content-Disposition: run ids are short, but keep only characters no header parser trips on. */
const fileStem = (runId: string) => runId.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Routes for the operator dashboard: the page's short address, metrics exports (CSV and JSON, as downloads), and
 * the join link with a QR code for a classroom. All read-only and public like GET /api/runs/:runId/metrics.
 */
export async function dashboardRoutes(plain: FastifyInstance, opts: DashboardRoutesOptions): Promise<void> {
  const app = useZodSchemas(plain);
  // QR codes cost CPU; these routes get the same per-client budget as the rest of the API.
  await app.register(rateLimit, { max: opts.rateLimitPerMinute ?? 300, timeWindow: '1 minute' });

  const findRun = (runId: string, reply: FastifyReply): FederatedRun | undefined => {
    const run = opts.registry.get(runId);
    if (!run) void reply.code(404).send({ error: `no run ${runId}` });
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
  const pickOrigin = (base: string | undefined, reply: FastifyReply, addresses: JoinAddresses): string | undefined => {
    if (base === undefined) return addresses.origins[0];
    if (addresses.origins.includes(base)) return base;
    void reply.code(400).send({ error: `base must be one of: ${addresses.origins.join(', ')}` });
    return undefined;
  };

  app.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard.html'));

  app.get('/api/runs/:runId/export.csv', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req.params.runId, reply);
    if (!run) return;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileStem(run.id)}-metrics.csv"`)
      .send(metricsToCsv(run.publicMetrics()));
  });

  app.get('/api/runs/:runId/export.json', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req.params.runId, reply);
    if (!run) return;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileStem(run.id)}-metrics.json"`)
      .send(JSON.stringify(run.publicMetrics(), null, 2));
  });

  app.get(
    '/api/runs/:runId/join',
    { schema: { params: runParams, querystring: joinQuery, response: { 200: joinResponse } } },
    async (req, reply) => {
      const run = findRun(req.params.runId, reply);
      if (!run) return;
      const addresses = addressesFor(req);
      const origin = pickOrigin(req.query.base, reply, addresses);
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

  app.get(
    '/api/runs/:runId/join.svg',
    { schema: { params: runParams, querystring: joinQuery } },
    async (req, reply) => {
      const run = findRun(req.params.runId, reply);
      if (!run) return;
      const origin = pickOrigin(req.query.base, reply, addressesFor(req));
      if (!origin) return;
      // Medium error correction survives a projector's glare and a phone camera at the back of a room.
      const svg = await QRCode.toString(joinUrl(origin, run.id), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.type('image/svg+xml').header('cache-control', 'no-cache').send(svg);
    },
  );
}
