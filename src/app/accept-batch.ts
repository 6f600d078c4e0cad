/**
 * Many notifications in one call: each item is checked on its own, the good ones are written in one
 * transaction, and every item gets its own answer in request order (an id, or that item's error).
 * One bad item refuses only itself. Idempotency keys work per item, as on the single endpoint.
 */
import { HeraldError } from '../domain/errors.ts';
import type { NewNotification, Recipient } from '../domain/types.ts';
import {
  answer,
  prepareNotification,
  readType,
  storedRecipientNeeded,
  type AcceptDeps,
  type Accepted,
  type NotificationRequest,
} from './accept.ts';

export const MAX_BATCH = 1000;

export type BatchItemResult = { ok: true; accepted: Accepted } | { ok: false; error: HeraldError };

export interface BatchDeps extends AcceptDeps {
  /** The stored recipients among `ids`, read at once for the whole batch (else one read per item). */
  recipientsByIds?: ((serviceId: string, ids: readonly string[]) => Promise<Recipient[]>) | undefined;
}

export async function acceptBatch(
  deps: BatchDeps,
  serviceId: string,
  items: readonly unknown[],
  validate: (item: unknown) => HeraldError | null,
): Promise<BatchItemResult[]> {
  const results: (BatchItemResult | undefined)[] = Array.from({ length: items.length });
  const valid: { index: number; body: NotificationRequest }[] = [];
  items.forEach((item, index) => {
    const error = validate(item);
    if (error) results[index] = { ok: false, error };
    else valid.push({ index, body: item as NotificationRequest });
  });

  const ids = new Set<string>();
  for (const { body } of valid) {
    if (typeof body.recipient === 'string') ids.add(body.recipient);
    else if (body.recipient) {
      // Without channels the type's defaults apply, which are not known yet: read it to be safe.
      const { id, ...fields } = body.recipient;
      if (!body.channels || storedRecipientNeeded(body.channels, fields, body.content ?? {})) ids.add(id);
    }
  }
  const readRecipients = async () => {
    if (!deps.recipientsByIds || ids.size === 0) return undefined;
    const known = new Map<string, Recipient | null>([...ids].map((id) => [id, null]));
    for (const r of await deps.recipientsByIds(serviceId, [...ids])) known.set(r.id, r);
    return known;
  };
  // Each type once for the whole batch (most batches name one): an item then waits on no read.
  const readTypes = async () =>
    new Map(
      await Promise.all(
        [...new Set(valid.map(({ body }) => body.type))].map(
          async (key) => [key, await readType(deps, serviceId, key)] as const,
        ),
      ),
    );
  const [recipients, types] = await Promise.all([readRecipients(), readTypes()]);
  const reads = { recipients, types };

  const prepared: { index: number; n: NewNotification }[] = [];
  await Promise.all(
    valid.map(async ({ index, body }) => {
      try {
        prepared.push({ index, n: await prepareNotification(deps, serviceId, body, undefined, reads) });
      } catch (err) {
        // The caller's mistake answers for this item; anything else (the database gone) for the call.
        if (!(err instanceof HeraldError) || err.status >= 500) throw err;
        results[index] = { ok: false, error: err };
      }
    }),
  );
  // Written in request order, so the first of two items with one idempotency key is the one stored.
  prepared.sort((a, b) => a.index - b.index);
  const written = await deps.notifications.acceptMany(prepared.map((p) => p.n));
  prepared.forEach(({ index, n }, i) => {
    const result = written[i];
    if (!result) throw new Error('acceptMany returned fewer results than notifications');
    try {
      results[index] = { ok: true, accepted: answer(n, result) };
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      results[index] = { ok: false, error: err };
    }
  });
  return results.map((r) => {
    if (!r) throw new Error('a batch item was left without a result');
    return r;
  });
}
