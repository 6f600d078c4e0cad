/**
 * The inbox in real time: a WebSocket (`/v1/inbox/stream`) and a Server-Sent Events fallback
 * (`/v1/inbox/events`). Both send the same JSON messages:
 *   {"type":"ready","lastEventId":"12","counts":{…},"heartbeatMs":25000}   first, once
 *   {"id":"13","type":"item.created","item":{…},"counts":{…}}   each event, ids +1 per recipient
 *   {"type":"reset"}   the requested position is no longer replayable: reload the list
 *   {"type":"heartbeat"}   every heartbeat interval, so a client can tell a dead link from a quiet one
 * A client resumes with `since=<last id>` (WebSocket) or `Last-Event-ID` (SSE; `since` works too);
 * without either it starts from now. Browsers authenticate with `?ticket=` from POST /v1/inbox/tickets;
 * other clients may use the recipient headers instead.
 *
 * Opening a stream spends one request of the recipient's budget (429 `rate_limited`); only a recipient
 * the service has may open one (404 otherwise); and a recipient holds at most `maxStreamsPerRecipient`
 * streams per API process, its service `maxStreamsPerService`, the process `maxStreams`: one more is
 * refused with 429 `too_many_streams` as a plain HTTP answer, before the WebSocket upgrade or the
 * event stream starts.
 * Clients send nothing on the WebSocket; what they send is ignored, except that a frame over 64 KiB
 * closes the connection with 1009 and a malformed one with 1002 or 1007 (as `ws` decides).
 * The server closes with 1001 when it shuts down and 1011 when it could not open the stream.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { authenticateRecipient, redeemTicket } from '../../app/inbox-auth.ts';
import type { HubConnection, InboxHub } from '../../app/inbox-hub.ts';
import type { RecipientRef } from '../../ports/inbox.ts';
import type { InboxEvent } from '../../domain/inbox.ts';
import { StreamSlots } from '../../app/stream-slots.ts';
import { tooManyStreams, unauthorized } from '../../domain/errors.ts';
import { CORS_HEADERS, credentialsOf } from '../inbox-auth.ts';
import { spendRecipientBudget } from '../rate-limit.ts';
import { errorResponses } from '../schemas.ts';
import { mustExist, type InboxHttpDeps } from './inbox.ts';

const wire = (e: InboxEvent) => JSON.stringify({ id: String(e.seq), ...e.body });
const HEARTBEAT = JSON.stringify({ type: 'heartbeat' });
const RESET = JSON.stringify({ type: 'reset' });
/** A client this far behind is not reading; drop it and let it resume, rather than buffer forever. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const StreamQuery = Type.Object(
  {
    ticket: Type.Optional(Type.String({ maxLength: 100 })),
    since: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
  },
  { additionalProperties: false },
);

/**
 * What a WebSocket's upgrade request leaves for the socket: its stream slot, and the HTTP response
 * object that the upgrade sat on. Kept beside the request, not on it, and taken once.
 */
const upgrades = new WeakMap<FastifyRequest, { release: () => void; res: ServerResponse }>();

/**
 * Errors on an open socket, for every socket of the route: one function that knows only the server's
 * logger. An oversized or malformed frame is the client's doing (ws has sent 1009, 1007 or 1002), so
 * it is not logged as an error, or any client could flood the error log.
 */
