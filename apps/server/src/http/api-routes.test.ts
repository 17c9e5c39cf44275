import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunConfig } from '@clipfed/protocol';
import { makeTestRun } from '../socket/dashboard-run.fixture';
import { TaskConfigError } from '../runs/emoji-task';
import type { RunRegistry } from '../runs/run-registry';
import { apiRoutes } from './api-routes';

const TOKEN = 'operator';
const operator = { authorization: `Bearer ${TOKEN}` };
const longId = 'x'.repeat(65);

let app: FastifyInstance;
let fixture: Awaited<ReturnType<typeof makeTestRun>>;
let created: RunConfig[] = [];

beforeAll(async () => {
  fixture = await makeTestRun({ rounds: 1, minClients: 1 });
  const registry = {
    ...fixture.registry,
    damage: () => undefined,
    // What the route hands on is what this records: the schema's output, defaults and derived name included.
    create: async (config: RunConfig) => {
      if (config.name === 'no-such-task') throw new TaskConfigError('dataset has no domain "nope"');
      created.push(config);
      return fixture.run;
    },
  } as unknown as RunRegistry;
  app = Fastify();
  await app.register(apiRoutes, { registry, operatorToken: TOKEN });
});

beforeEach(() => {
  created = [];
});

afterAll(async () => {
  await app?.close();
  await fixture?.cleanup();
});

const postRun = (payload: unknown, headers: Record<string, string> = operator) =>
  app.inject({ method: 'POST', url: '/api/runs', headers, payload: payload as string });

describe('POST /api/runs', () => {
  it('creates a run from a valid config, handing the registry the parsed config', async () => {
    const res = await postRun({ rounds: 3, algorithm: 'local' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ runId: fixture.run.id });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ rounds: 3, algorithm: 'local', name: 'local-emoji-domains', aggregation: 'fedavg', updateDtype: 'float16' });
  });

  it('refuses a config the schema refuses, with its reason', async () => {
    const cases: [unknown, string][] = [
      [{ rounds: 'many' }, 'invalid run config: rounds: Invalid input: expected number, received string'],
      [{ rounds: 0 }, 'invalid run config: rounds: Too small: expected number to be >=1'],
      [{ bogus: 1 }, 'invalid run config: (message): Unrecognized key: "bogus"'],
      [{ algorithm: 'sgd' }, 'invalid run config: algorithm: Invalid option: expected one of '],
      [{ minClients: 5, maxClientsPerRound: 2 }, 'invalid run config: maxClientsPerRound: maxClientsPerRound must be at least minClients'],
      [{ dp: { clipNorm: 1 } }, 'invalid run config: dp.noiseMultiplier: Invalid input: expected number, received undefined'],
      [[1, 2], 'invalid run config: (message): Invalid input: expected object, received array'],
      ['"text"', 'invalid run config: (message): Invalid input: expected object, received string'],
    ];
    for (const [payload, error] of cases) {
      const res = typeof payload === 'string'
        ? await app.inject({ method: 'POST', url: '/api/runs', headers: { ...operator, 'content-type': 'application/json' }, payload })
        : await postRun(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(res.json().error.startsWith(error), `${res.json().error} should start with ${error}`).toBe(true);
    }
    expect(created).toEqual([]);
  });

  it('refuses a request without a body as a missing run config', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/runs', headers: operator });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid run config: (message): Invalid input: expected object, received null' });
  });

  it('refuses text that is not JSON with a 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/runs', headers: { ...operator, 'content-type': 'application/json' }, payload: '{"rounds": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/not valid JSON/);
  });

  it('checks the operator token before the body', async () => {
    expect((await postRun({ rounds: 'many' }, {})).statusCode).toBe(401);
    expect((await postRun({ rounds: 'many' }, { authorization: 'Bearer wrong' })).statusCode).toBe(403);
  });

  it('answers a config the dataset cannot serve with 400 and its reason', async () => {
    const res = await postRun({ name: 'no-such-task' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'dataset has no domain "nope"' });
  });
});

describe('run routes', () => {
  it('refuses a run id longer than 64 characters on every run route', async () => {
    const routes: [string, string, Record<string, string>?][] = [
      ['GET', `/api/runs/${longId}`],
      ['GET', `/api/runs/${longId}/metrics`],
      ['GET', `/api/runs/${longId}/global`],
      ['GET', `/api/runs/${longId}/shards/c1`],
      ['GET', `/api/runs/${longId}/rounds/1/aggregation`],
      ['POST', `/api/runs/${longId}/pause`, operator],
      ['POST', `/api/runs/${longId}/stop`, operator],
    ];
    for (const [method, url, headers] of routes) {
      const res = await app.inject({ method: method as 'GET' | 'POST', url, headers });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({ error: 'invalid path: runId: Too big: expected string to have <=64 characters' });
    }
  });

  it('keeps 404 for a well-formed id of no run', async () => {
    const res = await app.inject('/api/runs/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no run nope' });
  });

  it('gives a run by id', async () => {
    const res = await app.inject(`/api/runs/${fixture.run.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().state.runId).toBe(fixture.run.id);
  });

  it('refuses a round number that is not a positive whole number', async () => {
    const cases: [string, string][] = [
      ['abc', 'round: Invalid input: expected number, received NaN'],
      ['0', 'round: Too small: expected number to be >=1'],
      ['1.5', 'round: Invalid input: expected int, received number'],
    ];
    for (const [round, reason] of cases) {
      const res = await app.inject(`/api/runs/${fixture.run.id}/rounds/${round}/aggregation`);
      expect(res.statusCode, round).toBe(400);
      expect(res.json(), round).toEqual({ error: `invalid path: ${reason}` });
    }
    // A well-formed round that was not recorded is still a 404 with its explanation.
    const missing = await app.inject(`/api/runs/${fixture.run.id}/rounds/1/aggregation`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/^round 1 is not recorded/);
  });

  it('refuses a shard key that is too long or given twice', async () => {
    const long = await app.inject(`/api/runs/${fixture.run.id}/shards/c1?key=${'k'.repeat(65)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ error: 'invalid query: key: Too big: expected string to have <=64 characters' });
    const twice = await app.inject(`/api/runs/${fixture.run.id}/shards/c1?key=a&key=b`);
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toEqual({ error: 'invalid query: key: Invalid input: expected string, received array' });
    // A well-formed wrong key is the shard's own refusal.
    expect((await app.inject(`/api/runs/${fixture.run.id}/shards/c1?key=abc`)).statusCode).toBe(403);
  });
});
