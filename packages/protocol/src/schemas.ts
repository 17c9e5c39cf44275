import { z } from 'zod';
import type { WireTensor } from './tensor-codec';
import { CLIENT_MODEL_IDS } from './run-config';

// Limits that bound what an untrusted peer can make us allocate before any deeper check.
export const MAX_TENSORS_PER_MESSAGE = 64;
export const MAX_TENSOR_RANK = 4;
export const MAX_TENSOR_DIM = 1 << 20;

/** Binary attachments arrive as Buffer (Node), ArrayBuffer (browser) or a typed-array view. */
const binary = z
  .custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer || ArrayBuffer.isView(v), {
    message: 'expected binary data',
  })
  .transform((v): Uint8Array => {
    if (v instanceof Uint8Array) return v;
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    const view = v as ArrayBufferView;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  });

export const wireTensorSchema = z
  .object({
    name: z.string().min(1).max(64),
    shape: z.array(z.number().int().min(1).max(MAX_TENSOR_DIM)).min(1).max(MAX_TENSOR_RANK),
    dtype: z.enum(['float32', 'float16', 'int8']),
    scale: z.number().positive().finite().optional(),
    bytes: binary,
  })
  .strict() satisfies z.ZodType<WireTensor, unknown>;

export const wireTensorsSchema = z.array(wireTensorSchema).min(1).max(MAX_TENSORS_PER_MESSAGE);

const finite = z.number().finite();
const id = z.string().min(1).max(64);

export const capabilitiesSchema = z
  .object({
    onnxBackend: z.enum(['webgpu', 'wasm', 'node']),
    tfBackend: z.enum(['webgpu', 'wasm', 'webgl', 'cpu', 'tensorflow']),
    backendReason: z.string().max(500),
    gpuAdapter: z.string().max(200).optional(),
    fallbackAdapter: z.boolean().optional(),
    hardwareConcurrency: z.number().int().min(1).max(4096).optional(),
    userAgent: z.string().max(500).optional(),
  })
  .strict();

export const clientHelloSchema = z
  .object({
    protocolVersion: z.number().int(),
    clientKind: z.enum(['browser', 'node']),
    runId: id.optional(),
    joinCode: z.string().max(64).optional(),
    /** Lets a tab that lost its connection take its old place (and shard) back, with the secret it was given. */
    resumeClientId: id.optional(),
    /** The secret from this client's welcome; without it (or with a wrong one) a resume joins as a new client. */
    resumeSecret: z.string().min(22).max(128).optional(),
    capabilities: capabilitiesSchema,
  })
  .strict();

/**
 * How the run's images are given to a pixel-reading client model (CLIP2FL's student): size, grey or RGB, and the
 * per-channel normalisation after scaling to [0, 1] (`preprocessPixels` of @clipfed/fl).
 */
export const pixelFormatSchema = z
  .object({
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    channels: z.union([z.literal(1), z.literal(3)]),
    mean: z.array(finite).min(1).max(3),
    std: z.array(finite.positive()).min(1).max(3),
  })
  .strict()
  .refine((f) => f.mean.length === f.channels && f.std.length === f.channels, { message: 'a pixel format needs one mean and one std per channel' });

export const taskDescriptionSchema = z.object({
  dataset: z.string(),
  classNames: z.array(z.string()),
  prompts: z.array(z.string()),
  /** What this client's shard is (e.g. a style of EmojiDomains), shown to the volunteer. */
  shardLabel: z.string(),
  shardUrl: z.string(),
  modelUrl: z.string(),
  embedDim: z.number().int().positive(),
  /** The run's client model (`clientModel`); older servers only had the FedCLIP adapter. */
  clientModel: z.enum(CLIENT_MODEL_IDS).default('fedclip-adapter'),
  /** The run's pixel format, which a client model that reads pixels needs (older servers sent none). */
  pixels: pixelFormatSchema.optional(),
  /** The run's limit on images per client (`maxImagesPerClient`); a client training on its own images keeps to it too. */
  maxImages: z.number().int().min(2).optional(),
});

