/** Dead deliveries, for the operator to list and requeue (`/v1/deliveries`). */
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
