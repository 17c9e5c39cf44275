import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { joinAddresses, joinUrl } from './dashboard-join';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) => ({ address, family, internal }) as NetworkInterfaceInfo;
const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.20', 'IPv4', false), nic('fe80::1', 'IPv6', false)],
};

describe('joinAddresses', () => {
  it('puts the network address first when the dashboard is opened on localhost and the server listens everywhere', () => {
    const a = joinAddresses({ requestOrigin: 'http://localhost:8080', boundAddress: '0.0.0.0', port: 8080, interfaces });
    expect(a.origins).toEqual(['http://192.168.1.20:8080', 'http://localhost:8080']);
    expect(a.hint).toBeUndefined();
  });

  it('warns that a localhost-only server cannot be joined from other devices', () => {
    const a = joinAddresses({ requestOrigin: 'http://127.0.0.1:8080', boundAddress: '127.0.0.1', port: 8080, interfaces });
    expect(a.origins).toEqual(['http://127.0.0.1:8080']);
    expect(a.hint).toMatch(/--host 0.0.0.0/);
  });

  it('keeps the address the dashboard was opened at first when that is already a network address', () => {
    const a = joinAddresses({ requestOrigin: 'http://192.168.1.20:8080', boundAddress: '::', port: 8080, interfaces });
    expect(a.origins).toEqual(['http://192.168.1.20:8080']);
  });
});

describe('joinUrl', () => {
  it('points at the volunteer page for the run', () => {
    expect(joinUrl('http://192.168.1.20:8080', '2025-01-02-abc123')).toBe('http://192.168.1.20:8080/?run=2025-01-02-abc123');
  });
});
