/** Storage for the engine's operator views: provider health and dead letters. */
import type { BreakerState } from '../domain/circuit-breaker.ts';

/** What one worker reports of one provider (app/provider-health.ts), for `GET /v1/providers`. */
export interface ProviderSnapshot {
  provider: string;
  channel: string;
  /**
   * The provider as a whole: open (or half-open) only when breakers are open and no send through the
   * provider has succeeded since the latest of them opened, i.e. it fails for everyone sending.
   */
  state: BreakerState;
  openedAt: Date | null;
  /** Outcomes within the recent window. */
  succeeded: number;
  failed: number;
}

export interface ProviderStatusRow extends ProviderSnapshot {
  owner: string;
  updatedAt: Date;
}

export interface ProviderStatusStore {
  /** Replaces what `owner` last said about its providers. */
  publish(owner: string, snapshots: ProviderSnapshot[]): Promise<void>;
  /** Rows from workers heard from within `withinMs`. */
  list(withinMs: number): Promise<ProviderStatusRow[]>;
  /** A stopping worker takes its rows with it. */
  forget(owner: string): Promise<void>;
}

export interface DeliveryFilter {
  status: string;
  channel?: string | undefined;
  /** Last changed at or after this moment. */
  since?: Date | undefined;
}

export interface DeliveryListItem {
  id: string;
  notificationId: string;
  channel: string;
  recipient: string;
  status: string;
  reason: string | null;
  provider: string | null;
  attempts: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Where a page ending at this row continues. */
  cursor: DeliveryCursor;
}

/** Where a page ends: the (updatedAt, id) of its last row, the time in the database's full precision. */
export interface DeliveryCursor {
  updatedAt: string;
  id: string;
}

export interface DeadLetterStore {
  list(
    serviceId: string,
    filter: DeliveryFilter,
    after: DeliveryCursor | null,
    limit: number,
  ): Promise<DeliveryListItem[]>;
  /** Requeues one dead delivery with a fresh retry budget; false when it is not this service's or not dead. */
  retry(serviceId: string, id: string): Promise<'requeued' | 'not_found' | 'not_dead'>;
  /** Requeues every dead delivery matching the filter; returns how many. */
  retryMatching(serviceId: string, filter: Omit<DeliveryFilter, 'status'>): Promise<number>;
}
