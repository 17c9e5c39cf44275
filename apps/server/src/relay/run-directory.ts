import { KEY_PREFIX, type RedisClient } from './redis-types';

const RUNS_KEY = `${KEY_PREFIX}runs`;
const processKey = (id: string) => `${KEY_PREFIX}process:${id}`;

export interface RunOwnership {
  owner: string;
  status: string;
  createdAt: number;
  /** The model the owner serves; a process with another model must not relay volunteers to it. */
  modelKey: string;
}

/** How often a process says it is alive, and how long after its last word it counts as gone. */
export const HEARTBEAT_MS = 2_000;
export const PROCESS_TTL_MS = 8_000;
const CACHE_MS = 500;

/**
 * Who owns which run, and which server processes are alive, kept in Redis: a hash from run id to its owner,
 * and one expiring key per process refreshed by a heartbeat. Lookups are cached briefly; a miss is not, so a
 * run created a moment ago is found on the next try.
 */
export class RunDirectory {
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly runCache = new Map<string, { at: number; value: RunOwnership }>();
  private readonly aliveCache = new Map<string, { at: number; alive: boolean }>();
  private readonly claimed = new Map<string, string>();

  constructor(
    private readonly client: RedisClient,
    readonly processId: string,
    private readonly modelKey: string,
  ) {}

  async start(): Promise<void> {
    const beat = () => this.client.set(processKey(this.processId), JSON.stringify({ startedAt: Date.now() }), { PX: PROCESS_TTL_MS });
    await beat();
    this.heartbeat = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Records this process as the owner of a run (again, when its status changed). */
  async claim(runId: string, status: string, createdAt: number): Promise<void> {
    if (this.claimed.get(runId) === status) return;
    this.claimed.set(runId, status);
    const value: RunOwnership = { owner: this.processId, status, createdAt, modelKey: this.modelKey };
    await this.client.hSet(RUNS_KEY, runId, JSON.stringify(value));
  }

  async lookup(runId: string): Promise<RunOwnership | null> {
    const hit = this.runCache.get(runId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const raw = await this.client.hGet(RUNS_KEY, runId);
    if (!raw) return null;
    const value = JSON.parse(raw) as RunOwnership;
    this.runCache.set(runId, { at: Date.now(), value });
    return value;
  }

  async isAlive(processId: string): Promise<boolean> {
    if (processId === this.processId) return true;
    const hit = this.aliveCache.get(processId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.alive;
    const alive = (await this.client.exists(processKey(processId))) === 1;
    this.aliveCache.set(processId, { at: Date.now(), alive });
    return alive;
  }

  /** The newest run still taking volunteers whose owner is alive (for a volunteer whose link names no run). */
  async newestOpenRun(): Promise<{ runId: string; ownership: RunOwnership } | null> {
    const all = await this.client.hGetAll(RUNS_KEY);
    const open = Object.entries(all)
      .map(([runId, raw]) => ({ runId, ownership: JSON.parse(raw) as RunOwnership }))
      .filter((r) => r.ownership.status === 'waiting' || r.ownership.status === 'running')
      .sort((a, b) => b.ownership.createdAt - a.ownership.createdAt);
    for (const r of open) if (await this.isAlive(r.ownership.owner)) return r;
    return null;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.client.del(processKey(this.processId)).catch(() => undefined);
  }
}
