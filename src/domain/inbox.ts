/**
 * The in-app inbox: one item per delivered `in_app` notification, per recipient.
 *
 * Item life: created unread and unseen → seen (the bell was opened) → read (the item was opened) →
 * archived (hidden from the default list). `unread` and `unarchive` step back. Expired items
 * (`expiresAt` passed) are never listed or counted, and are deleted on the recipient's next delivery.
 *
 * Collapse: an item with a `collapseKey` (say `trader:42`, seed 000's user/trader pair) replaces the
 * recipient's older *unread* items with the same key, so a stale alert never sits next to its newer
 * version. A read item is history the user has seen, so it stays.
 *
 * Every change to a recipient's inbox is an event with a sequence number that grows by exactly one per
 * event, per recipient, in commit order; a client that remembers its last event id can resume and
 * miss nothing. Each event carries the counts after the change, so a badge never needs a second call.
 */

export interface InboxItem {
  id: string;
  type: string;
  title: string;
  body: string;
  actionUrl: string | null;
  data: Record<string, unknown>;
  collapseKey: string | null;
  createdAt: Date;
  seenAt: Date | null;
  readAt: Date | null;
  archivedAt: Date | null;
  expiresAt: Date | null;
}

export interface InboxCounts {
  unread: number;
  unseen: number;
}

export type InboxEventBody =
  | { type: 'item.created'; item: InboxItem; counts: InboxCounts }
  | { type: 'item.updated'; item: InboxItem; counts: InboxCounts }
  | { type: 'item.removed'; itemId: string; reason: 'replaced' | 'expired'; counts: InboxCounts }
  | { type: 'items.read_all' | 'items.seen_all'; at: Date; counts: InboxCounts };

export interface InboxEvent {
  /** Per-recipient sequence number; the event id clients resume from. */
  seq: number;
  body: InboxEventBody;
}

/** Dates travel in JSON (the event log's jsonb, bus payloads) as ISO strings; this brings them back. */
const reviveItem = (i: Record<string, unknown>): InboxItem => {
  const d = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return {
    ...(i as unknown as InboxItem),
    createdAt: d(i.createdAt) ?? new Date(0),
    seenAt: d(i.seenAt),
    readAt: d(i.readAt),
    archivedAt: d(i.archivedAt),
    expiresAt: d(i.expiresAt),
  };
};

/** An event from its number and its body as JSON gave it back. */
export function reviveEvent(seq: number, payload: Record<string, unknown>): InboxEvent {
  const body = { ...payload } as Record<string, unknown>;
  if (body.item && typeof body.item === 'object')
    body.item = reviveItem(body.item as Record<string, unknown>);
  if (typeof body.at === 'string') body.at = new Date(body.at);
  return { seq, body: body as unknown as InboxEventBody };
}

/**
 * An event carried by a bus message, when it is exactly one Herald writes: a known type with its own
 * fields and nothing else, every field of the right kind, dates as ISO strings, counts as
 * non-negative integers. A bus message can come from anyone who can publish on the transport, and
 * what this accepts goes to the recipient's sockets without a read; else undefined.
 */
