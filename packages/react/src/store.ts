/**
 * One recipient's inbox in the browser: the items, the counts, and the live stream, with the same
 * protocol as `<herald-inbox>`. Counts are read first (their `lastEventId` is where the stream
 * resumes), the stream is opened with a one-use ticket and `since`, and every event carries the counts
 * after it, so the badge stays true across tabs and after a missed event; `reset` reloads the list.
 * The stream is a WebSocket, or Server-Sent Events where WebSocket is missing or keeps failing to
 * open (a proxy that refuses upgrades): the same events, resumed the same way.
 */
import type { Preferences, PreferencesAdapter } from './preferences.ts';

export interface Credentials {
  /** Herald's address, e.g. `https://herald.example.com`. */
  baseUrl: string;
  /** A JWT signed with the service's inbox `jwtKey` (iss = service id, sub = recipient id). */
  token?: string;
  /** Or the HMAC of the recipient id, with the service and recipient ids. */
  serviceId?: string;
  recipientId?: string;
  hmac?: string;
  /** `auto` (default): WebSocket, falling back to Server-Sent Events; or force one of them. */
  transport?: 'auto' | 'websocket' | 'sse';
}

/** What the store needs of a stream: WebSocket and EventSource both have it. */
interface Stream {
  close(): void;
}

export interface InboxItem {
  id: string;
  type: string;
  title: string;
  body: string;
  actionUrl: string | null;
  data: unknown;
  createdAt: string;
  seenAt: string | null;
  readAt: string | null;
  archivedAt: string | null;
  [more: string]: unknown;
}

export interface Counts {
  unread: number;
  unseen: number;
  lastEventId: number;
}

export type Connection = 'connecting' | 'live' | 'offline';
export type Action = 'read' | 'unread' | 'seen' | 'archive' | 'unarchive';

export interface InboxState {
  items: InboxItem[];
  counts: Counts;
  nextCursor: string | null;
  connection: Connection;
  error: Error | null;
}

interface StreamMessage {
  type: string;
  id?: number;
  item?: InboxItem;
  itemId?: string;
  at?: string;
  counts?: Counts;
  heartbeatMs?: number;
}

export class InboxStore {
  state: InboxState = {
    items: [],
    counts: { unread: 0, unseen: 0, lastEventId: 0 },
    nextCursor: null,
    connection: 'connecting',
    error: null,
  };
  readonly #creds: Credentials;
  #listeners = new Set<() => void>();
  #created = new Set<(item: InboxItem) => void>();
  #lastEventId: number | null = null;
  #socket: Stream | null = null;
  #useSse: boolean;
  /** WebSockets in a row that closed before a single message: two, and `auto` turns to SSE. */
  #deadSockets = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #stopped = true;

  constructor(creds: Credentials) {
    this.#creds = creds;
    this.#useSse =
      creds.transport === 'sse' || (creds.transport !== 'websocket' && typeof WebSocket !== 'function');
  }

  /** Which transport the stream uses now. */
  get transport(): 'websocket' | 'sse' {
    return this.#useSse ? 'sse' : 'websocket';
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };
  snapshot = () => this.state;

  onCreated(cb: (item: InboxItem) => void) {
    this.#created.add(cb);
    return () => void this.#created.delete(cb);
  }

