import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { socketParser, type ClientToServerEvents, type ServerError, type ServerToClientEvents, type Welcome } from '@clipfed/protocol';
import type { RunRegistry } from '../runs/run-registry';
import { isSameOrigin } from '../http/security';
import type { HostAllowList } from '../http/host-allow-list';
import type { RemoteRuns } from '../relay/cluster';
import { coalescingChannel } from '../relay/coalescing-channel';
import { readClientMessage, relayRoute, runRoute, type ClientRoute } from './client-messages';
import { MessageRateLimiter } from './message-rate-limiter';

interface SocketData {
  runId?: string;
  clientId?: string;
}

type ClientSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayOptions {
  maxHttpBufferSize: number;
  /** Extra page origins allowed to connect (by default only pages served by this server). */
  allowedOrigins?: string[];
  messagesPerSecond?: number;
  /** Host names accepted on the upgrade request (DNS rebinding defence); every Host is accepted without one. */
  hostAllowList?: HostAllowList;
  /** Behind a reverse proxy: the page's scheme comes from X-Forwarded-Proto. */
  trustProxy?: boolean;
  /**
   * Shortest gap between two run-state messages to one client while the state keeps changing (default 250 ms).
   * With many connections it grows to one millisecond per connection, so the server sends at most about a
   * thousand state messages a second in all (at 1,000 clients, each gets one a second).
   */
  stateIntervalMs?: number;
  /** Several server processes: runs owned by another process are reached through this relay. */
  remoteRuns?: RemoteRuns;
  /** socket.io adapter shared by those processes (the Redis streams adapter). */
  adapter?: ServerOptions['adapter'];
  log: { info: (o: object | string, msg?: string) => void; warn: (o: object | string, msg?: string) => void };
}

/**
 * socket.io on the HTTP server Fastify owns (the community plugin targets Fastify 4). Every inbound message is
 * validated against packages/protocol before it reaches a run (client-messages.ts); each refusal goes back as
 * `server:error`. After hello, a socket's messages follow its route: to its run in this process, or relayed to the
 * process that owns the run.
 */
