import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { adapterParameterCount, initAdapterWeights, type WeightSet } from '@clipfed/fl';
import { decodeTensorFile, runConfigSchema, type WireDType } from '@clipfed/protocol';
import { table, type BenchCase } from '../lib/bench-case';
import { roundBenchModel } from '../lib/bench-model';
import { memoizedModel, realTrainer, sharedFeatureCache, startSimClients } from '../lib/sim-clients';
import { startSimServer, type RoundReport } from '../lib/sim-server';
import { fmt } from '../lib/stats';
import { PROTOCOL_A_SETTINGS, protocolA } from '../../reproduce/protocols';

const DTYPES: WireDType[] = ['float32', 'float16', 'int8'];
const SEEDS = [0, 1];
const HELD_OUT = 'openmoji';
/** Protocol A as docs/RESULTS.md runs it (tools/reproduce/protocols.ts), FedCLIP, with one held-out style. */
const SPECS = protocolA(SEEDS).filter((s) => s.method === 'fedclip' && s.setting === HELD_OUT);
const ROUNDS = PROTOCOL_A_SETTINGS.rounds;
/** fp16 becomes the default when it costs less than this much accuracy (points) on protocol A. */
export const FP16_DEFAULT_THRESHOLD_POINTS = 0.5;

interface DtypeRun {
  dtype: WireDType;
  seed: number;
  final: RoundReport;
  clients: number;
  /** The run's final global adapter. */
  global: WeightSet;
  tensorBytesPerClientRound: number;
  wireBytesPerClientRound: number;
}

