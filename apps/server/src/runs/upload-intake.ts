import { decodeTensors, TensorDecodeError, wireByteLength, type RunConfig, type ServerError, type WireTensor } from '@clipfed/protocol';
import { measureUpdate, type WeightSet } from '@clipfed/fl';
import type { AcceptedUpdate, OpenRound } from './round-lifecycle';
import type { ClientSession } from './run-sessions';
import type { RunTask } from './run-task';
import type { Strategy } from './strategies/strategy';
import { admittedWeight, assignedShardSize, ownImagesWeightCap, updateNormBound } from './update-admission';

/** An upload as the gateway validated it (packages/protocol's `clientUpdateSchema`). */
export interface UploadMessage {
  runId: string;
  round: number;
  numSamples: number;
  ownImages?: true;
  metrics: { loss: number; trainAccuracy: number; trainMs: number };
  weights: WireTensor[];
  classGradients?: WireTensor[];
}

export interface UploadRefusal {
  code: ServerError['code'];
  reason: string;
}

/**
 * Admission of uploads: the round, selection and duplicate checks, decoding, the measure against the model the
 * client was sent (finite values, the norm bound), the weight the server can check, the strategy's extras and
 * clipping; then the accepted update joins the round (its streaming sum where the strategy allows it).
 */
export class UploadIntake {
  /** Where uploads for the streaming sum are decoded (see check). */
  private uploadBuffer: Float32Array[] | null = null;

  constructor(
    private readonly run: { readonly config: RunConfig; readonly task: RunTask; readonly strategy: Strategy },
    private readonly recordUploads: boolean | undefined,
  ) {}

  /** The model a client was sent this round, which its upload must match in layout and stay near. */
  private referenceAdapter(c: ClientSession): WeightSet {
    return this.run.strategy.weightsFor(c.shardIndex);
  }

  /** The update as the round would keep it, or why it is refused. */
  check(c: ClientSession, open: OpenRound | null, update: UploadMessage): AcceptedUpdate | UploadRefusal {
    const { config, task, strategy } = this.run;
    const refuse = (code: ServerError['code'], reason: string): UploadRefusal => ({ code, reason });
    const clientId = c.clientId;
    if (!open || update.round !== open.round) {
      return refuse('wrong-round', `update is for round ${update.round}, but ${open ? `round ${open.round} is open` : 'no round is open'}`);
    }
    if (!open.selected.has(clientId)) return refuse('not-selected', `client was not selected for round ${open.round}`);
    if (open.accepted.has(clientId)) return refuse('duplicate-update', `round ${open.round} already has this client's update`);
    const reference = this.referenceAdapter(c);
    // The streaming sum copies an update in, so an upload it alone keeps is decoded into one buffer for the run: a
    // new 2 MB array per upload cost more than the decoding itself (page faults, then collections).
    const into = open.sum && !this.recordUploads && !update.ownImages ? (this.uploadBuffer ??= reference.map((t) => new Float32Array(t.data.length))) : undefined;
    let weights: WeightSet;
    try {
      weights = decodeTensors(update.weights, into);
    } catch (e) {
      if (e instanceof TensorDecodeError) return refuse('bad-update', e.message);
      throw e;
    }
    const measured = measureUpdate(weights, reference);
    if (!measured.ok) return refuse('bad-update', measured.problem);
    const norm = measured.norm;
    const bound = updateNormBound(config, reference);
    if (norm > bound) {
      return refuse('bad-update', `update moves the adapter by ${norm.toPrecision(4)} (L2), above the run's bound of ${+bound.toPrecision(4)}`);
    }
    // The weight the server can check, not the claimed count (update-admission.ts).
    const weight = admittedWeight(update.numSamples, update.ownImages === true, assignedShardSize(task, config, c.shardIndex), ownImagesWeightCap(task, config));
    const deferred = update.ownImages === true && open.sum !== null && config.aggregation === 'fedavg';
    const extras = strategy.readUpload(update);
    if (typeof extras === 'string') return refuse('bad-update', extras);
    weights = strategy.admit(weights, reference);
    return {
      clientId,
      shardIndex: c.shardIndex,
      ...extras,
      numSamples: weight,
      deferred,
      weights,
      loss: update.metrics.loss,
      trainAccuracy: update.metrics.trainAccuracy,
      trainMs: update.metrics.trainMs,
    };
  }

  /** Adds an accepted update to its round: the traffic count and, unless deferred, the streaming sum. */
  accept(open: OpenRound, accepted: AcceptedUpdate, update: UploadMessage): void {
    const weight = accepted.numSamples;
    const deferred = accepted.deferred;
    open.accepted.set(accepted.clientId, accepted);
    open.bytesUp += wireByteLength(update.weights) + (update.classGradients ? wireByteLength(update.classGradients) : 0);
    if (!deferred) open.sum?.add(accepted.weights, this.run.strategy.streamingWeight(weight)!);
    // The streaming sum holds what it needs: keeping every upload too would make a round's memory O(N·P).
    if (open.sum && !deferred && !this.recordUploads) accepted.weights = [];
  }
}
