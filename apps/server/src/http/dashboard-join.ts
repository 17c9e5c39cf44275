import type { NetworkInterfaceInfo } from 'node:os';
import { isLoopbackHost } from './host-allow-list';

export interface JoinAddressInput {
  /** Origin the dashboard was opened at (scheme://host:port from the request). */
  requestOrigin: string;
  /** Address the HTTP server is bound to ('0.0.0.0' or '::' when it listens on every interface). */
  boundAddress: string;
  port: number;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

export interface JoinAddresses {
  /** Origins a volunteer could open, best first: the one for the QR code leads. */
  origins: string[];
  /** Set when the only address is this computer's own, which phones and other computers cannot open. */
  hint?: string;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/**
 * Where volunteers can reach this server. A teacher usually opens the dashboard as http://localhost:8080 on the
 * projector computer; the QR code must then carry the computer's network address instead, which exists only when
 * the server listens on every interface (--host 0.0.0.0).
 */
export function joinAddresses(input: JoinAddressInput): JoinAddresses {
  const wildcard = input.boundAddress === '0.0.0.0' || input.boundAddress === '::';
  const lan = wildcard
    ? Object.values(input.interfaces)
        .flat()
        .filter((i): i is NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal)
        .map((i) => `http://${i.address}:${input.port}`)
    : [];
  const loopback = isLoopbackOrigin(input.requestOrigin);
  const origins = loopback ? [...lan, input.requestOrigin] : [input.requestOrigin, ...lan.filter((o) => o !== input.requestOrigin)];
  const hint =
    loopback && lan.length === 0
      ? 'This address only works on this computer. For a classroom, start the server with --host 0.0.0.0 and open the dashboard at its network address.'
      : undefined;
  return { origins: [...new Set(origins)], hint };
}

/** The volunteer page for one run. */
export function joinUrl(origin: string, runId: string): string {
  return `${origin}/?run=${encodeURIComponent(runId)}`;
}
