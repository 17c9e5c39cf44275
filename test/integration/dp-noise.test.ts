import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, updateNorm, type WeightSet } from '@clipfed/fl';
import { startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer, shifted } from './raw-volunteer';

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
});
