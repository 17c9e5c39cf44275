import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet from '@fastify/helmet';

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
      },
    },
    // The model and wasm files are fetched by the page itself; cross-origin isolation is not needed here.
    crossOriginEmbedderPolicy: false,
  });
}

export const security = fastifyPlugin(securityHeaders, { name: 'clipfed-security' });

/** True when a websocket upgrade comes from a page of this server (or from a non-browser client, which sends no Origin). */
export function isSameOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[] = []): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
