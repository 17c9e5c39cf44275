import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * DNS rebinding defence. A hostile page can point its own name at this server's address; the browser then treats
 * the server as that page's origin and sends `Host: <their name>`. Requests are served only when the Host header
 * is an IP address (no name to rebind), `localhost`, this machine's host name, or a name the operator listed
 * (`--allowed-hosts`, e.g. the public name behind a reverse proxy).
 */
export class HostAllowList {
  private readonly names: Set<string>;

  constructor(extraNames: readonly string[] = []) {
    this.names = new Set(['localhost', hostname(), ...extraNames].map(normalise).filter((n) => n && !isIP(n)));
  }

  /** The Host header's name, lower-cased, without port, brackets or a trailing dot; '' when there is none. */
  static nameOf(hostHeader: string | undefined): string {
    if (!hostHeader) return '';
    try {
      return normalise(new URL(`http://${hostHeader}`).hostname);
    } catch {
      return '';
    }
  }

  allows(hostHeader: string | undefined): boolean {
    const name = HostAllowList.nameOf(hostHeader);
    if (!name) return false;
    return isIP(name) !== 0 || this.names.has(name) || name.endsWith('.localhost');
  }

  refusal(hostHeader: string | undefined): string {
    return `host "${HostAllowList.nameOf(hostHeader) || '(none)'}" is not a name of this server; the operator can add it with --allowed-hosts`;
  }
}

/** Whether a host name (as in a URL, port-less; brackets and case do not matter) is this machine's loopback. */
export function isLoopbackHost(name: string): boolean {
  const host = normalise(name);
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Refuses HTTP requests whose Host is not on the list (421 Misdirected Request), before any route runs. */
async function hostCheck(app: FastifyInstance, opts: { allowList: HostAllowList }): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    if (!opts.allowList.allows(req.headers.host)) return reply.code(421).send({ error: opts.allowList.refusal(req.headers.host) });
  });
}

export const hostAllowList = fastifyPlugin(hostCheck, { name: 'clipfed-host-allow-list' });
