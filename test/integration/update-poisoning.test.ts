import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, updateNorm, type WeightSet } from '@clipfed/fl';
import type { RunConfigInput } from '@clipfed/protocol';
import { startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer } from './raw-volunteer';

let fixture: FixtureServer;
const volunteers: RawVolunteer[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  for (const v of volunteers) v.close();
  await fixture?.close();
});

const norm = (w: WeightSet) => updateNorm(w, w.map((t) => ({ ...t, data: new Float32Array(t.data.length) })));

/** `start` moved by `length` along one fixed random direction. */
function pushed(start: WeightSet, length: number): WeightSet {
  const rng = new SeededRandom(7);
  const direction = start.map((t) => ({ ...t, data: rng.fillNormal(new Float32Array(t.data.length)) }));
  const scale = length / norm(direction);
  return start.map((t, k) => ({ ...t, data: t.data.map((v, i) => v + scale * direction[k].data[i]) }));
}

/**
 * Two honest volunteers send back the adapter they got; one attacker sends `attack(start)` claiming ten million
 * samples. Returns how far the round moved the global adapter, as a share of the attacker's own shift.
 */
async function attackedRound(config: RunConfigInput, attack: (start: WeightSet) => WeightSet, extra: Record<string, unknown> = {}) {
  const run = await fixture.createRun({ rounds: 1, minClients: 3, maxImagesPerClient: 10, roundDeadlineMs: 60_000, ...config });
  const crowd = await Promise.all([0, 1, 2].map(() => RawVolunteer.connect(fixture.server.url)));
  volunteers.push(...crowd);
  for (const v of crowd) expect((await v.hello(run.id)).ok).toBe(true);
  const rounds = crowd.map((v) => v.nextRound());
  for (const v of crowd) v.ready(run.id, 10);
  const [honestA, honestB, attacker] = await Promise.all(rounds);
  const start = attacker.weights;
  const finished = new Promise((r) => run.once('finished', r));
  expect(await crowd[0].upload(run.id, honestA.round, honestA.weights, 10)).toEqual({ accepted: true });
  expect(await crowd[1].upload(run.id, honestB.round, honestB.weights, 10)).toEqual({ accepted: true });
  const poison = attack(start);
  const ack = await crowd[2].upload(run.id, attacker.round, poison, 10_000_000, extra);
  if (!ack.accepted) return { ack, share: 0 };
  await finished;
  return { ack, share: updateNorm(run.global, start) / updateNorm(poison, start) };
}

describe('an upload cannot take over the global model', { timeout: 300_000 }, () => {
  it('the default bound scales with the adapter: global + 900 × a unit vector is refused, naming the bound', async () => {
    const { ack } = await attackedRound({}, (start) => pushed(start, 900));
    expect(ack).toMatchObject({ accepted: false, code: 'bad-update', reason: expect.stringMatching(/moves the adapter by 900.* above the run's bound of/) });
  });

  it('on an assigned shard, a claimed ten million samples weighs what the shard holds: one third, not all', async () => {
    const { ack, share } = await attackedRound({}, (start) => pushed(start, 2 * norm(start)));
    expect(ack).toEqual({ accepted: true });
    expect(share).toBeCloseTo(1 / 3, 3);
  });

  it('on its own images, a client weighs at most the per-run cap, and at most maxClientShare of the round', async () => {
    // Per-run cap 10 (maxImagesPerClient): the same as each honest shard.
    const capped = await attackedRound({}, (start) => pushed(start, 2 * norm(start)), { ownImages: true });
    expect(capped.share).toBeCloseTo(1 / 3, 3);
    // A cap of 1000 alone would give it 1000 / 1020 of the round; the 50 % share cap holds it to half.
    const shared = await attackedRound({ maxOwnImagesWeight: 1000 }, (start) => pushed(start, 2 * norm(start)), { ownImages: true });
    expect(shared.share).toBeCloseTo(1 / 2, 3);
  });
});
