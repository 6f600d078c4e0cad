/**
 * A configured provider whose credentials a service may replace with its own (stored encrypted, see
 * ports/provider-credentials.ts). Each service's sender is built once from its credentials and reused
 * (keep-alive, cached tokens); it is rebuilt when the cache entry ages out, so a credential change
 * takes effect within `ttlMs`. Services without their own credentials use the configured ones.
 *
 * A service's credentials are its own business: credentials that may not be used (`check`) fail each
 * send for good, and a provider refusing them (`auth_failed`: 401/403 and the like) is that service's
 * configuration error, not the provider being unwell. Both fail the delivery at once with a reason
 * that says so, and neither counts against the provider's circuit breaker nor is retried.
 */
import { ProviderError, type OutgoingMessage, type Sender } from '../ports/sender.ts';

export interface StoredCredentials {
  type: string;
  credentials: Record<string, unknown>;
}

interface Entry {
  loadedAt: number;
  fingerprint: string | null;
  sender: Sender | null;
}

/** A provider refused a service's own credentials. */
export const CREDENTIALS_REJECTED = 'service_credentials_rejected';
/** A service's stored credentials break the rules for them (config-service-credentials.ts). */
export const CREDENTIALS_INVALID = 'service_credentials_invalid';

/** A sender that refuses every message with the same permanent failure. */
function refusing(name: string, channel: Sender['channel'], code: string, message: string): Sender {
  return {
    name,
    channel,
    send: () => {
      const err = new ProviderError({ kind: 'permanent', code, message });
      err.ownCredentials = true;
      return Promise.reject(err);
    },
  };
}

const refusedCredentials = (err: unknown) => err instanceof ProviderError && err.code === 'auth_failed';

/** Any failure of a send with a service's own credentials, as that service's: a refusal is its error. */
function ownFailure(err: unknown, name: string): ProviderError {
  const failed =
    err instanceof ProviderError
      ? err
      : new ProviderError(
          {
            kind: 'transient',
            code: 'unexpected_error',
            message: err instanceof Error ? err.message : String(err),
          },
          err,
        );
  const out = refusedCredentials(failed)
    ? new ProviderError(
        {
          kind: 'permanent',
          code: CREDENTIALS_REJECTED,
          message: `${name} refused this service's own credentials (PUT /v1/providers/${name}/credentials): ${failed.message}`,
        },
        failed,
      )
    : failed;
  out.ownCredentials = true;
  return out;
}

/**
 * The service's own sender, with the provider's refusal of its credentials made the service's error.
 * A refusal is tried once more first: a cached access token can be revoked early (FCM), and the sender
 * fetches a fresh one after a 401, so only a second refusal says the credentials themselves are bad.
 */
function ownedBy(sender: Sender, name: string): Sender {
  return {
    name: sender.name,
    channel: sender.channel,
    async send(m) {
      try {
        const result = await sender.send(m).catch((err: unknown) => {
          if (refusedCredentials(err)) return sender.send(m);
          throw err;
        });
        return { ...result, ownCredentials: true };
      } catch (err) {
        throw ownFailure(err, name);
      }
    },
    ...(sender.close ? { close: () => sender.close?.() ?? Promise.resolve() } : {}),
  };
}

export function withServiceCredentials(o: {
  sender: Sender;
  /** The configured provider's type: stored credentials of another type are ignored. */
  type: string;
  lookup(serviceId: string, provider: string): Promise<StoredCredentials | null>;
  /** Why stored credentials may not be used, or null when they may. */
  check?(credentials: Record<string, unknown>): string | null;
  /** Builds a sender named like the configured one from a service's credentials. */
  build(type: string, name: string, credentials: Record<string, unknown>): Sender;
  ttlMs?: number;
  now?: () => number;
}): Sender {
  const ttl = o.ttlMs ?? 60_000;
  const now = o.now ?? Date.now;
  const cache = new Map<string, Promise<Entry>>();
  const name = o.sender.name;

  const own = (credentials: Record<string, unknown>): Sender => {
    let problem = o.check?.(credentials) ?? null;
    if (!problem) {
      try {
        return ownedBy(o.build(o.type, name, credentials), name);
      } catch (err) {
        // A key that does not parse, say: no send can succeed with these credentials.
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    return refusing(
      name,
      o.sender.channel,
      CREDENTIALS_INVALID,
      `This service's own ${name} credentials may not be used (${problem}); store them again with PUT /v1/providers/${name}/credentials.`,
    );
  };

  async function load(serviceId: string, previous: Entry | undefined): Promise<Entry> {
    const stored = await o.lookup(serviceId, name);
    const usable = stored && stored.type === o.type ? stored : null;
    const fingerprint = usable ? JSON.stringify(usable.credentials) : null;
    if (previous && previous.fingerprint === fingerprint) return { ...previous, loadedAt: now() };
    await previous?.sender?.close?.();
    return { loadedAt: now(), fingerprint, sender: usable ? own(usable.credentials) : null };
  }

  async function senderFor(serviceId: string): Promise<Sender> {
    let pending = cache.get(serviceId);
    const entry = pending ? await pending : undefined;
    if (!entry || now() - entry.loadedAt > ttl) {
      pending = load(serviceId, entry);
      cache.set(serviceId, pending);
      pending.catch(() => cache.delete(serviceId));
    }
    return (await pending)?.sender ?? o.sender;
  }

  return {
    name,
    channel: o.sender.channel,
    async send(m: OutgoingMessage) {
      return (await senderFor(m.serviceId)).send(m);
    },
    async close() {
      const entries = await Promise.allSettled([...cache.values()]);
      for (const e of entries) if (e.status === 'fulfilled') await e.value.sender?.close?.();
      await o.sender.close?.();
    },
  };
}