export const welcomeSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    protocolVersion: z.number().int(),
    clientId: id,
    /**
     * The proof of identity for a later resume (at least 128 random bits). The client id is public; this is not:
     * keep it, and send it only in a resuming hello.
     */
    resumeSecret: z.string().min(22).max(128),
    runId: id,
    algorithm: z.string(),
    task: taskDescriptionSchema,
    maxUpdateBytes: z.number().int().positive(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

export const clientReadySchema = z
  .object({
    runId: id,
    numSamples: z.number().int().min(1).max(10_000_000),
    imagesEncoded: z.number().int().min(0),
    encodeMs: finite.min(0),
  })
  .strict();

export const trainingSettingsSchema = z.object({
  localEpochs: z.number().int().min(1),
  batchSize: z.number().int().min(2),
  learningRate: z.number().positive(),
  weightDecay: z.number().min(0),
  seed: z.number().int(),
  /** The adapter's local objective: FedCLIP's in-batch CLIP loss, or class-level cross-entropy. */
  objective: z.enum(['clip', 'class-ce']).default('clip'),
});

/**
 * The CLIP2FL / CReFF part of a round (algorithms.md §2.1): the balanced classifier R whose per-class
 * gradients the client computes on its adapted features before training, how to probe them, and
 * the distillation settings when the run uses KD from zero-shot CLIP.
 */
export const clip2flRoundSchema = z
  .object({
    /** R as `classifier.weight` [C, d] and `classifier.bias` [C]. */
    classifier: wireTensorsSchema.max(2),
    gradientBatchSize: z.number().int().min(1).max(4096),
    gradientRepeats: z.number().int().min(1).max(100),
    kd: z.object({ temperature: finite.positive(), alpha: finite.min(0) }).strict().optional(),
  })
  .strict();

export const roundStartSchema = z.object({
  runId: id,
  round: z.number().int().min(0),
  totalRounds: z.number().int().min(1),
  deadlineAt: z.number(),
  training: trainingSettingsSchema,
  weights: wireTensorsSchema,
  clip2fl: clip2flRoundSchema.optional(),
});

export const clientUpdateSchema = z
  .object({
    runId: id,
    round: z.number().int().min(0),
    numSamples: z.number().int().min(1).max(10_000_000),
    /**
     * Trained on the volunteer's own images rather than the shard the server assigned: the server cannot check the
     * count, so the run's caps on such clients apply (maxOwnImagesWeight, maxClientShare).
     */
    ownImages: z.literal(true).optional(),
    metrics: z
      .object({ loss: finite, trainAccuracy: finite.min(0).max(1), trainMs: finite.min(0), steps: z.number().int().min(0) })
      .strict(),
    weights: wireTensorsSchema,
    /**
     * CLIP2FL / CReFF rounds: per-class gradients of R on the adapted features, as
     * `class_gradients.classes` [P], `.weight` [P, C, d], `.bias` [P, C] (P = classes the client holds).
     */
    classGradients: wireTensorsSchema.max(3).optional(),
  })
  .strict();

export const clientProgressSchema = z
  .object({
    runId: id,
    stage: z.enum(['download', 'encode', 'train', 'upload', 'idle']),
    done: z.number().min(0),
    total: z.number().min(0),
  })
  .strict();

export const updateAckSchema = z.discriminatedUnion('accepted', [
  z.object({ accepted: z.literal(true) }),
  z.object({ accepted: z.literal(false), code: z.string(), reason: z.string() }),
]);

export const serverErrorSchema = z.object({
  code: z.enum([
    'bad-message',
    'bad-update',
    'wrong-round',
    'not-selected',
    'duplicate-update',
    'protocol-version',
    'run-not-found',
    'run-full',
    'too-large',
    'not-joined',
    'rate-limited',
  ]),
  message: z.string(),
  round: z.number().int().optional(),
});

export const roundMetricsSchema = z.object({
  round: z.number().int(),
  accuracy: finite,
  zeroShotAccuracy: finite,
  perDomain: z.record(z.string(), finite).optional(),
  /**
   * How many clients the round aggregated. A count, not the list: this state goes to every client on every change,
   * and a list of N ids sent to N clients made a round's state traffic grow as N² (ping timeouts at 1,000 clients).
   * The ids are in the run's metrics (HTTP API).
   */
  /** Absent in a Poisson-sampled DP run, whose draw stays secret (apps/server/src/runs/public-view.ts). */
  participantCount: z.number().int().min(0).optional(),
  meanLoss: finite.optional(),
  /** CLIP2FL / CReFF: accuracy of the balanced head (adapter + re-trained classifier R). */
  balancedAccuracy: finite.optional(),
});

export const runStateSchema = z.object({
  runId: id,
  status: z.enum(['waiting', 'running', 'finished', 'paused', 'stopped']),
  round: z.number().int(),
  totalRounds: z.number().int(),
  connectedClients: z.number().int(),
  /** Ready volunteers still missing before the next round can start (minClients minus those ready); absent when none are. */
  waitingForClients: z.number().int().min(1).optional(),
  lastMetrics: roundMetricsSchema.optional(),
  message: z.string().optional(),
});

export type Capabilities = z.infer<typeof capabilitiesSchema>;
export type ClientHello = z.infer<typeof clientHelloSchema>;
export type TaskDescription = z.infer<typeof taskDescriptionSchema>;
export type Welcome = z.infer<typeof welcomeSchema>;
export type ClientReady = z.infer<typeof clientReadySchema>;
export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;
export type RoundStart = z.input<typeof roundStartSchema>;
export type Clip2flRound = z.output<typeof clip2flRoundSchema>;
export type ClientUpdate = z.input<typeof clientUpdateSchema>;
export type ClientProgress = z.infer<typeof clientProgressSchema>;
export type UpdateAck = z.infer<typeof updateAckSchema>;
export type ServerError = z.infer<typeof serverErrorSchema>;
export type RoundMetrics = z.infer<typeof roundMetricsSchema>;
export type RunState = z.infer<typeof runStateSchema>;
