import { randomBytes } from 'node:crypto';
import { clientModelFor } from '@clipfed/fl';
import type { ClipModel, ImageEncoder } from '@clipfed/clip';
import type { ProgressFn } from '@clipfed/data';
import { runConfigSchema, type RunConfig } from '@clipfed/protocol';
import { HeldOutEvaluator } from './evaluator';
import type { DatasetEnvironment } from './datasets/dataset';
import { datasetFor } from './datasets/registry';
import { FederatedRun } from './federated-run';
import { RunFolderDamage, RunStore } from './run-store';
import { strategyFor } from './strategies/registry';
import { type RunTask } from './run-task';

export interface RegistryOptions {
  runsDir: string;
  featureCacheDir: string;
  model: ClipModel;
  /** Identifies the model's weights (its manifest hash), so cached features never outlive a model change. */
  modelKey: string;
  modelUrl: string;
  maxUpdateBytes: number;
  recordUploads: boolean;
  log: { info: (o: object | string, msg?: string) => void; warn: (o: object | string, msg?: string) => void };
  onProgress?: ProgressFn;
  /** The tfjs backend initNodeTfBackend chose, recorded with CLIP2FL server steps. */
  tfBackend?: string;
  /** How evaluation sets are encoded on a cache miss (default: encodeRgbImages). */
  encodeImages?: ImageEncoder;
}

/** A run folder that could not be restored: it stays on disk as it is, and is listed as damaged. */
export interface DamagedRun {
  runId: string;
  status: 'damaged';
  problem: string;
}

/** Owns the runs of one server process; Fastify decorates itself with one instance (no module-level state). */
export class RunRegistry {
  private readonly runs = new Map<string, FederatedRun>();
  private readonly damagedRuns = new Map<string, DamagedRun>();
  private readonly tasks = new Map<string, Promise<RunTask>>();
  /** Raw data loaded once per server and shared by every task built from it (see DatasetEnvironment.once). */
  private readonly rawData = new Map<string, Promise<unknown>>();

  private readonly datasetEnvironment: DatasetEnvironment;

  constructor(private readonly opts: RegistryOptions) {
    this.datasetEnvironment = { onProgress: opts.onProgress, once: (key, load) => this.once(key, load) };
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let data = this.rawData.get(key) as Promise<T> | undefined;
    if (!data) {
      data = load();
      data.catch(() => this.rawData.delete(key));
      this.rawData.set(key, data);
    }
    return data;
  }

  private async task(config: RunConfig): Promise<RunTask> {
    const dataset = datasetFor(config);
    const key = dataset.taskKey(config);
    let task = this.tasks.get(key);
    if (!task) {
      task = dataset.buildTask(config, this.datasetEnvironment);
      task.catch(() => this.tasks.delete(key));
      this.tasks.set(key, task);
    }
    // `centralised` is the union of the same shards, so the task (and its cache entry) is shared.
    const prepare = strategyFor(config).prepareTask;
    return prepare ? prepare(await task) : task;
  }

  async create(config: RunConfig): Promise<FederatedRun> {
    const id = `${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
    const run = await this.build(id, config, await RunStore.create(this.opts.runsDir, id, config));
    await run.start();
    return run;
  }

  /**
   * Brings back every unfinished run found in the runs folder, from its last completed round
   * (after a crash or a restart). Returns the runs restored.
   */
  async restoreAll(): Promise<FederatedRun[]> {
    const restored: FederatedRun[] = [];
    for (const id of await RunStore.listRunIds(this.opts.runsDir)) {
      if (this.runs.has(id)) continue;
      const store = RunStore.open(this.opts.runsDir, id);
      try {
        const stale = await store.removeStaleTemporaryFiles();
        if (stale.length > 0) this.opts.log.warn({ runId: id, files: stale }, 'removed temporary files of writes that never finished');
        const saved = await store.readConfig();
        const config = runConfigSchema.safeParse(saved.config);
        if (!config.success) throw new RunFolderDamage('config.json', `is not a valid run config: ${config.error.issues[0]?.message ?? 'unknown'}`);
        const run = await this.build(id, config.data, store);
        if (!(await run.restore())) throw new RunFolderDamage('checkpoint.bin', 'is missing');
        if (run.status === 'finished' || run.status === 'stopped') continue;
        restored.push(run);
      } catch (e) {
        this.runs.delete(id);
        // Refused loudly and listed, never dropped quietly: volunteers on the old link are told why.
        const problem = e instanceof RunFolderDamage ? `${id}/${e.message}` : `${id}: ${(e as Error).message}`;
        this.damagedRuns.set(id, { runId: id, status: 'damaged', problem });
        this.opts.log.warn({ runId: id, folder: store.dir, problem }, 'run folder is damaged: not resumed, left on disk as it is');
      }
    }
    return restored;
  }

  private async build(id: string, config: RunConfig, store: RunStore): Promise<FederatedRun> {
    const task = await this.task(config);
    const evaluator = await HeldOutEvaluator.create(
      this.opts.model,
      this.opts.modelKey,
      task,
      clientModelFor(config.clientModel),
      this.opts.featureCacheDir,
      (p) => this.opts.onProgress?.({ stage: `encode ${p.set}`, done: p.done, total: p.total }),
      this.opts.encodeImages,
    );
    const run = new FederatedRun({
      id,
      config,
      task,
      embedDim: this.opts.model.embedDim,
      evaluator,
      store,
      log: this.opts.log,
      recordUploads: this.opts.recordUploads,
      modelUrl: this.opts.modelUrl,
      maxUpdateBytes: this.opts.maxUpdateBytes,
      tfBackend: this.opts.tfBackend,
    });
    this.runs.set(id, run);
    return run;
  }

  get(id: string): FederatedRun | undefined {
    return this.runs.get(id);
  }

  list(): FederatedRun[] {
    return [...this.runs.values()];
  }

  /** Run folders found at start that could not be read, with what is wrong. */
  damaged(): DamagedRun[] {
    return [...this.damagedRuns.values()];
  }

  damage(id: string): DamagedRun | undefined {
    return this.damagedRuns.get(id);
  }

  /** The run a volunteer joins when the URL names none: the newest one still accepting clients. */
  defaultRun(): FederatedRun | undefined {
    return this.list()
      .filter((r) => r.status === 'waiting' || r.status === 'running')
      .at(-1);
  }

  /** Graceful shutdown: every live run abandons its open round; their checkpoints let the next start resume. */
  suspendAll(reason: string): void {
    for (const r of this.runs.values()) if (r.status === 'waiting' || r.status === 'running') r.suspendForShutdown(reason);
  }
}
