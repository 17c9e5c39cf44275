import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTensors, decodeTensors, roundStartSchema, type RoundStart, type ServerError } from '@clipfed/protocol';
import type { FederatedRun } from '@clipfed/server';
import { joinFixtureRun, type JoinedFixtureRun, type RawVolunteer, type SentRound } from './raw-volunteer';

let joined: JoinedFixtureRun;
let run: FederatedRun;
let volunteer: RawVolunteer;
let round: SentRound;

beforeAll(async () => {
  joined = await joinFixtureRun({ rounds: 2, minClients: 1, roundDeadlineMs: 120_000 }, { recordUploads: true });
  ({ run, volunteer, round } = joined);
});

afterAll(() => joined?.close());

const metrics = { loss: 1, trainAccuracy: 0.5, trainMs: 1, steps: 1 };

async function sendAndExpectError(update: unknown, code: ServerError['code'], text: RegExp) {
  const { errors } = volunteer;
  errors.length = 0;
  const ack = await volunteer.socket.emitWithAck('update', update as never);
  expect(ack).toMatchObject({ accepted: false, code });
  await expect.poll(() => errors.length).toBeGreaterThan(0);
  expect(errors[0].code).toBe(code);
  expect(errors[0].message).toMatch(text);
}

describe('a raw socket.io client sending malformed updates', () => {
  it('gets an error event naming a wrong shape', async () => {
    const weights = decodeTensors(round.weights);
    weights[0] = { ...weights[0], shape: [weights[0].shape[0] / 2, weights[0].shape[1] * 2] };
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) }, 'bad-update', /shape/);
  });

  it('gets an error event naming a NaN', async () => {
    const weights = decodeTensors(round.weights);
    weights[1].data[3] = NaN;
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) }, 'bad-update', /finite|NaN/i);
  });

  it('gets an error event naming a wrong round id', async () => {
    await sendAndExpectError({ runId: run.id, round: round.round + 7, numSamples: 10, metrics, weights: round.weights }, 'wrong-round', /round 8/);
  });

  it('gets an error event for tensors sent as JSON arrays', async () => {
    const weights = round.weights.map((w) => ({ ...w, bytes: Array.from(w.bytes) }));
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights }, 'bad-message', /binary/);
  });

  it('aggregated none of them, and the run goes on with a valid update', async () => {
    expect(run.metrics.map((m) => m.round)).toEqual([0]);
    expect(run.status).toBe('running');
    const next = new Promise<RoundStart>((r) => volunteer.socket.once('round:start', r));
    const weights = decodeTensors(round.weights);
    weights[1].data[0] += 0.25;
    const ack = await volunteer.socket.emitWithAck('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) });
    expect(ack).toEqual({ accepted: true });
    const round2 = await next;
    expect(round2.round).toBe(round.round + 1);
    const round2Weights = roundStartSchema.parse(round2).weights;
    expect(run.metrics.map((m) => m.round)).toEqual([0, 1]);
    // One honest upload: the new global adapter is exactly that upload; the next round carries it in the run's
    // wire dtype (float16 by default), so to within half a float16 step.
    expect(run.global[1].data[0]).toBe(weights[1].data[0]);
    expect(run.config.updateDtype).toBe('float16');
    expect(decodeTensors(round2Weights)[1].data[0]).toBeCloseTo(weights[1].data[0], 3);
  });
});
