/** Delivery receipts in, and the suppression list they feed. */
import type { Channel } from '../domain/channels.ts';

export { suppressionKey } from '../domain/channels.ts';

export type ReceiptEvent =
  'delivered' | 'bounced' | 'complained' | 'failed' | 'opened' | 'clicked' | 'soft_bounce';

/** One provider event about one delivery, already authenticated and parsed. */
export interface Receipt {
  provider: string;
  /** Herald's id when the provider echoes it (custom_args, message tags); else the provider's id. */
  deliveryId: string | null;
  providerMessageId: string | null;
  event: ReceiptEvent;
  reason: string | null;
  /** Hard bounces and complaints: never send to this address again. */
  suppress: boolean;
  occurredAt: Date | null;
  detail: Record<string, unknown>;
  /**
   * Set when the receipt was authenticated with one service's own provider credentials: it may then
   * change only that service's deliveries.
   */
  serviceId?: string;
}

export type ReceiptOutcome = 'applied' | 'recorded' | 'unknown_delivery';

export interface ReceiptStore {
  /** Records the event, moves the delivery if the state machine allows, suppresses the address. */
  apply(receipt: Receipt): Promise<ReceiptOutcome>;
  /** The services with a delivery that `provider` sent under `providerMessageId` (normally one). */
  servicesFor(provider: string, providerMessageId: string): Promise<string[]>;
}

export interface SuppressionList {
  /** Which of these addresses are suppressed for the service, as `suppressionKey`s. */
  suppressed(serviceId: string, entries: { channel: Channel; address: string }[]): Promise<Set<string>>;
}
