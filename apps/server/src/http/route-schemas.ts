import { z } from 'zod';
import { runConfigSchema } from '@clipfed/protocol';

/** The body of POST /api/runs: the run-config schema itself, so its refusals read "invalid run config: …". */
export const runConfigBody = runConfigSchema.describe('run config');

const id = z.string().min(1).max(64);

/** /api/runs/:runId/… */
export const runParams = z.object({ runId: id });

/** /api/runs/:runId/shards/:clientId */
export const shardParams = runParams.extend({ clientId: id });

/** The shard key from the client's own welcome (its shard link carries it). */
export const shardQuery = z.object({ key: z.string().max(64).optional() });

/** /api/runs/:runId/rounds/:round/aggregation: path segments are text, so the round number is read from it. */
export const roundParams = runParams.extend({ round: z.coerce.number().int().min(1) });

/** The join link's origin: one of those GET /api/runs/:runId/join lists; the first by default. */
export const joinQuery = z.object({ base: z.string().max(200).optional() });

export const joinResponse = z.object({
  runId: z.string(),
  url: z.string(),
  origins: z.array(z.string()),
  hint: z.string().optional(),
  qrSvgUrl: z.string(),
});
