/**
 * Render time is shared between tenants, so it is budgeted: each notification (the messages of one
 * notification for one recipient) may spend `perNotificationMs` rendering, and each service
 * `perServicePerSecondMs` in each second of the clock. A notification over its budget fails its
 * remaining renders; a service over its budget waits for the next second, so its heavy templates slow
 * only itself. Time is measured with the injected clock, so the budgets are testable without timing.
 */
export interface RenderBudgetLimits {
  perNotificationMs: number;
  perServicePerSecondMs: number;
}

export interface Clocks {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class ServiceRenderBudget {
  /** Spent per service in the current second only; a new second forgets the old one. */
  #spent = new Map<string, number>();
  #second = -1;
  readonly #limitMs: number;
  readonly #clocks: Clocks;

  constructor(limitMs: number, clocks: Clocks) {
    this.#limitMs = limitMs;
    this.#clocks = clocks;
  }

  #roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#spent = new Map();
    }
  }

  /** Resolves when the service may render: at once, or at the start of a second it has budget in. */
  async admit(serviceId: string): Promise<void> {
    for (;;) {
      const now = this.#clocks.now();
      this.#roll(now);
      if ((this.#spent.get(serviceId) ?? 0) < this.#limitMs) return;
      await this.#clocks.sleep(1000 - (now % 1000));
    }
  }

  charge(serviceId: string, ms: number): void {
    this.#roll(this.#clocks.now());
    this.#spent.set(serviceId, (this.#spent.get(serviceId) ?? 0) + ms);
  }

  spent(serviceId: string): number {
    this.#roll(this.#clocks.now());
    return this.#spent.get(serviceId) ?? 0;
  }
}
