/**
 * Group commit for a lane's outcomes. Each send's outcome is added here and its caller waits until
 * that outcome is written; outcomes that arrive while the allowed writes are in flight (or within
 * the same turn of the event loop) go out together in the next one. A lone outcome waits at most one turn of the
 * event loop; under load a lane of concurrency c writes about c outcomes per round trip instead of
 * one each.
 *
 * Nothing is held back on a timer, so draining needs no flush: every caller is waiting on a write
 * that is already running or already scheduled, and `WorkLoop.stop()` waits for those callers.
 */
export interface BatcherOptions<I, R> {
  /** Writes a batch; resolves with one result per item, in order. */
  write(items: I[]): Promise<R[]>;
  /** Upper bound on one batch; the rest waits for the next write. */
  maxBatch: number;
  /** Writes allowed in flight at once (each on its own connection); 1 by default. */
  maxWrites?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createSettleBatcher<I, R>(o: BatcherOptions<I, R>): (item: I) => Promise<R> {
  const queue: Waiting<I, R>[] = [];
  const maxWrites = o.maxWrites ?? 1;
  let writing = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || writing >= maxWrites || queue.length === 0) return;
    scheduled = true;
    // One turn of the event loop lets every outcome that is ready now join this batch.
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  }

  async function flush(): Promise<void> {
    const batch = queue.splice(0, o.maxBatch);
    if (batch.length === 0) return;
    writing += 1;
    try {
      const results = await o.write(batch.map((w) => w.item));
      batch.forEach((w, k) => w.resolve(results[k] as R));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      writing -= 1;
      schedule();
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
