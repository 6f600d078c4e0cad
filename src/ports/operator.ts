/** The operator's and a service's lists: services, notification search, a delivery's status log. */

export interface AdminServiceRow {
  id: string;
  name: string;
  createdAt: Date;
  keys: number;
}

export interface NotificationSearch {
  serviceId: string;
  recipientId?: string | undefined;
  type?: string | undefined;
  /** Only notifications with a delivery in this state. */
  deliveryStatus?: string | undefined;
  before?: Date | undefined;
  /** Where the previous page ended (its last row's `cursor`): rows after it in the list's order. */
  after?: NotificationCursor | undefined;
  limit: number;
}

/** A row's place in the search order: created_at as PostgreSQL's text (microseconds kept), and id. */
export interface NotificationCursor {
  createdAt: string;
  id: string;
}

export interface NotificationSummary {
  id: string;
  type: string;
  recipientId: string | null;
  status: string;
  createdAt: Date;
  deliveries: { id: string; channel: string; status: string }[];
  cursor: NotificationCursor;
}

export interface OperatorStore {
  services(): Promise<AdminServiceRow[]>;
  searchNotifications(q: NotificationSearch): Promise<NotificationSummary[]>;
  /** Every reported status change of a delivery, oldest first (for the timeline); null when not the service's. */
  statusLog(
    serviceId: string,
    deliveryId: string,
  ): Promise<{ status: string; reason: string | null; provider: string | null; at: Date }[] | null>;
}
