import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { classroomBanner, projectorUrl } from './classroom';

const nic = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});

describe('classroom banner', () => {
  it('gives the network address, a QR code of it, and the projector view', async () => {
    const banner = await classroomBanner({
      runId: 'run-1',
      port: 8080,
      interfaces: { lo: [nic('127.0.0.1', true)], wlan0: [nic('192.168.1.20')] },
    });
    expect(banner.joinUrl).toBe('http://192.168.1.20:8080/?run=run-1');
    expect(banner.text).toContain('  http://192.168.1.20:8080/?run=run-1');
    expect(banner.projectorUrl).toBe('http://localhost:8080/dashboard.html?run=run-1&view=projector');
    // The QR code is drawn with block characters, at least 21 modules (version 1) high in half-block rows.
    const qrLines = banner.text.split('\n').filter((l) => /[█▀▄]/.test(l));
    expect(qrLines.length).toBeGreaterThanOrEqual(11);
  });

  it('lists every network address, the first one in the code', async () => {
    const banner = await classroomBanner({ runId: 'r', port: 9000, interfaces: { eth0: [nic('10.0.0.5')], wlan0: [nic('192.168.1.20')] } });
    expect(banner.joinUrl).toBe('http://10.0.0.5:9000/?run=r');
    expect(banner.text).toContain('also reachable at http://192.168.1.20:9000/?run=r');
  });

  it('says so when there is no network address, and draws no code of an address phones cannot open', async () => {
    const banner = await classroomBanner({ runId: 'r', port: 8080, interfaces: { lo: [nic('127.0.0.1', true)] } });
    expect(banner.joinUrl).toBeUndefined();
    expect(banner.text).toMatch(/no network address/);
    expect(banner.text).not.toMatch(/[█▀▄]/);
  });

  it('escapes the run id in the projector link', () => {
    expect(projectorUrl(8080, 'a b')).toBe('http://localhost:8080/dashboard.html?run=a%20b&view=projector');
  });
});
