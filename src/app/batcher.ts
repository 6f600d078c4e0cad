/**
 * Batching of concurrent callers: their rows are written (or read) together, one operation per tick.
 * Group commit on accept is its main use: one transaction for every accept of a tick.
 *
 * A row submitted while no write is under way is written at the end of the current event-loop turn
 * (`setImmediate`), together with every row submitted in that turn: a lone caller waits one turn,
 * never a timer. While `concurrency` writes are under way, rows wait and go in the next write the
 * moment one finishes, so under load a tick lasts as long as a commit (a millisecond or two) and
 * the batch grows with the load. A full batch (`maxRows`) is written at once.
 *
 * Each caller's promise settles only after the write holding its row has committed. When a whole
 * write fails on bad data, its rows are retried one by one, so one bad row fails only its own caller.
 */
export interface BatcherOptions<In, Out> {
  /** Writes (or reads) a batch: one result per row, in order. */
  run(rows: readonly In[]): Promise<Out[]>;
  maxRows?: number;
  /** Writes under way at once (PGlite runs one statement at a time; PostgreSQL gains from two). */
  concurrency?: number;
  /**
   * Whether a failed write's error belongs to one of its rows (bad data, a broken constraint): then
   * the rows are retried one by one. Any other error (the database gone) fails every caller, since
   * the write may have committed and a retry could store a row twice.
   */
  isRowError?: (err: unknown) => boolean;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export interface Batcher<In, Out> {
  submit(row: In): Promise<Out>;
}

interface Waiting<In, Out> {
  row: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export function createBatcher<In, Out>(options: BatcherOptions<In, Out>): Batcher<In, Out> {
  const maxRows = options.maxRows ?? 500;
  const concurrency = options.concurrency ?? 2;
  const isRowError = options.isRowError ?? isDataError;
  let queue: Waiting<In, Out>[] = [];
  let running = 0;
  let scheduled = false;

  const writeAlone = async (w: Waiting<In, Out>): Promise<void> => {
    try {
      const [out] = await options.run([w.row]);
      if (out === undefined) throw new Error('batcher: the write returned no result');
      w.resolve(out);
    } catch (err) {
      w.reject(err);
    }
  };

  const flush = async (batch: Waiting<In, Out>[]): Promise<void> => {
    try {
      const outs = await options.run(batch.map((w) => w.row));
      if (outs.length !== batch.length) throw new Error('batcher: one result per row was expected');
      batch.forEach((w, i) => w.resolve(outs[i] as Out));
    } catch (err) {
      if (batch.length === 1 || !isRowError(err)) for (const w of batch) w.reject(err);
      else for (const w of batch) await writeAlone(w);
    }
  };

  const pump = (): void => {
    scheduled = false;
    while (running < concurrency && queue.length > 0) {
      const batch = queue.slice(0, maxRows);
      queue = queue.slice(batch.length);
      running += 1;
      void flush(batch).finally(() => {
        running -= 1;
        schedule();
      });
    }
  };

  const schedule = (): void => {
    if (scheduled || queue.length === 0 || running >= concurrency) return;
    scheduled = true;
    setImmediate(pump);
  };

  return {
    submit(row) {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (queue.length >= maxRows && running < concurrency) pump();
        else schedule();
      });
    },
  };
}
