import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, updateNorm, type WeightSet } from '@clipfed/fl';
import { FIXTURE_OPERATOR_TOKEN, startFixtureServer, type FixtureServer } from './fixture-server';
import { privacySpent } from '../../apps/server/src/runs/privacy-spent';
import { RawVolunteer, shifted } from './raw-volunteer';
import { roundStartSchema, decodeTensors } from '@clipfed/protocol';

let fixture: FixtureServer;
const volunteers: RawVolunteer[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  for (const v of volunteers) v.close();
  await fixture?.close();
});

describe('client-level DP noise', { timeout: 300_000 }, () => {
  it('cannot be regenerated from the public seed and subtracted to recover the clipped mean', async () => {
    const seed = 1234;
    const run = await fixture.createRun({ rounds: 1, minClients: 2, seed, updateDtype: 'float32', dp: { clipNorm: 0.1, noiseMultiplier: 1 } });
    // The seed is public: anyone can read it.
    const listed = (await (await fetch(`${fixture.server.url}/api/runs`)).json()) as { runId: string; config: { seed: number } }[];
    expect(listed.find((r) => r.runId === run.id)?.config.seed).toBe(seed);

    const pair = [await RawVolunteer.connect(fixture.server.url), await RawVolunteer.connect(fixture.server.url)];
    volunteers.push(...pair);
    for (const v of pair) expect((await v.hello(run.id)).ok).toBe(true);
    const rounds = pair.map((v) => v.nextRound());
    for (const v of pair) v.ready(run.id);
    const started = await Promise.all(rounds);
    const start = started[0].weights;
    const finished = new Promise((r) => run.once('finished', r));
    // Both send the adapter unchanged: the clipped mean is the adapter itself, so the global minus it is the noise.
    for (const [i, v] of pair.entries()) expect(await v.upload(run.id, started[i].round, shifted(start, 0), 10)).toEqual({ accepted: true });
    await finished;

    const noise = run.global.map((t, k) => ({ ...t, data: t.data.map((v, i) => v - start[k].data[i]) }));
    const std = (1 * 0.1) / 2;
    // The attack: regenerate the noise the way a seeded implementation would draw it, and subtract it.
    const regenerated = new SeededRandom(seed * 7919 + 1);
    const guess: WeightSet = noise.map((t) => ({ ...t, data: t.data.map(() => std * regenerated.normal()) }));
    const zero = noise.map((t) => ({ ...t, data: new Float32Array(t.data.length) }));
    const noiseSize = updateNorm(noise, zero);
    expect(noiseSize).toBeGreaterThan(0);
    // Independent draws: what is left after subtracting is about √2 times the noise, never near zero.
    expect(updateNorm(noise, guess) / noiseSize).toBeGreaterThan(1.2);
  });
  it('with Poisson sampling, a round that drew nobody still releases noise and counts, instead of drawing again', async () => {
    // q = 0.05 among two clients: 90 % of the rounds draw nobody.
    const dp = { clipNorm: 0.1, noiseMultiplier: 1, sampleRate: 0.05 };
    const run = await fixture.createRun({ rounds: 6, minClients: 2, updateDtype: 'float32', dp });
    const start = run.global.map((t) => ({ ...t, data: Float32Array.from(t.data) }));
    const pair = [await RawVolunteer.connect(fixture.server.url), await RawVolunteer.connect(fixture.server.url)];
    volunteers.push(...pair);
    for (const v of pair) {
      expect((await v.hello(run.id)).ok).toBe(true);
      // An honest volunteer that sends back what it was given whenever it is drawn.
      v.socket.on('round:start', (raw) => {
        const r = roundStartSchema.parse(raw);
        void v.upload(run.id, r.round, decodeTensors(r.weights), 10);
      });
    }
    const finished = new Promise((r) => run.once('finished', r));
    for (const v of pair) v.ready(run.id);
    await finished;

    const rows = run.metrics.slice(1);
    expect(rows.map((m) => m.round)).toEqual([1, 2, 3, 4, 5, 6]);
    // (1 - 0.05)^2 per round: the chance that none of six rounds drew nobody is 1e-6.
    expect(rows.some((m) => m.participants.length === 0)).toBe(true);
    expect(rows.at(-1)!.dpEpsilon).toBeCloseTo(privacySpent({ ...dp, delta: 1e-5 }, 6).dpEpsilon, 6);
    // Uploads equal to the model move nothing, so the change is the noise of six releases: std sigma * C / max(1, qN) each.
    const zero = start.map((t) => ({ ...t, data: new Float32Array(t.data.length) }));
    const moved = run.global.map((t, k) => ({ ...t, data: t.data.map((v, i) => v - start[k].data[i]) }));
    const perCoordinate = updateNorm(moved, zero) / Math.sqrt(start.reduce((n, t) => n + t.data.length, 0));
    expect(perCoordinate).toBeGreaterThan(0.1 * Math.sqrt(6) * 0.8);
    expect(perCoordinate).toBeLessThan(0.1 * Math.sqrt(6) * 1.2);

    // Amplification by sampling needs the draw to stay secret: the public learns neither who took part nor how many.
    const url = `${fixture.server.url}/api/runs/${run.id}`;
    const publicRows = (await (await fetch(`${url}/metrics`)).json()) as Record<string, unknown>[];
    expect(publicRows.every((r) => Array.isArray(r.participants) && r.participants.length === 0 && !('numSamples' in r) && !('selected' in r))).toBe(true);
    expect(publicRows.at(-1)).toMatchObject({ round: 6, dpEpsilon: expect.any(Number), accuracy: expect.any(Number) });
    const publicView = (await (await fetch(url)).json()) as { clients: { roundsContributed: number; stage: string }[] };
    expect(publicView.clients.every((c) => c.roundsContributed === 0 && (c.stage === 'connected' || c.stage === 'disconnected'))).toBe(true);
    expect(pair.flatMap((v) => v.states).every((st) => st.lastMetrics?.participantCount === undefined)).toBe(true);
    // The operator sees everything.
    const operator = { headers: { authorization: `Bearer ${FIXTURE_OPERATOR_TOKEN}` } };
    const operatorRows = (await (await fetch(`${url}/metrics`, operator)).json()) as { participants: string[] }[];
    expect(operatorRows.map((r) => r.participants.length)).toEqual(run.metrics.map((m) => m.participants.length));
    const operatorView = (await (await fetch(url, operator)).json()) as { clients: { roundsContributed: number }[] };
    expect(operatorView.clients.reduce((n, c) => n + c.roundsContributed, 0)).toBe(run.metrics.reduce((n, m) => n + m.participants.length, 0));
  });
});
