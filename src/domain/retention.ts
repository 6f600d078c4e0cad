/**
 * What retention may forget. A notification is old news once nothing more will happen to it: its
 * planning ended (planned, failed or cancelled) and every delivery is final. A dead delivery is final
 * for the engine but is an operator's to-do (it can be replayed), so it keeps its notification however
 * old. Analytics keep their counts: rollups are aggregated before anything they read is deleted.
 */
import { DELIVERY_STATES, FINAL_STATES, type DeliveryState } from './delivery-states.ts';

export const FINISHED_PLAN_STATES = ['planned', 'failed', 'cancelled'] as const;

/** Deliveries in these states keep their notification from being deleted. */
export const KEEPING_DELIVERY_STATES: readonly DeliveryState[] = DELIVERY_STATES.filter(
  (s) => !FINAL_STATES.has(s) || s === 'dead',
);
