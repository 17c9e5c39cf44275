import { CLIP_ADAPTER_HEAD, FEDCLIP_ATTENTION_HEAD } from './feature-heads';
import { type TrainHeadOptions, type TrainHeadResult, trainHead } from './train-head';

export { type TrainProgress, TrainingAbortedError, batchSizesPerEpoch } from './train-head';

export type TrainAdapterOptions = TrainHeadOptions;
export type TrainAdapterResult = TrainHeadResult;

/** One client's local FedCLIP training of the attention adapter (trainHead with FEDCLIP_ATTENTION_HEAD). */
export function trainAdapter(opts: TrainAdapterOptions): Promise<TrainAdapterResult> {
  return trainHead(FEDCLIP_ATTENTION_HEAD, opts);
}

/** One client's local training of a CLIP-Adapter head: the same loop, losses, KD and Adam as trainAdapter. */
export function trainClipAdapter(opts: TrainAdapterOptions): Promise<TrainAdapterResult> {
  return trainHead(CLIP_ADAPTER_HEAD, opts);
}
