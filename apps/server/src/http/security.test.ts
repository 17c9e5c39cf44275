import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPotentiallyTrustworthy, security } from './security';

describe('isPotentiallyTrustworthy', () => {
  it('is https, or a loopback host over http', () => {
    for (const [protocol, host] of [['https', '192.168.1.20'], ['https', 'fl.example.org'], ['http', 'localhost'], ['http', 'app.localhost'], ['http', '127.0.0.1'], ['http', '[::1]'], ['http', '::1']]) {
      expect(isPotentiallyTrustworthy(protocol, host), `${protocol}://${host}`).toBe(true);
    }
    for (const [protocol, host] of [['http', '192.168.1.20'], ['http', 'classroom.local'], ['http', 'fl.example.org'], ['http', 'localhost.example.org']]) {
      expect(isPotentiallyTrustworthy(protocol, host), `${protocol}://${host}`).toBe(false);
    }
  });
});

describe('security headers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ trustProxy: true });
    await app.register(security);
    app.get('/', async () => 'page');
    await app.ready();
  });
  afterAll(() => app.close());

  it('send the opener policy where the browser honours it, and not on a plain-http LAN address', async () => {
    const on = async (host: string, proto?: string) =>
      (await app.inject({ url: '/', headers: { host, ...(proto ? { 'x-forwarded-proto': proto } : {}) } })).headers;
    expect((await on('localhost:8080'))['cross-origin-opener-policy']).toBe('same-origin');
    expect((await on('fl.example.org', 'https'))['cross-origin-opener-policy']).toBe('same-origin');
    const lan = await on('192.168.1.20:8080');
    expect(lan['cross-origin-opener-policy']).toBeUndefined();
    // The rest of the policy stays on every origin.
    expect(lan['content-security-policy']).toContain("default-src 'self'");
    expect(lan['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(lan['x-content-type-options']).toBe('nosniff');
  });
});
