export type ClientStage =
  | 'connecting'
  | 'download-model'
  | 'download-data'
  | 'encode-images'
  | 'encode-prompts'
  | 'waiting'
  | 'training'
  | 'uploading'
  | 'finished'
  | 'error';

export interface StageProgress {
  done: number;
  total: number;
  startedAt: number;
}

/** Everything a volunteer page shows; emitted whole on every change. */
export interface ClientStatus {
  stage: ClientStage;
  message: string;
  clientId?: string;
  runId?: string;
  shardLabel?: string;
  progress?: StageProgress;
  round?: number;
  totalRounds?: number;
  deadlineAt?: number;
  lastLoss?: number;
  lastTrainAccuracy?: number;
  globalAccuracy?: number;
  zeroShotAccuracy?: number;
  /** The round whose evaluation globalAccuracy is (0: before any training). */
  globalRound?: number;
  contributed: { rounds: number; imagesEncoded: number; computeMs: number; bytesSent: number };
  lastError?: string;
}

/** Remaining time from the rate so far; undefined until there is a rate to go on. */
export function etaMs(p: StageProgress, now = Date.now()): number | undefined {
  if (p.done <= 0 || p.done >= p.total) return undefined;
  return ((now - p.startedAt) / p.done) * (p.total - p.done);
}