export function carriedEvent(seq: unknown, body: unknown): InboxEvent | undefined {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (!isRecord(body) || !isCounts(body.counts)) return undefined;
  const keys = Object.keys(body);
  const only = (...names: string[]) => keys.length === names.length && names.every((n) => n in body);
  switch (body.type) {
    case 'item.created':
    case 'item.updated':
      if (!only('type', 'item', 'counts') || !isItem(body.item)) return undefined;
      break;
    case 'item.removed':
      if (!only('type', 'itemId', 'reason', 'counts') || typeof body.itemId !== 'string') return undefined;
      if (body.reason !== 'replaced' && body.reason !== 'expired') return undefined;
      break;
    case 'items.read_all':
    case 'items.seen_all':
      if (!only('type', 'at', 'counts') || !isDate(body.at)) return undefined;
      break;
    default:
      return undefined;
  }
  return reviveEvent(seq, body);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isCounts = (v: unknown): boolean =>
  isRecord(v) && Object.keys(v).length === 2 && isCount(v.unread) && isCount(v.unseen);
const ITEM_STRINGS = ['id', 'type', 'title', 'body'] as const;
const ITEM_NULLABLE_STRINGS = ['actionUrl', 'collapseKey'] as const;
const ITEM_NULLABLE_DATES = ['seenAt', 'readAt', 'archivedAt', 'expiresAt'] as const;
const ITEM_KEYS = ITEM_STRINGS.length + ITEM_NULLABLE_STRINGS.length + ITEM_NULLABLE_DATES.length + 2;
const isItem = (v: unknown): boolean =>
  isRecord(v) &&
  Object.keys(v).length === ITEM_KEYS &&
  ITEM_STRINGS.every((k) => typeof v[k] === 'string') &&
  ITEM_NULLABLE_STRINGS.every((k) => v[k] === null || typeof v[k] === 'string') &&
  ITEM_NULLABLE_DATES.every((k) => v[k] === null || isDate(v[k])) &&
  isDate(v.createdAt) &&
  isRecord(v.data);

export const INBOX_ACTIONS = ['read', 'unread', 'seen', 'archive', 'unarchive'] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];

export interface InboxFilter {
  status: 'all' | 'unread' | 'read';
  archived: 'exclude' | 'include' | 'only';
  type?: string | undefined;
  /** The last item id of the previous page; items come newest first. */
  cursor?: string | undefined;
  limit: number;
}

/** Page sizes for `GET /v1/inbox/items`: a widget needs a screenful; more is a scan. */
export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
/** The longest TTL an item may ask for (a year); longer is a mistake, not a wish. */
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
/** How long events stay replayable; a client away longer reloads its list (it gets a `reset`). */
export const EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** What a delivery asks the inbox to store, taken from the rendered `content.in_app`. */
export interface InboxDraft {
  title: string;
  body: string;
  actionUrl: string | null;
  data: Record<string, unknown>;
  collapseKey: string | null;
  expiresAt: Date | null;
}

/**
 * Reads the rendered in-app content. `ttlSeconds` and `collapseKey` ride in `content.in_app` until
 * notification types carry their own settings; then a type's defaults can fill what is absent here.
 */
export function draftFromContent(content: Record<string, unknown>, now: Date): InboxDraft {
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const ttl = content.ttlSeconds;
  const ttlSeconds =
    typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, MAX_TTL_SECONDS) : null;
  const data = content.data;
  return {
    title: str(content.title) ?? '',
    body: str(content.body) ?? '',
    actionUrl: str(content.actionUrl),
    data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    collapseKey: str(content.collapseKey),
    expiresAt: ttlSeconds === null ? null : new Date(now.getTime() + ttlSeconds * 1000),
  };
}

/** The columns an action sets; `keep` leaves an earlier timestamp as it was (first read wins). */
export type ActionPatch = Partial<Record<'seenAt' | 'readAt' | 'archivedAt', Date | null | 'keep'>>;

export function patchFor(action: InboxAction, now: Date): ActionPatch {
  switch (action) {
    case 'read':
      // Reading implies seeing: an opened item must not keep the bell's "new" dot lit.
      return { readAt: now, seenAt: now };
    case 'unread':
      return { readAt: null };
    case 'seen':
      return { seenAt: now };
    case 'archive':
      return { archivedAt: now };
    case 'unarchive':
      return { archivedAt: null };
  }
}

/** Applies a patch: a timestamp already set stays (the first read is the read), null clears. */
export function applyPatch(item: InboxItem, patch: ActionPatch): InboxItem {
  const next = { ...item };
  for (const key of ['seenAt', 'readAt', 'archivedAt'] as const) {
    const v = patch[key];
    if (v === undefined || v === 'keep') continue;
    next[key] = v === null ? null : (item[key] ?? v);
  }
  return next;
}

export const isLive = (item: Pick<InboxItem, 'expiresAt'>, now: Date): boolean =>
  item.expiresAt === null || item.expiresAt.getTime() > now.getTime();
