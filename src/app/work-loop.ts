/**
 * The engine of every worker lane: claim up to a batch of items, run each with bounded concurrency,
 * and claim again as slots free up. It sleeps between empty claims until woken (LISTEN/NOTIFY or an
 * in-process signal) or until the poll interval passes, so nothing waits on polling when wakes work
 * and nothing is stranded when they don't. `stop()` drains: no new claims, in-flight items finish,
 * claimed-but-unstarted items are released, and what handled items handed off (`settled`) is done.
 */
export interface WorkLoopOptions<T> {
  name: string;
  concurrency: number;
  /** How many to claim at once; at least `concurrency` so the lane stays busy between claims. */
  batchSize: number;
  /**
   * When set, a claim may take more than `batchSize`, up to `maxBatchSize`: as many as the loop
   * starts in `aheadMs` at the pace it has been starting them. Fast work then claims in big batches
   * (fewer round trips and commits per item); slow work keeps `batchSize`, so nothing claimed waits
   * in the buffer for long (keep `aheadMs` well under the lease).
   */
  aheadMs?: number;
  maxBatchSize?: number;
  pollMs: number;
  claim(limit: number): Promise<T[]>;
  handle(item: T): Promise<void>;
  release(items: T[]): Promise<void>;
  /** Waits for work `handle` handed off and has not finished yet (a lane's outcomes being written). */
  settled?(): Promise<void>;
  /** `item` is the one being handled, when the error is about one (so logs can name it). */
  onError(err: unknown, where: string, item?: T): void;
}

/** Ids a worker's log line about a notification or delivery carries, for finding it in the logs. */
export interface LogIds {
  notificationId?: string;
  deliveryId?: string;
}

export class WorkLoop<T> {
  private readonly opts: WorkLoopOptions<T>;
  private running = false;
  private readonly buffer: T[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Items started per millisecond, smoothed; and the count in the current measuring window. */
  private pace = 0;
  private startedInWindow = 0;
  private windowStart = performance.now();

  constructor(opts: WorkLoopOptions<T>) {
    this.opts = opts;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Something may be due: claim now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    const unstarted = this.buffer.splice(0);
    if (unstarted.length > 0) {
      await this.opts
        .release(unstarted)
        .catch((err: unknown) => this.opts.onError(err, `${this.opts.name}: release`));
    }
    await Promise.allSettled([...this.inFlight]);
    await this.opts.settled?.();
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      const want = this.claimSize() - this.buffer.length - this.inFlight.size;
      if (want > 0) {
        try {
          const items = await this.opts.claim(want);
          claimed = items.length;
          this.buffer.push(...items);
        } catch (err) {
          this.opts.onError(err, `${this.opts.name}: claim`);
          await this.sleep(this.opts.pollMs);
          continue;
        }
      }
      this.startFromBuffer();
      // Claim again at once if the last claim was full and slots are free; else wait for a reason to.
      const full = claimed > 0 && claimed >= want;
      if (!this.running) break;
      if (full && this.inFlight.size < this.opts.concurrency) continue;
      if (!this.woken) await this.sleep(this.opts.pollMs);
    }
  }

  private claimSize(): number {
    const { batchSize, aheadMs, maxBatchSize } = this.opts;
    if (aheadMs === undefined) return batchSize;
    const now = performance.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= 250) {
      this.pace = (this.pace + this.startedInWindow / elapsed) / 2;
      this.startedInWindow = 0;
      this.windowStart = now;
    }
    return Math.max(batchSize, Math.min(maxBatchSize ?? batchSize, Math.floor(this.pace * aheadMs)));
  }

  private startFromBuffer(): void {
    while (this.running && this.inFlight.size < this.opts.concurrency && this.buffer.length > 0) {
      const item = this.buffer.shift() as T;
      this.startedInWindow += 1;
      const task: Promise<void> = this.opts
        .handle(item)
        .catch((err: unknown) => this.opts.onError(err, `${this.opts.name}: handle`, item))
        .finally(() => {
          this.inFlight.delete(task);
          this.startFromBuffer();
          this.wake();
        });
      this.inFlight.add(task);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
      if (this.woken || !this.running) this.wakeUp();
    });
  }
}