function onSocketError(log: FastifyBaseLogger) {
  return function (this: WebSocket, err: Error): void {
    const code = (err as Error & { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('WS_ERR_'))
      log.info({ err: err.message }, 'inbox stream: bad frame from client');
    else log.error({ err }, 'inbox stream failed');
    this.terminate();
  };
}

/**
 * Lets go of the upgrade request once the socket is open. The WebSocket plugin's error listener
 * closes over the request and its reply, and the TCP socket keeps the response object the upgrade
 * came in on, which keeps them both too (with headers, logger and hooks' state): a few kilobytes per
 * socket for its whole life. The slot is then released when the WebSocket closes.
 */
function detachUpgrade(
  socket: WebSocket,
  request: FastifyRequest,
  onError: (this: WebSocket, err: Error) => void,
) {
  socket.removeAllListeners('error');
  socket.on('error', onError);
  const held = upgrades.get(request);
  upgrades.delete(request);
  if (!held) return;
  socket.once('close', held.release);
  const tcp = request.raw.socket as Socket | null;
  if (tcp) held.res.detachSocket(tcp);
}

/**
 * Everything a long-lived socket keeps, built outside the route handler on purpose: closures made
 * in the handler would share its scope and keep the whole Fastify request alive for the socket's
 * lifetime, which at 10,000 sockets is most of the memory.
 */
function attachSocket(
  socket: WebSocket,
  start: { since: number; reset: boolean; ready: string },
  recipient: RecipientRef,
  hub: InboxHub,
): void {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const send = (text: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.terminate();
    else socket.send(text);
  };
  send(start.ready);
  if (start.reset) send(RESET);
  const conn: HubConnection = {
    lastSeq: start.since,
    send: (events) => {
      for (const e of events) send(wire(e));
    },
    reset: () => send(RESET),
    heartbeat: () => {
      if (!alive) {
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
      send(HEARTBEAT);
    },
    close: () => socket.close(1001, 'server shutting down'),
  };
  // Nothing was awaited since the caller saw the socket open, so it is still open here.
  const remove = hub.add(recipient, conn);
  socket.on('close', remove);
}

export function inboxStreamRoutes(deps: InboxHttpDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    const authenticate = async (
      request: FastifyRequest<{ Querystring: { ticket?: string; since?: string } }>,
    ) => {
      const ticket = request.query.ticket;
      if (ticket !== undefined) {
        request.recipient = await redeemTicket(deps, ticket);
        return;
      }
      const creds = credentialsOf(request);
      if (!creds) throw unauthorized('Open the stream with ?ticket= from POST /v1/inbox/tickets.');
      request.recipient = await authenticateRecipient(deps, creds);
    };
    const authenticateAndSpend = async (
      request: FastifyRequest<{ Querystring: { ticket?: string; since?: string } }>,
    ) => {
      await authenticate(request);
      await spendRecipientBudget(deps.recipientLimiter, request.recipient);
      await mustExist(deps, request.recipient);
    };

    const socketError = onSocketError(fastify.log);
    const slots = new StreamSlots({
      perRecipient: deps.maxStreamsPerRecipient ?? 10,
      perService: deps.maxStreamsPerService ?? 2000,
      total: deps.maxStreams ?? 20_000,
    });
    /**
     * Holds one of the recipient's stream slots until the connection closes. The response's `close`
     * fires for both kinds: for SSE when the stream or an error answer ends, for a WebSocket (whose
     * response object sits on the upgraded socket) when the socket closes.
     */
    const takeSlot = async (request: FastifyRequest, reply: FastifyReply) => {
      const slot = slots.take(request.recipient);
      if ('refused' in slot) throw tooManyStreams(slot.limit, slot.refused);
      reply.raw.once('close', slot.release);
      if (request.ws) upgrades.set(request, { release: slot.release, res: reply.raw });
    };

    /** Where a new connection starts, and the `ready` message it gets first. */
    const opening = async (request: FastifyRequest, requested: string | undefined) => {
      const now = (deps.now ?? (() => new Date()))();
      const [lastSeq, counts] = await Promise.all([
        deps.store.lastSeq(request.recipient),
        deps.store.counts(request.recipient, now),
      ]);
      const since = requested === undefined ? lastSeq : Number(requested);
      // A position from the future (another database, a bug) cannot be resumed: start over honestly.
      const reset = since > lastSeq;
      return {
        since: reset ? lastSeq : since,
        reset,
        ready: JSON.stringify({
          type: 'ready',
          lastEventId: String(lastSeq),
          counts,
          heartbeatMs: deps.heartbeatMs,
        }),
      };
    };

    app.get(
      '/v1/inbox/stream',
      {
        websocket: true,
        onRequest: authenticateAndSpend,
        preHandler: takeSlot,
        schema: {
          tags: ['inbox'],
          summary: 'WebSocket of inbox events (upgrade). Resume with `since`.',
          querystring: StreamQuery,
          response: errorResponses(401, 404, 422, 429),
        },
      },
      async (socket: WebSocket, request) => {
        detachUpgrade(socket, request, socketError);
        const start = await opening(request, request.query.since).catch((err: unknown) => {
          request.log.error({ err }, 'inbox stream: could not open');
          socket.close(1011, 'internal error');
          return null;
        });
        if (!start || socket.readyState !== socket.OPEN) return;
        attachSocket(socket, start, request.recipient, deps.hub);
      },
    );

    app.get(
      '/v1/inbox/events',
      {
        preHandler: takeSlot,
        onRequest: [
          async (_request, reply) => {
            void reply.headers(CORS_HEADERS);
          },
          authenticateAndSpend,
        ],
        schema: {
          tags: ['inbox'],
          summary: 'Server-Sent Events of inbox events. Resume with `Last-Event-ID` or `since`.',
          security: [{ streamTicket: [] }, { recipientJwt: [] }, { recipientHmac: [] }],
          querystring: StreamQuery,
          headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })) }),
          response: {
            200: Type.String({ description: 'text/event-stream' }),
            ...errorResponses(401, 404, 422, 429),
          },
        },
      },
      async (request, reply) => {
        const start = await opening(request, request.query.since ?? request.headers['last-event-id']);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          ...CORS_HEADERS,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          // Tell nginx and friends not to buffer, or events arrive in clumps.
          'x-accel-buffering': 'no',
        });
        const write = (chunk: string) => {
          if (res.writableEnded || res.destroyed) return;
          if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
          else res.write(chunk);
        };
        write(`data: ${start.ready}\n\n`);
        if (start.reset) write(`data: ${RESET}\n\n`);
        const conn: HubConnection = {
          lastSeq: start.since,
          send: (events) => write(events.map((e) => `id: ${e.seq}\ndata: ${wire(e)}\n\n`).join('')),
          reset: () => write(`data: ${RESET}\n\n`),
          heartbeat: () => write(`data: ${HEARTBEAT}\n\n`),
          close: () => res.end(),
        };
        const remove = deps.hub.add(request.recipient, conn);
        res.on('close', remove);
      },
    );

    // Streams never end on their own; without this, closing the server would wait for every client.
    app.addHook('preClose', async () => deps.hub.close());
  };
}
