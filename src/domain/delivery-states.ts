/**
 * The delivery state machine, written once.
 *
 *   queued ──claim──▶ sending ──ok──▶ sent ──receipt──▶ delivered ──▶ opened ──▶ clicked
 *     ▲                  │  │  └─permanent error──▶ failed
 *     │                  │  └──attempts or age exhausted──▶ dead ──replay──▶ queued
 *     └──transient error / lease expired / drain release──┘
 *   deferred ──window ends──▶ queued          (quiet hours: the row waits in `deferred`)
 *   pending: planned but held (e.g. waiting on a provider with an open breaker and no backup)
 *   suppressed: decided at planning (preference, unsubscribe, cap, suppression list); never sent
 *   cancelled: the sender cancelled the notification before this delivery was tried; never sent
 *
 * A delivery is *final* when nothing more will happen to it without an operator: sent and beyond,
 * failed, suppressed, dead. `sent` is final for the engine even though receipts may still move it on.
 */
export const DELIVERY_STATES = [
  'pending',
  'queued',
  'sending',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'deferred',
  'suppressed',
  'failed',
  'dead',
  'cancelled',
] as const;

export type DeliveryState = (typeof DELIVERY_STATES)[number];

const T: Readonly<Record<DeliveryState, readonly DeliveryState[]>> = {
  pending: ['queued', 'suppressed', 'failed', 'cancelled'],
  queued: ['sending', 'deferred', 'suppressed', 'failed', 'dead', 'cancelled'],
  sending: ['sent', 'queued', 'pending', 'failed', 'dead'],
  sent: ['delivered', 'bounced', 'opened', 'clicked', 'failed'],
  delivered: ['opened', 'clicked', 'bounced'],
  opened: ['clicked'],
  clicked: [],
  bounced: [],
  deferred: ['queued', 'suppressed', 'failed', 'cancelled'],
  suppressed: [],
  failed: [],
  dead: ['queued'],
  cancelled: [],
};

export const FINAL_STATES: ReadonlySet<DeliveryState> = new Set([
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'suppressed',
  'failed',
  'dead',
  'cancelled',
]);

export function canTransition(from: DeliveryState, to: DeliveryState): boolean {
  return T[from].includes(to);
}

export function assertTransition(from: DeliveryState, to: DeliveryState): void {
  if (!canTransition(from, to)) throw new Error(`illegal delivery transition ${from} → ${to}`);
}

/** States a transition may come from, for guarding SQL updates (`WHERE status IN (...)`). */
export function sourcesOf(to: DeliveryState): DeliveryState[] {
  return DELIVERY_STATES.filter((from) => T[from].includes(to));
}

export function isDeliveryState(value: string): value is DeliveryState {
  return (DELIVERY_STATES as readonly string[]).includes(value);
}
