/**
 * How many realtime streams (WebSocket and SSE together) are open on this API process: per recipient,
 * per service, and in all. A slot is taken when a stream is about to open (before the upgrade, so a
 * refusal can still be an HTTP answer) and given back when its connection closes, whether or not the
 * stream ever started. Each stream may buffer up to 4 MB for a slow reader, so without the service
 * and process caps one service could hold the process's memory with streams for made-up recipients.
 * Counts are per process: a recipient spread over N API processes may hold N times its limit.
 */
import type { RecipientRef } from '../ports/inbox.ts';

export interface StreamLimits {
  perRecipient: number;
  perService: number;
  /** Every stream on this process, all services together. */
  total: number;
}

export type StreamScope = 'recipient' | 'service' | 'process';

export type SlotResult = { release: () => void } | { refused: StreamScope; limit: number };

const keyOf = (r: RecipientRef) => `${r.serviceId}\u0000${r.recipientId}`;

function decrement(map: Map<string, number>, key: string): void {
  const left = (map.get(key) ?? 1) - 1;
  if (left > 0) map.set(key, left);
  else map.delete(key);
}

export class StreamSlots {
  readonly #byRecipient = new Map<string, number>();
  readonly #byService = new Map<string, number>();
  #total = 0;
  readonly limits: StreamLimits;

  constructor(limits: StreamLimits) {
    this.limits = limits;
  }

  /** A release function (safe to call twice), or the narrowest limit that refuses the stream. */
  take(r: RecipientRef): SlotResult {
    const key = keyOf(r);
    if ((this.#byRecipient.get(key) ?? 0) >= this.limits.perRecipient)
      return { refused: 'recipient', limit: this.limits.perRecipient };
    if ((this.#byService.get(r.serviceId) ?? 0) >= this.limits.perService)
      return { refused: 'service', limit: this.limits.perService };
    if (this.#total >= this.limits.total) return { refused: 'process', limit: this.limits.total };
    this.#byRecipient.set(key, (this.#byRecipient.get(key) ?? 0) + 1);
    this.#byService.set(r.serviceId, (this.#byService.get(r.serviceId) ?? 0) + 1);
    this.#total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        decrement(this.#byRecipient, key);
        decrement(this.#byService, r.serviceId);
        this.#total--;
      },
    };
  }

  held(r: RecipientRef): number {
    return this.#byRecipient.get(keyOf(r)) ?? 0;
  }

  heldByService(serviceId: string): number {
    return this.#byService.get(serviceId) ?? 0;
  }

  get total(): number {
    return this.#total;
  }
}
