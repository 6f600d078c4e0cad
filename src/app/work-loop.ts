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
  /** Whether the loop may take items handed to it (`offer`) now; always when unset. */
  takesOffers?(): boolean;
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
  /** Releases of items offered after `stop()` began; `stop()` waits for them. */
  private readonly releasing = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Items started per millisecond, smoothed; and the count in the current measuring window. */
  private pace = 0;
  private startedInWindow = 0;
  private windowStart = performance.now();
  /**
   * Whether a claim may find something: the last one came back full, or a wake-up or the poll came
   * since. A finished item claims again at once only then, and only once a refill is worth a claim
   * (see `wanted`), so a busy loop refills in batches and a quiet one waits for new work to announce
   * itself. Claiming after every finished item cost one claim per item, mostly of a row or
   * two or of nothing: the busiest statement of a lane.
   */
  private mayHaveWork = true;

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
    this.mayHaveWork = true;
    this.kick();
  }

  private kick(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * How many to claim now, or 0 while the buffer still has enough: a refill waits until it can ask
   * for at least half a round of work (or the buffer is empty), so a busy loop claims in batches,
   * not one item per finished item.
   */
  private wanted(): number {
    const want = this.claimSize() - this.buffer.length - this.inFlight.size;
    if (want <= 0) return 0;
    return want >= Math.max(1, Math.floor(this.opts.concurrency / 2)) || this.buffer.length === 0 ? want : 0;
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
    await Promise.allSettled([...this.releasing]);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * How many items handed over now (`offer`) would start at once: the free slots, but only while the
   * loop knows of no waiting work (its last claim came back short and nothing woke it since). Items
   * handed over then skip a claim and its round trip, and take nobody's turn: a claim would have
   * started them just as soon. With a backlog, or while stopping, it is 0 and work goes by claims.
   */
  room(): number {
    if (!this.running || this.mayHaveWork || this.opts.takesOffers?.() === false) return 0;
    return Math.max(0, this.opts.concurrency - this.inFlight.size - this.buffer.length);
  }

  /**
   * Takes items already leased for this loop (as a claim would have returned them) and starts them.
   * A loop that stopped meanwhile releases them, as it releases what it claimed and did not start.
   */
  offer(items: T[]): void {
    if (items.length === 0) return;
    if (!this.running) {
      const released: Promise<void> = this.opts
        .release(items)
        .catch((err: unknown) => this.opts.onError(err, `${this.opts.name}: release`))
        .finally(() => this.releasing.delete(released));
      this.releasing.add(released);
      return;
    }
    this.buffer.push(...items);
    this.startFromBuffer();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      const want = this.mayHaveWork ? this.wanted() : 0;
      if (want > 0) {
        // Cleared before the claim: a wake-up while it runs sets it again.
        this.mayHaveWork = false;
        try {
          const items = await this.opts.claim(want);
          claimed = items.length;
          if (claimed >= want) this.mayHaveWork = true;
          this.buffer.push(...items);
        } catch (err) {
          this.opts.onError(err, `${this.opts.name}: claim`);
          await this.sleep(this.opts.pollMs);
          this.mayHaveWork = true;
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
          if (this.mayHaveWork && this.wanted() > 0) this.kick();
        });
      this.inFlight.add(task);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The poll: the fallback for wake-ups that were lost or never sent (a retry coming due).
        this.mayHaveWork = true;
        done();
      }, ms);
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
