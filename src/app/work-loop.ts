/**
 * The engine of every worker lane: claim up to a batch of items, run each with bounded concurrency,
 * and claim again as slots free up. It sleeps between empty claims until woken (LISTEN/NOTIFY or an
 * in-process signal) or until the poll interval passes, so nothing waits on polling when wakes work
 * and nothing is stranded when they don't. `stop()` drains: no new claims, in-flight items finish,
 * claimed-but-unstarted items are released.
 */
export interface WorkLoopOptions<T> {
  name: string;
  concurrency: number;
  /** How many to claim at once; at least `concurrency` so the lane stays busy between claims. */
  batchSize: number;
  pollMs: number;
  claim(limit: number): Promise<T[]>;
  handle(item: T): Promise<void>;
  release(items: T[]): Promise<void>;
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
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      const want = this.opts.batchSize - this.buffer.length - this.inFlight.size;
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

  private startFromBuffer(): void {
    while (this.running && this.inFlight.size < this.opts.concurrency && this.buffer.length > 0) {
      const item = this.buffer.shift() as T;
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