export const updateDtypeCase: BenchCase = {
  id: 'update-dtype',
  title: 'Bytes per round and accuracy cost of fp16 and 8-bit updates (protocol A)',
  expectedSeconds: 120,
  async run(ctx) {
    const model = await roundBenchModel(ctx.root, ctx.cacheDir);
    await tf.setBackend('wasm');
    await tf.ready();
    // One model, one feature cache and one set of prompt embeddings for every run of this case.
    const sharedModel = loadClipModelFromDir(model.dir).then(memoizedModel);
    const featureCache = sharedFeatureCache();
    const runs: DtypeRun[] = [];
    const total = DTYPES.length * SPECS.length;
    const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-bench-dtype-'));
    const server = await startSimServer(ctx.root, { modelDir: model.dir, runsDir, cacheDir: join(ctx.root, '.cache') });
    try {
      for (const spec of SPECS) {
        const { seed, clients } = spec;
        for (const dtype of DTYPES) {
          const run = await server.createRun({ ...spec.config, name: `protocol A, ${dtype}`, maxClientsPerRound: clients, updateDtype: dtype });
          run.onRound((r) => ctx.progress((runs.length + r.round / ROUNDS) / total));
          const sim = startSimClients({ url: server.url, runId: run.runId, count: clients, model: sharedModel, trainer: realTrainer, featureCache });
          try {
            await run.finished;
            const wire = sim.socketBytes();
            const final = run.rounds.at(-1)!;
            const res = await fetch(`${server.url}/api/runs/${run.runId}/global`);
            if (!res.ok) throw new Error(`GET global adapter: HTTP ${res.status}`);
            const global = decodeTensorFile(new Uint8Array(await res.arrayBuffer())).tensors;
            runs.push({
              dtype,
              seed,
              final,
              clients,
              global,
              tensorBytesPerClientRound: (final.bytesUp + final.bytesDown) / clients,
              wireBytesPerClientRound: (wire.sent + wire.received) / clients / ROUNDS,
            });
          } finally {
            sim.close();
          }
        }
      }
    } finally {
      await server.stop();
      await rm(runsDir, { recursive: true, force: true });
      await (await sharedModel).dispose();
      await tf.setBackend('cpu');
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const of = (dtype: WireDType) => runs.filter((r) => r.dtype === dtype);
    const base = of('float32');
    // Paired by seed: the same run with only the encoding changed.
    const cost = (dtype: WireDType, pick: (r: RoundReport) => number) =>
      mean(SEEDS.map((s) => 100 * (pick(base.find((r) => r.seed === s)!.final) - pick(of(dtype).find((r) => r.seed === s)!.final))));
    // How far the encoding moved the final adapter, relative to how far float32 training moved it from its start.
    const distance = (a: WeightSet, b: WeightSet) => Math.sqrt(a.reduce((s, t, k) => s + t.data.reduce((q, v, i) => q + (v - b[k].data[i]) ** 2, 0), 0));
    const drift = (dtype: WireDType) =>
      mean(
        SEEDS.map((seed) => {
          const f32 = base.find((r) => r.seed === seed)!.global;
          return distance(of(dtype).find((r) => r.seed === seed)!.global, f32) / distance(f32, initAdapterWeights(512, seed));
        }),
      );
    const pct2 = (x: number) => `${(100 * x).toFixed(2)} %`;
    const rows = DTYPES.map((dtype) => {
      const rs = of(dtype);
      return [
        dtype,
        `${fmt(mean(rs.map((r) => r.tensorBytesPerClientRound)) / 1e6)} MB`,
        `${fmt(mean(rs.map((r) => r.wireBytesPerClientRound)) / 1e6)} MB`,
        rs.map((r) => pct2(r.final.accuracy)).join(', '),
        rs.map((r) => pct2(r.final.heldOutAccuracy)).join(', '),
        dtype === 'float32' ? '–' : `${cost(dtype, (r) => r.accuracy).toFixed(2)} pts`,
        dtype === 'float32' ? '–' : `${cost(dtype, (r) => r.heldOutAccuracy).toFixed(2)} pts`,
        dtype === 'float32' ? '–' : pct2(drift(dtype)),
      ];
    });
    const fp16Cost = cost('float16', (r) => r.accuracy);
    const currentDefault = runConfigSchema.parse({}).updateDtype;
    const verdict =
      fp16Cost < FP16_DEFAULT_THRESHOLD_POINTS
        ? `fp16 cost ${fp16Cost.toFixed(2)} points of accuracy here, below the ${FP16_DEFAULT_THRESHOLD_POINTS}-point bar, for half the bytes: it is the default \`updateDtype\` (currently \`${currentDefault}\`).`
        : `fp16 cost ${fp16Cost.toFixed(2)} points of accuracy here, not below the ${FP16_DEFAULT_THRESHOLD_POINTS}-point bar: float32 stays the default (currently \`${currentDefault}\`).`;
    const markdown = [
      `Protocol A as docs/RESULTS.md runs it (tools/reproduce/protocols.ts): EmojiDomains, FedCLIP, ${runs[0]?.clients ?? '?'} simulated clients (one per training style) training for real (\`trainAdapter\`, tfjs wasm) on ${model.label}, ${ROUNDS} rounds of ${PROTOCOL_A_SETTINGS.localEpochs} local epoch, Adam lr ${PROTOCOL_A_SETTINGS.learningRate}, ${PROTOCOL_A_SETTINGS.aggregation} aggregation; here with one held-out style (${HELD_OUT}) and seeds ${SEEDS.join(' and ')}. Only \`updateDtype\` changes between runs of the same seed: the global adapter goes down and every client's adapter comes up in that encoding (${adapterParameterCount(512).toLocaleString('en')} parameters; int8 is symmetric per-tensor quantisation). "Adapter bytes" are the tensors' bytes; "on the wire" are the bytes the client's TCP socket sent and received (socket.io framing, run state, progress and acknowledgements included), per client per round. Accuracy is after the last round: the mean over the evaluation sets, and the held-out style alone; the cost is float32's minus this encoding's, paired by seed and averaged.`,
      '',
      table(['encoding', 'adapter bytes per client per round (down + up)', 'on the wire', 'accuracy (per seed)', 'held-out style (per seed)', 'accuracy cost', 'held-out cost', 'final adapter vs float32 ¹'], rows),
      '',
      '¹ ‖θ − θ_float32‖ / ‖θ_float32 − θ_start‖ for the final global adapter: how far the encoding moved it, relative to how far training moved it.',
      '',
      verdict,
    ].join('\n');
    return { markdown, data: { runs: runs.map(({ global: _, ...r }) => r), fp16CostPoints: fp16Cost, driftVsFloat32: { float16: drift('float16'), int8: drift('int8') } } };
  },
};
