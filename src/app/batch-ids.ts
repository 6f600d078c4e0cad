/**
 * UUIDv7 ids for many rows at once. `uuid`'s own v7 asks the system for 16 random bytes per id, which
 * cost more than the rest of planning a broadcast recipient; here the random bytes come from one
 * buffer filled 4 KiB at a time, and `uuid` still lays out the id. Ids stay in creation order: the
 * timestamp is the clock's (never going back) and the counter after it only grows.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const IDS_PER_FILL = 256;

export function uuidv7Source(now: () => number = Date.now): () => string {
  const pool = new Uint8Array(16 * IDS_PER_FILL);
  let at = pool.length;
  let msecs = 0;
  // 31 bits: v7's counter field holds 32, and it starts low enough to leave room to count up.
  let seq = 0;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const random = pool.subarray(at, at + 16);
    at += 16;
    const t = now();
    if (t > msecs) {
      msecs = t;
      seq = ((random[6] ?? 0) & 0x3f) << 24;
    } else if (++seq > 0x7fffffff) {
      msecs++;
      seq = 0;
    }
    return v7({ random, msecs, seq });
  };
}
