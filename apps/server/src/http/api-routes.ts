import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { timingSafeEqual } from 'node:crypto';
import { encodeShard, encodeTensorFile, type ImageShard } from '@clipfed/protocol';
import { TaskConfigError } from '../runs/emoji-task';
import type { RunRegistry } from '../runs/run-registry';
import type { FederatedRun } from '../runs/federated-run';
import { roundParams, runConfigBody, runParams, shardParams, shardQuery } from './route-schemas';
import { useZodSchemas } from './zod-type-provider';

export interface ApiOptions {
  registry: RunRegistry;
  operatorToken: string;
  rateLimitPerMinute?: number;
}

/**
 * The HTTP API: run management for operators (token), shard and weight downloads for clients and auditors. Every
 * route's params, query and body are zod schemas (route-schemas.ts; the run config is `runConfigSchema`), checked
 * before the handler runs, so handlers take typed, parsed values.
 */
export async function apiRoutes(plain: FastifyInstance, opts: ApiOptions): Promise<void> {
  const app = useZodSchemas(plain);
  const { registry } = opts;
  // Scoped to the API: model and page downloads are static and cached by the browser.
  await app.register(rateLimit, { max: opts.rateLimitPerMinute ?? 1200, timeWindow: '1 minute' });
  // Operator actions are rare; a tighter limit makes guessing the token slow.
  const operatorLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };
  const shardBytes = new WeakMap<ImageShard, Uint8Array>();

  const isOperator = (req: FastifyRequest) => req.headers.authorization !== undefined && timingSafeEqualText(req.headers.authorization, `Bearer ${opts.operatorToken}`);
  const requireOperator = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.headers.authorization) return reply.code(401).send({ error: 'operator token required (Authorization: Bearer <token>)' });
    if (!isOperator(req)) return reply.code(403).send({ error: 'wrong operator token' });
  };
  const findRun = (runId: string, reply: FastifyReply): FederatedRun | undefined => {
    const run = registry.get(runId);
    const damage = run ? undefined : registry.damage(runId);
    if (damage) void reply.code(409).send({ error: `run ${damage.runId} is damaged: ${damage.problem}`, status: 'damaged', problem: damage.problem });
    else if (!run) void reply.code(404).send({ error: `no run ${runId}` });
    return run;
  };

  app.get('/api/health', async () => ({ ok: true }));

  // Damaged run folders are listed too, so a run never vanishes quietly.
  app.get('/api/runs', async () => [...registry.list().map((r) => ({ ...r.state(), config: r.config })), ...registry.damaged()]);

  // The token is checked before the body, so a caller without it learns nothing from the schema's refusals.
  app.post('/api/runs', { preValidation: requireOperator, config: operatorLimit, schema: { body: runConfigBody } }, async (req, reply) => {
    try {
      const run = await registry.create(req.body);
      return reply.code(201).send({ runId: run.id, state: run.state(), config: run.config });
    } catch (e) {
      if (e instanceof TaskConfigError) return reply.code(400).send({ error: e.message });
      throw e;
    }
  });

  app.get('/api/runs/:runId', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req.params.runId, reply);
    if (!run) return;
    return { state: run.state(), config: run.config, clients: run.clientSummaries(isOperator(req)), classNames: run.task.classNames };
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(`/api/runs/:runId/${action}`, { preValidation: requireOperator, config: operatorLimit, schema: { params: runParams } }, async (req, reply) => {
      const run = findRun(req.params.runId, reply);
      if (!run) return;
      if (action === 'pause') run.pause('paused by the operator');
      else if (action === 'resume') run.resume();
      else run.stop('stopped by the operator');
      return run.state();
    });
  }

  app.get('/api/runs/:runId/metrics', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req.params.runId, reply);
    if (!run) return;
    // The operator sees every row whole; the public sees what public-view.ts allows.
    return isOperator(req) ? run.metrics : run.publicMetrics();
  });

  app.get(
    '/api/runs/:runId/shards/:clientId',
    { schema: { params: shardParams, querystring: shardQuery } },
    async (req, reply) => {
      const run = findRun(req.params.runId, reply);
      if (!run) return;
      // Client ids are public; the key from the client's own welcome is what proves the shard is its own.
      const shard = run.shardFor(req.params.clientId, req.query.key);
      if (!shard) return reply.code(403).send({ error: `a shard is served only to its own client, with the link from that client's welcome` });
      let bytes = shardBytes.get(shard);
      if (!bytes) shardBytes.set(shard, (bytes = encodeShard(shard)));
      return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.get('/api/runs/:runId/global', { schema: { params: runParams } }, async (req, reply) => {
    const run = findRun(req.params.runId, reply);
    if (!run) return;
    const bytes = encodeTensorFile(run.global, { runId: run.id, round: run.round });
    return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer));
  });

  app.get(
    '/api/runs/:runId/rounds/:round/aggregation',
    { schema: { params: roundParams } },
    async (req, reply) => {
      const run = findRun(req.params.runId, reply);
      if (!run) return;
      const record = run.records.get(req.params.round);
      if (!record) {
        return reply.code(404).send({ error: `round ${req.params.round} is not recorded (start the server with --record-uploads; the last 5 rounds are kept)` });
      }
      const tensors = [
        ...record.global.map((t) => ({ ...t, name: `global/${t.name}` })),
        ...record.uploads.flatMap((u) => u.weights.map((t) => ({ ...t, name: `${u.clientId}/${t.name}` }))),
      ];
      const meta = { round: record.round, mode: record.mode, uploads: record.uploads.map((u) => ({ clientId: u.clientId, numSamples: u.numSamples })) };
      const bytes = encodeTensorFile(tensors, meta);
      return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer));
    },
  );
}

/** Compares secrets in constant time, so response timing does not reveal how much of a guess was right. */
function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
