/**
 * How many realtime streams each recipient holds on this API process, WebSocket and SSE together.
 * A slot is taken when a stream is about to open (before the upgrade, so a refusal can still be an
 * HTTP answer) and given back when its connection closes, whether or not the stream ever started.
 * Counts are per process: a recipient spread over N API processes may hold N times the limit.
 */
import type { RecipientRef } from '../ports/inbox.ts';

const keyOf = (r: RecipientRef) => `${r.serviceId}\u0000${r.recipientId}`;

export class StreamSlots {
  readonly #held = new Map<string, number>();
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** A release function (safe to call twice), or null when the recipient has no slot left. */
  take(r: RecipientRef): (() => void) | null {
    const key = keyOf(r);
    const held = this.#held.get(key) ?? 0;
    if (held >= this.max) return null;
    this.#held.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#held.get(key) ?? 1) - 1;
      if (left > 0) this.#held.set(key, left);
      else this.#held.delete(key);
    };
  }

  held(r: RecipientRef): number {
    return this.#held.get(keyOf(r)) ?? 0;
  }
}
