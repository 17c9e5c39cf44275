import type { FastifyInstance } from 'fastify';
import type { HttpReply, RelayEnvelope } from './relay-messages';

export interface HttpForwardingOptions {
  processId: string;
  isLocal(runId: string): boolean;
  /** The live process owning a run that is not local, or null. */
  ownerOf(runId: string): Promise<string | null>;
  forward(owner: string, make: (req: number) => RelayEnvelope): Promise<HttpReply>;
}

/** Request headers that matter to the owner (authorisation, body type, content negotiation); nothing else crosses. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept'];

/**
 * Requests under /api/runs/:runId for a run owned by another process are answered by that process (through the
 * relay), so a load balancer may send any request anywhere. Install before the routes are registered.
 */
export function installHttpForwarding(app: FastifyInstance, opts: HttpForwardingOptions): void {
  app.addHook('preValidation', async (req, reply) => {
    if (!req.routeOptions.url?.startsWith('/api/runs/:runId')) return;
    const runId = (req.params as { runId?: unknown }).runId;
    if (typeof runId !== 'string' || opts.isLocal(runId)) return;
    let owner: string | null;
    let res: HttpReply;
    try {
      owner = await opts.ownerOf(runId);
      if (!owner) return;
      res = await forwardRequest(owner);
    } catch (e) {
      // The relay is down or the owner did not answer: the caller hears why, and may retry.
      return reply.code(503).send({ error: (e as Error).message });
    }
    reply.code(res.status).header('x-clipfed-owner', owner);
    if (res.contentType) reply.type(res.contentType);
    return reply.send(Buffer.from(res.body.buffer, res.body.byteOffset, res.body.byteLength));

    function forwardRequest(owner: string): Promise<HttpReply> {
      const headers = Object.fromEntries(FORWARDED_HEADERS.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])));
      return opts.forward(owner, (id) => ({
        t: 'http',
        from: opts.processId,
        req: id,
        method: req.method,
        url: req.url,
        headers,
        body: req.body === undefined || req.body === null ? undefined : JSON.stringify(req.body),
        ip: req.ip,
      }));
    }
  });
}