  #set(patch: Partial<InboxState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.#listeners) l();
  }

  headers(): Record<string, string> {
    const c = this.#creds;
    if (c.token) return { authorization: `Bearer ${c.token}` };
    return {
      'x-herald-service': c.serviceId ?? '',
      'x-herald-recipient': encodeURIComponent(c.recipientId ?? ''),
      'x-herald-recipient-hmac': c.hmac ?? '',
    };
  }

  async call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
    const res = await fetch(this.#creds.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers:
        body === undefined ? this.headers() : { ...this.headers(), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await res.json().catch(() => null)) as T & { error?: { message?: string } };
    if (!res.ok) throw new Error(answer?.error?.message ?? `Herald answered ${res.status} to ${path}`);
    return answer;
  }

  /** The recipient's own preferences, with the same credentials as the inbox. */
  readonly preferences: PreferencesAdapter = {
    load: () => this.call<Preferences>('/v1/inbox/preferences'),
    save: (patch) => this.call<Preferences>('/v1/inbox/preferences', 'PATCH', patch),
  };

  start() {
    this.#stopped = false;
    void this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchdog);
    const s = this.#socket;
    this.#socket = null;
    s?.close();
  }

  async #connect() {
    this.#set({ connection: 'connecting' });
    try {
      if (this.#lastEventId === null) {
        const counts = await this.call<Counts>('/v1/inbox/counts');
        const page = await this.call<{ data: InboxItem[]; nextCursor: string | null }>(
          '/v1/inbox/items?limit=20',
        );
        this.#lastEventId = counts.lastEventId;
        this.#set({ items: page.data, nextCursor: page.nextCursor, counts });
      }
      const { ticket } = await this.call<{ ticket: string }>('/v1/inbox/tickets', 'POST');
      if (this.#stopped) return;
      const base = this.#creds.baseUrl.replace(/\/+$/, '');
      const query = `?ticket=${encodeURIComponent(ticket)}&since=${this.#lastEventId}`;
      if (this.#useSse) {
        // EventSource would reconnect by itself, with a ticket already spent: reconnect here instead.
        const es = new EventSource(`${base}/v1/inbox/events${query}`);
        es.onmessage = (e) => this.#onMessage(es, JSON.parse(String(e.data)) as StreamMessage);
        es.onerror = () => this.#lost(es);
        this.#socket = es;
        return;
      }
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/inbox/stream${query}`);
      let heard = false;
      ws.onmessage = (e) => {
        heard = true;
        this.#deadSockets = 0;
        this.#onMessage(ws, JSON.parse(String(e.data)) as StreamMessage);
      };
      ws.onclose = () => {
        if (!heard && this.#creds.transport !== 'websocket' && ++this.#deadSockets >= 2) this.#useSse = true;
        this.#lost(ws);
      };
      this.#socket = ws;
    } catch (err) {
      this.#set({ error: err as Error });
      this.#reconnect();
    }
  }

  /** Drops the stream as a network loss would; it comes back from where it was. */
  drop() {
    if (this.#socket) this.#lost(this.#socket);
  }

  #lost(ws: Stream) {
    if (this.#socket !== ws) return;
    this.#socket = null;
    ws.close();
    clearTimeout(this.#watchdog);
    this.#reconnect();
  }

  #reconnect() {
    if (this.#stopped) return;
    this.#set({ connection: 'offline' });
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.#attempt++, 6)) * (0.5 + Math.random() / 2);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #onMessage(ws: Stream, m: StreamMessage) {
    this.#attempt = 0;
    clearTimeout(this.#watchdog);
    // Two missed heartbeats mean a dead link even if the socket has not noticed.
    this.#watchdog = setTimeout(() => this.#lost(ws), (m.heartbeatMs ?? 30_000) * 2.5);
    if (m.type === 'reset') {
      this.#lastEventId = null;
      this.#lost(ws);
      return;
    }
    if (m.id !== undefined) this.#lastEventId = m.id;
    let items = this.state.items;
    const at = (id: string | undefined) => items.findIndex((i) => i.id === id);
    if (m.type === 'item.created' && m.item && at(m.item.id) < 0) {
      items = [m.item, ...items];
      for (const cb of this.#created) cb(m.item);
    }
    if (m.type === 'item.updated' && m.item) {
      const item = m.item;
      items = item.archivedAt
        ? items.filter((i) => i.id !== item.id)
        : items.map((i) => (i.id === item.id ? item : i));
    }
    if (m.type === 'item.removed') items = items.filter((i) => i.id !== m.itemId);
    if (m.type === 'items.read_all') items = items.map((i) => (i.readAt ? i : { ...i, readAt: m.at ?? '' }));
    if (m.type === 'items.seen_all') items = items.map((i) => (i.seenAt ? i : { ...i, seenAt: m.at ?? '' }));
    this.#set({ items, connection: 'live', error: null, ...(m.counts ? { counts: m.counts } : {}) });
  }

  async loadMore() {
    const cursor = this.state.nextCursor;
    if (!cursor) return;
    const page = await this.call<{ data: InboxItem[]; nextCursor: string | null }>(
      `/v1/inbox/items?limit=20&cursor=${encodeURIComponent(cursor)}`,
    );
    const known = new Set(this.state.items.map((i) => i.id));
    this.#set({
      items: [...this.state.items, ...page.data.filter((i) => !known.has(i.id))],
      nextCursor: page.nextCursor,
    });
  }

  /**
   * Applies an action at once, then asks Herald; if Herald refuses, the items and counts go back to
   * what they were. The stream's next event brings the server's counts either way.
   */
  async act(id: string, action: Action) {
    const before = this.state;
    const now = new Date().toISOString();
    const item = before.items.find((i) => i.id === id);
    if (!item) return;
    const next: InboxItem = {
      ...item,
      ...(action === 'read' ? { readAt: item.readAt ?? now, seenAt: item.seenAt ?? now } : {}),
      ...(action === 'unread' ? { readAt: null } : {}),
      ...(action === 'seen' ? { seenAt: item.seenAt ?? now } : {}),
      ...(action === 'archive' ? { archivedAt: now } : {}),
      ...(action === 'unarchive' ? { archivedAt: null } : {}),
    };
    const unreadDelta = (next.readAt || next.archivedAt ? 0 : 1) - (item.readAt || item.archivedAt ? 0 : 1);
    const unseenDelta = (next.seenAt || next.archivedAt ? 0 : 1) - (item.seenAt || item.archivedAt ? 0 : 1);
    this.#set({
      items:
        action === 'archive'
          ? before.items.filter((i) => i.id !== id)
          : before.items.map((i) => (i.id === id ? next : i)),
      counts: {
        ...before.counts,
        unread: Math.max(0, before.counts.unread + unreadDelta),
        unseen: Math.max(0, before.counts.unseen + unseenDelta),
      },
    });
    try {
      await this.call(`/v1/inbox/items/${encodeURIComponent(id)}/${action}`, 'POST');
    } catch (err) {
      this.#set({ items: before.items, counts: before.counts, error: err as Error });
      throw err;
    }
  }

  async markAll(what: 'read' | 'seen') {
    const before = this.state;
    const now = new Date().toISOString();
    this.#set({
      items: before.items.map((i) =>
        what === 'read'
          ? { ...i, readAt: i.readAt ?? now, seenAt: i.seenAt ?? now }
          : { ...i, seenAt: i.seenAt ?? now },
      ),
      counts: { ...before.counts, unseen: 0, ...(what === 'read' ? { unread: 0 } : {}) },
    });
    try {
      await this.call(`/v1/inbox/${what}-all`, 'POST');
    } catch (err) {
      this.#set({ items: before.items, counts: before.counts, error: err as Error });
      throw err;
    }
  }
}
