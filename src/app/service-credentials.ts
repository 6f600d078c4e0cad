/**
 * A configured provider whose credentials a service may override with its own (stored encrypted, see
 * ports/provider-credentials.ts). Each service's sender is built once from its credentials and reused
 * (keep-alive, cached tokens); it is rebuilt when the cache entry ages out, so a credential change
 * takes effect within `ttlMs`. Services without their own credentials use the configured ones.
 */
import type { OutgoingMessage, Sender } from '../ports/sender.ts';

export interface StoredCredentials {
  type: string;
  credentials: Record<string, unknown>;
}

interface Entry {
  loadedAt: number;
  fingerprint: string | null;
  sender: Sender | null;
}

export function withServiceCredentials(o: {
  sender: Sender;
  /** The configured provider's type: stored credentials of another type are ignored. */
  type: string;
  lookup(serviceId: string, provider: string): Promise<StoredCredentials | null>;
  /** Builds a sender named like the configured one from a service's credentials. */
  build(type: string, name: string, credentials: Record<string, unknown>): Sender;
  ttlMs?: number;
  now?: () => number;
}): Sender {
  const ttl = o.ttlMs ?? 60_000;
  const now = o.now ?? Date.now;
  const cache = new Map<string, Promise<Entry>>();

  async function load(serviceId: string, previous: Entry | undefined): Promise<Entry> {
    const stored = await o.lookup(serviceId, o.sender.name);
    const usable = stored && stored.type === o.type ? stored : null;
    const fingerprint = usable ? JSON.stringify(usable.credentials) : null;
    if (previous && previous.fingerprint === fingerprint) return { ...previous, loadedAt: now() };
    await previous?.sender?.close?.();
    const sender = usable ? o.build(usable.type, o.sender.name, usable.credentials) : null;
    return { loadedAt: now(), fingerprint, sender };
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
    name: o.sender.name,
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
