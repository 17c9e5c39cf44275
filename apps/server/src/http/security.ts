import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet from '@fastify/helmet';
import { isLoopbackHost } from './host-allow-list';

/**
 * Security headers for every response. The page needs WebAssembly compilation ('wasm-unsafe-eval') for
 * onnxruntime-web and tfjs-wasm, module workers from its own origin, and a websocket back to its own origin.
 * No CORS plugin is registered on purpose: without CORS headers, browsers only let the server's own origin read it.
 */
async function securityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // helmet's default would make the browser fetch every script and stylesheet over https. A classroom serves
        // plain http on a LAN address (only localhost is exempt from the upgrade), so its phones got a blank page.
        upgradeInsecureRequests: null,
      },
    },
    // The model and wasm files are fetched by the page itself; cross-origin isolation is not needed here.
    crossOriginEmbedderPolicy: false,
  });
  // Browsers honour Cross-Origin-Opener-Policy only on a potentially trustworthy origin; on a classroom's plain-http
  // LAN address Chromium ignores it and logs a console error on every page, so it is sent only where it works.
  app.addHook('onSend', async (request, reply) => {
    if (!isPotentiallyTrustworthy(request.protocol, request.hostname)) reply.removeHeader('cross-origin-opener-policy');
  });
}

/**
 * Whether a browser treats pages from this scheme and host as a secure context (the W3C "potentially trustworthy
 * origin"): https, or a loopback host. `hostname` is without its port; an IPv6 literal may keep its brackets.
 */
export function isPotentiallyTrustworthy(protocol: string, hostname: string): boolean {
  return protocol === 'https' || isLoopbackHost(hostname);
}

export const security = fastifyPlugin(securityHeaders, { name: 'clipfed-security' });

/**
 * True when a websocket upgrade comes from a page of this server (or from a non-browser client, which sends no
 * Origin): same host and port, and the same scheme the page was served over (`https` behind TLS, else `http`),
 * so a page over plain http cannot talk to a server its users reach over https, or the other way round.
 */
export function isSameOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[] = [], scheme: 'http' | 'https' = 'http'): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return url.host === host && url.protocol === `${scheme}:`;
  } catch {
    return false;
  }
}
