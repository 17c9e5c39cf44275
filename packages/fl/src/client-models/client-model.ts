import type { TrainAdapterOptions, TrainAdapterResult } from '../train-adapter';
import type { TensorSpec, WeightSet } from '../types';

/** What a client must hold for a model: CLIP features encoded once, the raw pixels, or both. */
export type ClientModelInput = 'clip-features' | 'pixels';

/**
 * A model the clients train and the server aggregates, used the same way by the server (init, evaluation,
 * the update size bound), a tab's Web Worker and a Node simulated client (training, CLIP2FL's probe).
 * The models on CLIP features end in CLIP's text prototypes: `adapt` gives the L2-normalised features those
 * (and CLIP2FL's balanced classifier R) score.
 */
export interface ClientModel {
  readonly id: string;
  /** One line for `--help` and the docs. */
  readonly summary: string;
  readonly inputs: readonly ClientModelInput[];
  /** Names and shapes of the tensors that travel each round, for a d-dimensional CLIP. */
  spec(embedDim: number): TensorSpec[];
  init(embedDim: number, seed: number): WeightSet;
  /** Adapted, L2-normalised features [n, d] of raw CLIP features [n, d]. */
  adapt(weights: WeightSet, features: Float32Array, embedDim: number): Float32Array;
  /** One client's local training for a round (a fresh optimiser each time). */
  train(options: TrainAdapterOptions): Promise<TrainAdapterResult>;
}
