import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer, shifted } from './raw-volunteer';

let fixture: FixtureServer;
const volunteers: RawVolunteer[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer();
});

afterAll(async () => {
  for (const v of volunteers) v.close();
  await fixture?.close();
});

async function volunteer(): Promise<RawVolunteer> {
  const v = await RawVolunteer.connect(fixture.server.url);
  volunteers.push(v);
  return v;
}

interface RunView {
  clients: { clientId: string; connected: boolean }[];
}
const runView = async (runId: string) => (await (await fetch(`${fixture.server.url}/api/runs/${runId}`)).json()) as RunView;

/** Uploads the round's weights nudged a little, for every round it is picked for, until the run ends. */
async function trainHonestly(v: RawVolunteer, runId: string, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const r = await v.nextRound();
    expect(await v.upload(runId, r.round, shifted(r.weights, 0.001), 10)).toEqual({ accepted: true });
  }
}

describe('client ids are public names, not credentials', { timeout: 300_000 }, () => {
  it('a listed id neither resumes its session nor fetches its shard; its secret and its shard link do', async () => {
    const run = await fixture.createRun({ rounds: 1, minClients: 5 });
    const victim = await volunteer();
    const welcome = await victim.hello(run.id);
    if (!welcome.ok) throw new Error(welcome.message);
    expect(welcome.resumeSecret.length).toBeGreaterThanOrEqual(22); // base64url of at least 128 bits

    // Anyone can read the id from the public API...
    expect((await runView(run.id)).clients.map((c) => c.clientId)).toContain(welcome.clientId);
    // ...but the shard under that id is not theirs to fetch, with no key or a guessed one.
    const shardPath = `/api/runs/${run.id}/shards/${welcome.clientId}`;
    expect((await fetch(`${fixture.server.url}${shardPath}`)).status).toBe(403);
    expect((await fetch(`${fixture.server.url}${shardPath}?key=AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(403);
    expect((await fetch(`${fixture.server.url}${welcome.task.shardUrl}`)).status).toBe(200);

    victim.close();
    await expect.poll(async () => (await runView(run.id)).clients.find((c) => c.clientId === welcome.clientId)?.connected).toBe(false);
    const thief = await volunteer();
    const noSecret = await thief.hello(run.id, { resumeClientId: welcome.clientId });
    const wrongSecret = await thief.hello(run.id, { resumeClientId: welcome.clientId, resumeSecret: 'x'.repeat(43) });
    for (const w of [noSecret, wrongSecret]) {
      expect(w.ok && w.clientId).not.toBe(welcome.clientId);
      expect(w.ok).toBe(true);
    }
    thief.close();

    // The victim, back with its secret, gets its identity (and a fresh shard link) again.
    const back = await volunteer();
    const resumed = await back.hello(run.id, { resumeClientId: welcome.clientId, resumeSecret: welcome.resumeSecret });
    expect(resumed).toMatchObject({ ok: true, clientId: welcome.clientId });
    if (!resumed.ok) return;
    expect((await fetch(`${fixture.server.url}${welcome.task.shardUrl}`)).status).toBe(403); // the old link died with the old connection
    expect((await fetch(`${fixture.server.url}${resumed.task.shardUrl}`)).status).toBe(200);
  });
});

describe('sessions', { timeout: 300_000 }, () => {
  it('one socket holds one session: repeated hello + ready leaves no ghosts to stall the run', async () => {
    // A long deadline: if ghosts were selected, the run would sit for minutes and the test would time out.
    const run = await fixture.createRun({ rounds: 2, minClients: 2, roundDeadlineMs: 600_000 });
    const ghost = await volunteer();
    for (let i = 0; i < 4; i++) {
      expect((await ghost.hello(run.id)).ok).toBe(true);
      ghost.ready(run.id);
    }
    expect((await runView(run.id)).clients.filter((c) => c.connected)).toHaveLength(1);
    ghost.close();
    await expect.poll(async () => (await runView(run.id)).clients.filter((c) => c.connected)).toHaveLength(0);

    const honest = [await volunteer(), await volunteer()];
    const finished = new Promise((r) => run.once('finished', r));
    for (const v of honest) {
      expect((await v.hello(run.id)).ok).toBe(true);
      v.ready(run.id);
    }
    await Promise.all(honest.map((v) => trainHonestly(v, run.id, 2)));
    await finished;
    const rows = run.metrics.slice(1) as { participants: string[]; attempt: number; selected: number }[];
    expect(rows.map((r) => [r.selected, r.participants.length, r.attempt])).toEqual([
      [2, 2, 0],
      [2, 2, 0],
    ]);
  });

  it('disconnected sessions expire after the grace period: hello-then-disconnect cycles do not pile up', async () => {
    const run = await fixture.createRun({ rounds: 1, minClients: 5, sessionGraceMs: 1_000 });
    for (let i = 0; i < 60; i++) {
      const v = await volunteer();
      expect((await v.hello(run.id)).ok).toBe(true);
      v.close();
    }
    const stays = await volunteer();
    expect((await stays.hello(run.id)).ok).toBe(true);
    // Once the grace period has passed, only the connected client is left.
    await expect.poll(async () => (await runView(run.id)).clients.length, { timeout: 30_000 }).toBe(1);
  });
});
