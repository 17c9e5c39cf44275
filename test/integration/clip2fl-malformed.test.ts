import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptFeatureArray, classGradientsToWeightSet, classifierFromWeightSet, computeClientClassGradients } from '@clipfed/fl';
import { decodeTensors, encodeTensors, type RoundStart, type WireTensor } from '@clipfed/protocol';
import type { FederatedRun } from '@clipfed/server';
import { FIXTURE_EMBED_DIM } from './fixture-server';
import { joinFixtureRun, type JoinedFixtureRun, type RawVolunteer, type SentRound } from './raw-volunteer';

const DIM = FIXTURE_EMBED_DIM;
let joined: JoinedFixtureRun;
let run: FederatedRun;
let numClasses: number;
let volunteer: RawVolunteer;
let round: SentRound;
let honest: WireTensor[];

beforeAll(async () => {
  // EmojiDomains (no dataset package needed): 18 classes, CLIP2FL with a tiny server step.
  joined = await joinFixtureRun({ algorithm: 'clip2fl', rounds: 2, minClients: 1, roundDeadlineMs: 120_000, clip2fl: { featuresPerClass: 4, matchSteps: 2, retrainEpochs: 2 } });
  ({ run, volunteer, round } = joined);
  numClasses = run.task.classNames.length;
  honest = await honestGradients();
});

afterAll(() => joined?.close());

const metrics = { loss: 1, trainAccuracy: 0.5, trainMs: 1, steps: 1 };

/** Honest class gradients for two classes, computed like a client does, on random features. */
async function honestGradients(): Promise<WireTensor[]> {
  const R = classifierFromWeightSet(decodeTensors(round.clip2fl!.classifier));
  const features = Float32Array.from({ length: 6 * DIM }, (_, i) => Math.sin(i + 1));
  const adapted = await adaptFeatureArray(decodeTensors(round.weights), features, DIM);
  const grads = await computeClientClassGradients(R, adapted, Int32Array.of(1, 1, 1, 4, 4, 4), { seed: 1 });
  return encodeTensors(classGradientsToWeightSet(grads, numClasses, DIM));
}

/** Replaces one tensor of honest gradients (decoded, changed, encoded again). */
function tampered(name: string, change: (t: { name: string; shape: number[]; data: Float32Array }) => { name: string; shape: number[]; data: Float32Array }): WireTensor[] {
  return encodeTensors(decodeTensors(honest).map((t) => (t.name === name ? change(t) : t)));
}

async function expectRefused(classGradients: WireTensor[] | undefined, text: RegExp) {
  const { errors } = volunteer;
  errors.length = 0;
  const update = { runId: run.id, round: round.round, numSamples: 10, metrics, weights: round.weights, ...(classGradients ? { classGradients } : {}) };
  const ack = await volunteer.socket.emitWithAck('update', update);
  expect(ack).toMatchObject({ accepted: false, code: 'bad-update' });
  if (!ack.accepted) expect(ack.reason).toMatch(text);
  await expect.poll(() => errors.length).toBeGreaterThan(0);
  expect(errors[0]).toMatchObject({ code: 'bad-update', message: expect.stringMatching(text) });
}

describe('a raw client of a CLIP2FL run sending malformed class gradients', () => {
  it('receives R with the round, shaped [classes, d]', () => {
    const R = classifierFromWeightSet(decodeTensors(round.clip2fl!.classifier));
    expect([R.numClasses, R.dim]).toEqual([numClasses, DIM]);
    expect(round.clip2fl).toMatchObject({ gradientBatchSize: 32, gradientRepeats: 10, kd: { temperature: 3, alpha: 1 } });
  });

  it('is refused without class gradients', async () => {
    await expectRefused(undefined, /must carry class gradients/);
  });

  it('is refused for a class id out of range', async () => {
    await expectRefused(
      tampered('class_gradients.classes', (t) => ({ ...t, data: Float32Array.of(1, numClasses + 3) })),
      new RegExp(`class id ${numClasses + 3} is outside 0..${numClasses - 1}`),
    );
  });

  it('is refused for a non-finite gradient value', async () => {
    await expectRefused(
      tampered('class_gradients.weight', (t) => {
        const data = t.data.slice();
        data[5] = Number.POSITIVE_INFINITY;
        return { ...t, data };
      }),
      /non-finite/,
    );
  });

  it('is refused for gradients of the wrong shape', async () => {
    await expectRefused(
      tampered('class_gradients.bias', (t) => ({ ...t, shape: [2, numClasses - 1], data: t.data.slice(0, 2 * (numClasses - 1)) })),
      /shape/,
    );
  });

  it('aggregated none of them; honest gradients are accepted and drive the server step', async () => {
    expect(run.metrics.map((m) => m.round)).toEqual([0]);
    const next = new Promise<RoundStart>((r) => volunteer.socket.once('round:start', r));
    const ack = await volunteer.socket.emitWithAck('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: round.weights, classGradients: honest });
    expect(ack).toEqual({ accepted: true });
    await next;
    const row = run.metrics.at(-1) as { round: number; serverStep: { matchedClasses: number[] }; balancedHead: { accuracy: number } };
    expect(row.round).toBe(1);
    expect(row.serverStep.matchedClasses).toEqual([1, 4]);
    expect(row.balancedHead.accuracy).toEqual(expect.any(Number));
  });
});
