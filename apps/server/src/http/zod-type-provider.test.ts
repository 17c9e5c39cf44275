import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { useZodSchemas } from './zod-type-provider';

const body = z.object({ size: z.number().int().min(1), label: z.string().default('none') }).strict().describe('thing');
const params = z.object({ id: z.string().max(4), n: z.coerce.number().int().min(1) });
const query = z.object({ verbose: z.enum(['yes', 'no']).optional() });
const answer = z.object({ id: z.string(), n: z.number() });

let app: FastifyInstance;
let seen: unknown[] = [];

beforeAll(async () => {
  app = Fastify();
  await app.register(async (scope) => {
    const typed = useZodSchemas(scope);
    typed.post('/things/:id/:n', { schema: { body, params, querystring: query } }, async (req) => {
      // The handler gets the schemas' outputs: parsed, defaults filled in, no second check.
      expectTypeOf(req.body).toEqualTypeOf<{ size: number; label: string }>();
      expectTypeOf(req.params).toEqualTypeOf<{ id: string; n: number }>();
      expectTypeOf(req.query).toEqualTypeOf<{ verbose?: 'yes' | 'no' | undefined }>();
      seen.push({ body: req.body, params: req.params, query: req.query });
      return { ok: true };
    });
    typed.get('/answer/:id', { schema: { params: z.object({ id: z.string() }), response: { 200: answer } } }, async (req) => {
      if (req.params.id === 'wrong') return { id: 'x', n: 'not a number' } as unknown as z.input<typeof answer>;
      return { id: req.params.id, n: 1, secret: 'dropped' } as z.input<typeof answer>;
    });
    typed.get('/fails', async () => {
      throw Object.assign(new Error('teapot'), { statusCode: 418 });
    });
  });
});

afterAll(async () => {
  await app?.close();
});

describe('zod route schemas', () => {
  it('hands the handler the parsed values', async () => {
    seen = [];
    const res = await app.inject({ method: 'POST', url: '/things/ab/3?verbose=yes', payload: { size: 2 } });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([{ body: { size: 2, label: 'none' }, params: { id: 'ab', n: 3 }, query: { verbose: 'yes' } }]);
  });

  it('refuses a body with a 400 naming the schema and the reason', async () => {
    const res = await app.inject({ method: 'POST', url: '/things/ab/3', payload: { size: 0, extra: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid thing: size: Too small: expected number to be >=1; (message): Unrecognized key: "extra"' });
  });

  it('refuses a missing body as a missing object', async () => {
    const res = await app.inject({ method: 'POST', url: '/things/ab/3' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^invalid thing: \(message\): Invalid input: expected object, received null$/);
  });

  it('refuses params and query values by the part of the request they are in', async () => {
    const badId = await app.inject({ method: 'POST', url: '/things/abcde/3', payload: { size: 1 } });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toEqual({ error: 'invalid path: id: Too big: expected string to have <=4 characters' });
    const badN = await app.inject({ method: 'POST', url: '/things/ab/x', payload: { size: 1 } });
    expect(badN.json()).toEqual({ error: 'invalid path: n: Invalid input: expected number, received NaN' });
    const badQuery = await app.inject({ method: 'POST', url: '/things/ab/3?verbose=maybe', payload: { size: 1 } });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json()).toEqual({ error: 'invalid query: verbose: Invalid option: expected one of "yes"|"no"' });
  });

  it('serialises responses through their schema', async () => {
    const res = await app.inject('/answer/ab');
    expect(res.json()).toEqual({ id: 'ab', n: 1 });
    const wrong = await app.inject('/answer/wrong');
    expect(wrong.statusCode).toBe(500);
  });

  it('leaves other errors to the parent error handler', async () => {
    const res = await app.inject('/fails');
    expect(res.statusCode).toBe(418);
    expect(res.json()).toMatchObject({ statusCode: 418, message: 'teapot' });
  });

  it('refuses a route schema that is not a zod schema when the route is built', async () => {
    const other = Fastify();
    await other.register(async (scope) => {
      useZodSchemas(scope).post('/x', { schema: { body: { type: 'object' } } }, async () => ({}));
    });
    await expect(other.ready()).rejects.toThrow(/POST \/x body: route schemas here are zod schemas/);
    await other.close();
  });
});
