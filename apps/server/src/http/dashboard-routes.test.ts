import Fastify, { type FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRun } from '../socket/dashboard-run.fixture';
import { dashboardRoutes } from './dashboard-routes';

let app: FastifyInstance;
let fixture: Awaited<ReturnType<typeof makeTestRun>>;

beforeAll(async () => {
  fixture = await makeTestRun({ rounds: 1, minClients: 1 });
  const client = fixture.joinReadyClient();
  fixture.upload(client, 1);
  await new Promise((r) => fixture.run.once('finished', r));
  app = Fastify();
  await app.register(dashboardRoutes, { registry: fixture.registry });
});

afterAll(async () => {
  await app?.close();
  await fixture?.cleanup();
});

describe('dashboard routes', () => {
  it('exports the metrics as a CSV download with one line per round', async () => {
    const res = await app.inject(`/api/runs/${fixture.run.id}/export.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${fixture.run.id}-metrics.csv"`);
    const [header, ...lines] = res.body.trimEnd().split('\r\n');
    expect(header.split(',').slice(0, 4)).toEqual(['runId', 'round', 'time', 'accuracy']);
    expect(lines.map((l) => l.split(',')[1])).toEqual(['0', '1']);
    expect(Number(lines[1].split(',')[3])).toBe((fixture.run.metrics[1] as { accuracy: number }).accuracy);
  });

  it('exports the metrics as a JSON download equal to the metrics endpoint', async () => {
    const res = await app.inject(`/api/runs/${fixture.run.id}/export.json`);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${fixture.run.id}-metrics.json"`);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(fixture.run.metrics)));
  });

  it('gives the join link of the volunteer page and a QR code that the page can load', async () => {
    const res = await app.inject({ url: `/api/runs/${fixture.run.id}/join`, headers: { host: 'class.example:8080' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.url).toBe(`http://class.example:8080/?run=${fixture.run.id}`);
    expect(body.origins).toEqual(['http://class.example:8080']);
    const svg = await app.inject({ url: body.qrSvgUrl, headers: { host: 'class.example:8080' } });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg[^>]*viewBox="0 0 (\d+) \1"/);
    // The code carries exactly the join link.
    expect(svg.body).toBe(await QRCode.toString(body.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  });

  it('refuses a join address the server does not have', async () => {
    const res = await app.inject({ url: `/api/runs/${fixture.run.id}/join?base=${encodeURIComponent('http://evil.example')}`, headers: { host: 'localhost:8080' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/base must be one of: http:\/\/localhost:8080/);
  });

  it('refuses join query values the schema refuses', async () => {
    const long = await app.inject({ url: `/api/runs/${fixture.run.id}/join?base=${'h'.repeat(201)}`, headers: { host: 'localhost:8080' } });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ error: 'invalid query: base: Too big: expected string to have <=200 characters' });
    const twice = await app.inject({ url: `/api/runs/${fixture.run.id}/join.svg?base=a&base=b`, headers: { host: 'localhost:8080' } });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toEqual({ error: 'invalid query: base: Invalid input: expected string, received array' });
  });

  it('refuses a run id longer than 64 characters', async () => {
    for (const path of ['export.csv', 'export.json', 'join', 'join.svg']) {
      const res = await app.inject(`/api/runs/${'x'.repeat(65)}/${path}`);
      expect(res.statusCode, path).toBe(400);
      expect(res.json(), path).toEqual({ error: 'invalid path: runId: Too big: expected string to have <=64 characters' });
    }
  });

  it('answers 404 naming an unknown run', async () => {
    for (const path of ['export.csv', 'export.json', 'join', 'join.svg']) {
      const res = await app.inject(`/api/runs/nope/${path}`);
      expect(res.statusCode, path).toBe(404);
      expect(res.json()).toEqual({ error: 'no run nope' });
    }
  });

  it('sends /dashboard to the page', async () => {
    const res = await app.inject('/dashboard');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/dashboard.html');
  });
});
