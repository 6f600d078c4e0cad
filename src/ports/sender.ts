import type { Channel } from '../domain/channels.ts';
import type { ChannelContent } from '../domain/content.ts';
import type { SendFailure } from '../domain/retry-policy.ts';

interface MessageBase {
  deliveryId: string;
  notificationId: string;
  serviceId: string;
  to: string;
}

/** One message on channel `C`, its content of that channel's shape (domain/content.ts). */
export type OutgoingMessage<C extends Channel = Channel> = {
  [K in C]: MessageBase & { channel: K; content: ChannelContent[K] };
}[C];

export interface SendResult {
  providerMessageId: string | null;
  /** Sent with the service's own credentials rather than the operator's (app/service-credentials.ts). */
  ownCredentials?: boolean;
}

/**
 * One provider for one channel. `send` resolves on acceptance, or throws a `ProviderError`. A sender of
 * one channel (`Sender<'email'>`) is a `Sender`: the lane only hands it messages of its channel.
 */
export interface Sender<C extends Channel = Channel> {
  readonly name: string;
  readonly channel: C;
  /**
   * How many sends this provider takes at once to good effect, when it writes concurrent sends
   * together itself (the inbox: one transaction for every send in flight). A lane using it runs at
   * least this many at once, so its batches can grow with a backlog; unset for providers that send
   * one request per message, whose lane keeps `worker.concurrency`.
   */
  readonly groupsSends?: number;
  send(message: OutgoingMessage<C>): Promise<SendResult>;
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