export function attachGateway(httpServer: HttpServer, registry: RunRegistry, opts: GatewayOptions) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    transports: ['websocket'],
    serveClient: false,
    // Room for a model of many tensors (CLIP2FL's student) in one message.
    parser: socketParser,
    ...(opts.adapter ? { adapter: opts.adapter } : {}),
    maxHttpBufferSize: opts.maxHttpBufferSize,
    // Training runs in a worker, but a busy 2-core machine with several tabs can stall the page briefly.
    pingTimeout: 60_000,
    allowRequest: (req, callback) => {
      if (opts.hostAllowList && !opts.hostAllowList.allows(req.headers.host)) {
        opts.log.warn({ host: req.headers.host }, 'websocket for a host name that is not this server refused');
        return callback('host not allowed', false);
      }
      const ok = isSameOrigin(req.headers.origin, req.headers.host, opts.allowedOrigins, requestScheme(req, opts.trustProxy ?? false));
      if (!ok) opts.log.warn({ origin: req.headers.origin }, 'websocket from a foreign origin refused');
      callback(ok ? null : 'origin not allowed', ok);
    },
  });

  const stateIntervalMs = () => Math.max(opts.stateIntervalMs ?? 250, io.engine.clientsCount);
  const remote = opts.remoteRuns;
  io.on('connection', (socket: ClientSocket) => {
    if (remote) void socket.join(remote.processRoom);
    // One run-state message per interval at most: a run announces every change to every client.
    const channel = coalescingChannel((event, ...args) => socket.emit(event, ...args), stateIntervalMs);
    const limiter = new MessageRateLimiter(opts.messagesPerSecond ?? 20, 2 * (opts.messagesPerSecond ?? 20));
    socket.use((packet, next) => {
      if (limiter.tryTake()) return next();
      refuse('rate-limited', `too many messages; "${String(packet[0])}" dropped`);
      // Answer a dropped request, so the sender is not left waiting on an acknowledgement forever.
      const ack = packet.at(-1);
      if (typeof ack === 'function') ack({ ok: false, accepted: false, code: 'rate-limited', reason: 'too many messages', message: 'too many messages' });
    });
    const refuse = (code: ServerError['code'], message: string, round?: number) => {
      opts.log.warn({ socket: socket.id, code, message }, 'message refused');
      socket.emit('server:error', { code, message, round });
    };
    /** Where this socket's messages go once it has joined: its run here, or the relay to the run's owner. */
    let route: ClientRoute | undefined;
    const joined = (): ClientRoute | undefined => {
      if (!route) refuse('not-joined', 'send hello first');
      return route;
    };

    socket.on('hello', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = readClientMessage('hello', raw);
      if (!parsed.ok) {
        refuse('bad-message', `hello: ${parsed.reason}`);
        return reply({ ok: false, code: 'bad-message', message: parsed.reason });
      }
      const hello = parsed.value;
      const run = hello.runId ? registry.get(hello.runId) : registry.defaultRun();
      if (!run && remote) {
        const welcome = await remote.hello(socket.id, hello).catch((e: Error): Welcome => ({ ok: false, code: 'run-not-found', message: `relay to the run's server failed: ${e.message}` }));
        if (welcome?.ok) {
          socket.data.runId = welcome.runId;
          socket.data.clientId = welcome.clientId;
          route = relayRoute(remote, socket.id, welcome.runId);
          void socket.join(`run:${welcome.runId}`);
        } else if (welcome) refuse(welcome.code as ServerError['code'], welcome.message);
        if (welcome) return reply(welcome);
      }
      if (!run) {
        const damage = hello.runId ? registry.damage(hello.runId) : undefined;
        const message = damage
          ? `run ${hello.runId} could not be restored after a restart (${damage.problem}); the operator has to repair or replace it`
          : hello.runId
            ? `no run ${hello.runId}`
            : 'no run is accepting volunteers right now';
        refuse('run-not-found', message);
        return reply({ ok: false, code: 'run-not-found', message });
      }
      // One session per socket: a second hello first leaves the session of the first (in whichever run it was).
      route?.leave();
      const welcome = run.join(channel, hello);
      if (welcome.ok) {
        socket.data.runId = run.id;
        socket.data.clientId = welcome.clientId;
        route = runRoute(run, welcome.clientId);
        void socket.join(`run:${run.id}`);
      } else refuse(welcome.code as ServerError['code'], welcome.message);
      reply(welcome);
    });

    socket.on('ready', (raw) => {
      const parsed = readClientMessage('ready', raw);
      if (!parsed.ok) return refuse('bad-message', `ready: ${parsed.reason}`);
      joined()?.ready(parsed.value);
    });

    socket.on('progress', (raw) => {
      const parsed = readClientMessage('progress', raw);
      if (!parsed.ok) return refuse('bad-message', `progress: ${parsed.reason}`);
      joined()?.progress(parsed.value);
    });

    socket.on('update', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = readClientMessage('update', raw);
      if (!parsed.ok) {
        refuse('bad-message', `update: ${parsed.reason}`);
        return reply({ accepted: false, code: 'bad-message', reason: parsed.reason });
      }
      const runId = socket.data.runId;
      const to = joined();
      if (!runId || !to) return reply({ accepted: false, code: 'not-joined', reason: 'send hello first' });
      if (parsed.value.runId !== runId) {
        refuse('not-selected', `update names run ${parsed.value.runId}, but this client joined ${runId}`, parsed.value.round);
        return reply({ accepted: false, code: 'not-selected', reason: 'wrong run' });
      }
      // A run in this process answers at once; only the relay is waited for.
      const answer = to.update(parsed.value);
      const result = answer instanceof Promise ? await answer : answer;
      if (!result.accepted) refuse(result.code as ServerError['code'], result.reason, parsed.value.round);
      reply(result);
    });

    socket.on('disconnect', () => {
      channel.close();
      route?.leave();
    });
  });
  return io;
}

/** The scheme the connecting page used: TLS on this socket, or (behind a trusted proxy) X-Forwarded-Proto. */
function requestScheme(req: IncomingMessage, trustProxy: boolean): 'http' | 'https' {
  if ((req.socket as TLSSocket).encrypted) return 'https';
  const forwarded = trustProxy ? req.headers['x-forwarded-proto'] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' ? 'https' : 'http';
}
