import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { z } from 'zod';
import { parseMessage } from '@clipfed/protocol';

/**
 * Fastify's type provider for zod route schemas: a route's `params`, `querystring`, `body` and `headers` types are
 * the schemas' outputs (defaults filled in, transforms run), and its response types the response schemas' inputs.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  readonly serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

export type ZodFastifyInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What a refusal calls each part of a request, unless its schema has a description (`.describe('run config')`). */
const PART_NAMES: Record<string, string> = { body: 'request body', params: 'path', querystring: 'query', headers: 'headers' };

/** A request part that its route's schema refuses; answered 400 `{ error: "invalid <part>: <reason>" }`. */
export class RequestValidationError extends Error {
  override name = 'RequestValidationError';
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';

  constructor(
    readonly part: string,
    readonly reason: string,
    what: string,
  ) {
    super(`invalid ${what}: ${reason}`);
  }
}

function zodSchema(schema: unknown, where: string): z.ZodType {
  if (typeof (schema as z.ZodType | null)?.safeParse !== 'function') throw new TypeError(`${where}: route schemas here are zod schemas`);
  return schema as z.ZodType;
}

/**
 * Validates a request part with its zod schema; the parsed value (not the raw one) is what the handler sees, so
 * handlers never parse again. Refusals carry the same one-sentence reason as every other inbound message
 * (`parseMessage`, packages/protocol).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, method, url, httpPart }) => {
  const part = httpPart ?? 'request';
  const zod = zodSchema(schema, `${method} ${url} ${part}`);
  const what = zod.description ?? PART_NAMES[part] ?? part;
  return (data: unknown) => {
    const parsed = parseMessage(zod, data);
    return parsed.ok ? { value: parsed.value } : { error: new RequestValidationError(part, parsed.reason, what) };
  };
};

/** Serialises a response through its zod schema: keys it does not declare are dropped, and a wrong shape is a server error. */
export const zodSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  const zod = zodSchema(schema, `${method} ${url} response ${httpStatus}`);
  return (data: unknown) => {
    const parsed = parseMessage(zod, data);
    if (!parsed.ok) throw new Error(`${method} ${url}: the ${httpStatus} response does not match its schema: ${parsed.reason}`);
    return JSON.stringify(parsed.value);
  };
};

/**
 * Makes this plugin scope's routes take zod schemas: validation and serialisation through zod, refusals as
 * 400 `{ error }`, and route handlers typed from the schemas. Other errors go on to the parent's error handler.
 */
export function useZodSchemas(app: FastifyInstance): ZodFastifyInstance {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof RequestValidationError) return reply.code(400).send({ error: error.message });
    throw error;
  });
  return app.withTypeProvider<ZodTypeProvider>();
}
