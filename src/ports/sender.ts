import type { Channel } from '../domain/channels.ts';
import type { SendFailure } from '../domain/retry-policy.ts';

export interface OutgoingMessage {
  deliveryId: string;
  notificationId: string;
  serviceId: string;
  channel: Channel;
  to: string;
  content: Record<string, unknown>;
}

export interface SendResult {
  providerMessageId: string | null;
  /** Sent with the service's own credentials rather than the operator's (app/service-credentials.ts). */
  ownCredentials?: boolean;
}

/** One provider for one channel. `send` resolves on acceptance, or throws a `ProviderError`. */
export interface Sender {
  readonly name: string;
  readonly channel: Channel;
  send(message: OutgoingMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

/** A provider's answer, classified so the engine knows whether to retry, fail over or give up. */
export class ProviderError extends Error implements SendFailure {
  readonly kind: SendFailure['kind'];
  readonly code: string;
  readonly retryAfterMs?: number;
  /** The service's own credentials were used, not the operator's: says nothing of the operator's account. */
  ownCredentials?: boolean;
  constructor(failure: SendFailure, cause?: unknown) {
    super(failure.message, cause === undefined ? undefined : { cause });
    this.name = 'ProviderError';
    this.kind = failure.kind;
    this.code = failure.code;
    if (failure.retryAfterMs !== undefined) this.retryAfterMs = failure.retryAfterMs;
  }
}
