/** What the engine reports as it works; the Prometheus adapter turns it into metrics. */
export interface Metrics {
  notificationAccepted(priority: string): void;
  deliverySettled(e: {
    channel: string;
    provider: string | null;
    status: string;
    outcome: string;
    attemptMs: number;
    /** From the delivery being planned to the provider accepting it; only for `sent`. */
    queuedToSentMs?: number;
  }): void;
}

/** The metrics in Prometheus's text exposition format, for the scrape endpoint. */
export interface MetricsExposition {
  contentType: string;
  render(): Promise<string>;
}

export const noMetrics: Metrics = {
  notificationAccepted() {},
  deliverySettled() {},
};
