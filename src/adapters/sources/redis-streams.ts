/**
 * Redis Streams source (ioredis): a consumer group read with XREADGROUP, acked with XACK once the
 * events are durable. At start it reads back what this consumer name was handed and never acked;
 * every so often XAUTOCLAIM takes entries another consumer has held unacknowledged for `claimIdleMs`
 * (a consumer that died). Entry fields are the message's headers; `bodyField` holds the JSON body.
 */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { RedisSourceConfig } from '../../config-sources.ts';
import type { EventSource, SourceMessage } from '../../ports/event-source.ts';

type Entry = [id: Buffer, fields: Buffer[] | null];

export function redisStreamSource(c: RedisSourceConfig): EventSource {
  const consumer = c.consumer ?? `${hostname()}-${process.pid}`;
  const options = {
    lazyConnect: true,
    // A pull fails fast while Redis is away; the runner retries it, and ioredis reconnects.
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
  };
  // Reads block; acks and lag go over a connection of their own so a scrape never waits on a read.
  const reader = new Redis(c.url, options);
  const control = new Redis(c.url, options);
  reader.on('error', () => undefined);
  control.on('error', () => undefined);
  const ids = new WeakMap<SourceMessage, string>();
  let ownPendingRead = false;
  let nextClaimAt = 0;
  let claimCursor = '0-0';

  const ensureGroup = async () => {
    try {
      await control.xgroup('CREATE', c.stream, c.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  };

  const toMessages = (entries: Entry[]) => {
    const out: SourceMessage[] = [];
    const gone: string[] = [];
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      // An entry deleted from the stream while pending: nothing to read, only to ack.
      if (!fields) {
        gone.push(id);
        continue;
      }
      const headers: Record<string, string> = {};
      let body: Uint8Array = new Uint8Array();
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const key = fields[i]!.toString();
        if (key === c.bodyField) body = new Uint8Array(fields[i + 1]!);
        else headers[key] = fields[i + 1]!.toString();
      }
      const m: SourceMessage = { body, headers, address: c.stream };
      ids.set(m, id);
      out.push(m);
    }
    return { out, gone };
  };

  const withGroup = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      // A Redis that restarted without its data lost the group: make it again and read on.
      if (!String((err as Error).message).includes('NOGROUP')) throw err;
      await ensureGroup();
      return f();
    }
  };

  const read = async (max: number, waitMs: number): Promise<SourceMessage[]> => {
    if (!ownPendingRead) {
      // Entries this consumer name was handed before a restart and never acked.
      const res = await reader.xreadgroupBuffer(
        'GROUP',
        c.group,
        consumer,
        'COUNT',
        max,
        'STREAMS',
        c.stream,
        '0',
      );
      const entries = res?.[0]?.[1] ?? [];
      const { out, gone } = toMessages(entries);
      if (gone.length) await control.xack(c.stream, c.group, ...gone);
      if (entries.length === 0) ownPendingRead = true;
      else if (out.length) return out;
    }
    if (Date.now() >= nextClaimAt) {
      const res = (await control.callBuffer(
        'XAUTOCLAIM',
        c.stream,
        c.group,
        consumer,
        c.claimIdleMs,
        claimCursor,
        'COUNT',
        max,
      )) as [Buffer, Entry[], Buffer[]?];
      claimCursor = res[0].toString();
      // A full sweep done: look again after a while; otherwise go on from the cursor next pull.
      if (claimCursor === '0-0') nextClaimAt = Date.now() + Math.max(100, Math.floor(c.claimIdleMs / 2));
      const { out, gone } = toMessages(res[1]);
      if (gone.length) await control.xack(c.stream, c.group, ...gone);
      if (out.length) return out;
    }
    const res = await reader.xreadgroupBuffer(
      'GROUP',
      c.group,
      consumer,
      'COUNT',
      max,
      'BLOCK',
      Math.max(1, waitMs),
      'STREAMS',
      c.stream,
      '>',
    );
    const { out, gone } = toMessages(res?.[0]?.[1] ?? []);
    if (gone.length) await control.xack(c.stream, c.group, ...gone);
    return out;
  };

  return {
    async start() {
      await reader.connect();
      await control.connect();
      await ensureGroup();
    },
    pull: (max, waitMs) => withGroup(() => read(max, waitMs)),
    async ack(messages) {
      const list = messages.map((m) => ids.get(m)).filter((id): id is string => id !== undefined);
      if (list.length) await control.xack(c.stream, c.group, ...list);
    },
    async lag() {
      const groups = (await control.xinfo('GROUPS', c.stream)) as unknown[][];
      for (const g of groups) {
        const info = new Map<string, unknown>();
        for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
        if (info.get('name') !== c.group) continue;
        const lag = info.get('lag');
        return Number(info.get('pending') ?? 0) + (lag == null ? 0 : Number(lag));
      }
      return null;
    },
    async close() {
      reader.disconnect();
      await control.quit().catch(() => control.disconnect());
    },
  };
}
