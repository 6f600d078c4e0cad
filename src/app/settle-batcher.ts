/**
 * Group commit for a lane's outcomes. Each send's outcome is added here and its caller waits until
 * that outcome is written; outcomes that arrive while a write is in flight (or within the same turn
 * of the event loop) go out together in the next one. A lone outcome waits at most one turn of the
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
}

interface Waiting<I, R> {
  item: I;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createSettleBatcher<I, R>(o: BatcherOptions<I, R>): (item: I) => Promise<R> {
  const queue: Waiting<I, R>[] = [];
  let busy = false;

  function schedule(): void {
    if (busy || queue.length === 0) return;
    busy = true;
    // One turn of the event loop lets every outcome that is ready now join this batch.
    setImmediate(() => void flush());
  }

  async function flush(): Promise<void> {
    const batch = queue.splice(0, o.maxBatch);
    try {
      const results = await o.write(batch.map((w) => w.item));
      batch.forEach((w, k) => w.resolve(results[k] as R));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      busy = false;
      schedule();
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
