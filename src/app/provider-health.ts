/**
 * What one worker knows about its providers: circuit breakers (domain/circuit-breaker.ts) and a count
 * of recent outcomes for the error rate. The lane asks it which provider of a failover chain to use;
 * a snapshot of it is published for `GET /v1/providers`.
 *
 * A breaker guards one provider *for one service*, and on the webhook channel (webhooks and Slack) for
 * one destination host as well: the scope a delivery is sent in. So one service's failures (its
 * endpoint answering 503, its messages the provider chokes on) hold back that service's deliveries
 * only, never another service's; and a provider that is down for everyone opens every active service's
 * breaker on its own failures. A service's own credentials are scoped to it like everything else and
 * left out of the provider's state and counts, and their refusal is not a provider failure at all
 * (app/service-credentials.ts).
 *
 * Only breakers that are not plain closed are kept, at most `maxScopes` per provider (the oldest
 * forgotten first, which only forgets failures), so a million services cost nothing while healthy.
 */
import {
  acquire,
  DEFAULT_BREAKER_POLICY,
  newBreaker,
  record,
  reopensAt,
  tick,
  type Breaker,
  type BreakerOutcome,
  type BreakerPolicy,
  type BreakerState,
} from '../domain/circuit-breaker.ts';
import type { ProviderSnapshot } from '../ports/provider-status.ts';

/** Whom a send is for: the service, and on the webhook channel the destination host. */
export interface BreakerScope {
  serviceId: string;
  host?: string | undefined;
  /**
   * Sent with the service's own credentials (known once sent): such outcomes are that service's
   * breaker's business only, left out of the provider's state and counts, which are the operator's.
   */
  own?: boolean | undefined;
}

export interface ProviderHealth {
  /** The first provider in `chain` whose breaker for `scope` lets a request through, or how long until one may. */
  pick<T extends { name: string }>(
    chain: readonly T[],
    scope?: BreakerScope,
  ): { provider: T } | { provider: null; waitMs: number };
  record(provider: string, outcome: BreakerOutcome, scope?: BreakerScope): void;
  snapshot(): ProviderSnapshot[];
  /** Called whenever a breaker changes state, so the change can be published at once. */
  onChange(
    listener: (change: { provider: string; scope: BreakerScope | undefined; state: BreakerState }) => void,
  ): void;
}

const RECENT_MS = 60_000;
const RECENT_MAX = 2000;
const MAX_SCOPES = 10_000;

interface Entry {
  channel: string;
  policy: BreakerPolicy;
  /** Breakers that are not plain closed, by scope key, least recently touched first. */
  breakers: Map<string, { breaker: Breaker; scope: BreakerScope | undefined; own: boolean }>;
  recent: { t: number; ok: boolean }[];
  lastSuccessAt: number;
}

const scopeKey = (s: BreakerScope | undefined) => (s ? `${s.serviceId} ${s.host ?? ''}` : '');

/** A closed breaker with no failures inside its window is the same as no breaker. */
const idle = (b: Breaker, policy: BreakerPolicy, now: number) =>
  b.state === 'closed' && b.failures.every((t) => now - t >= policy.windowMs);

const SEVERITY: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

export function createProviderHealth(opts: {
  providers: { name: string; channel: string; breaker?: Partial<BreakerPolicy> | undefined }[];
  defaults?: Partial<BreakerPolicy> | undefined;
  now?: () => number;
  maxScopes?: number;
}): ProviderHealth {
  const now = opts.now ?? Date.now;
  const maxScopes = opts.maxScopes ?? MAX_SCOPES;
  const entries = new Map<string, Entry>();
  for (const p of opts.providers) {
    entries.set(p.name, {
      channel: p.channel,
      policy: { ...DEFAULT_BREAKER_POLICY, ...opts.defaults, ...p.breaker },
      breakers: new Map(),
      recent: [],
      lastSuccessAt: -Infinity,
    });
  }
  const listeners: ((change: {
    provider: string;
    scope: BreakerScope | undefined;
    state: BreakerState;
  }) => void)[] = [];

  const current = (entry: Entry, key: string) => entry.breakers.get(key)?.breaker ?? newBreaker();

  const update = (
    provider: string,
    entry: Entry,
    scope: BreakerScope | undefined,
    next: Breaker,
    t: number,
  ) => {
    const key = scopeKey(scope);
    const previous = entry.breakers.get(key);
    const before = previous?.breaker.state ?? 'closed';
    const own = scope?.own ?? previous?.own ?? false;
    entry.breakers.delete(key); // re-inserted last: the map stays in least-recently-touched order
    if (!idle(next, entry.policy, t)) {
      entry.breakers.set(key, { breaker: next, scope, own });
      if (entry.breakers.size > maxScopes) {
        const oldest = entry.breakers.keys().next().value;
        if (oldest !== undefined) entry.breakers.delete(oldest);
      }
    }
    if (next.state !== before) for (const l of listeners) l({ provider, scope, state: next.state });
  };

  return {
    pick(chain, scope) {
      let soonest = Infinity;
      const key = scopeKey(scope);
      for (const candidate of chain) {
        const entry = entries.get(candidate.name);
        if (!entry) return { provider: candidate };
        const t = now();
        const { ok, breaker } = acquire(current(entry, key), entry.policy, t);
        update(candidate.name, entry, scope, breaker, t);
        if (ok) return { provider: candidate };
        const at = reopensAt(breaker, entry.policy);
        // Half-open with its probe out: look again shortly, the probe's answer decides.
        soonest = Math.min(soonest, at === null ? 1000 : Math.max(0, at - t));
      }
      return { provider: null, waitMs: Number.isFinite(soonest) ? Math.max(100, soonest) : 1000 };
    },

    record(provider, outcome, scope) {
      const entry = entries.get(provider);
      if (!entry) return;
      const t = now();
      update(provider, entry, scope, record(current(entry, scopeKey(scope)), entry.policy, outcome, t), t);
      if (outcome === 'neutral' || scope?.own) return;
      if (outcome === 'success') entry.lastSuccessAt = t;
      entry.recent.push({ t, ok: outcome === 'success' });
      // Trimmed in steps, not one element per outcome (each a shift of the whole list); a snapshot
      // counts the last RECENT_MAX only.
      if (entry.recent.length > 2 * RECENT_MAX) entry.recent.splice(0, entry.recent.length - RECENT_MAX);
    },

    snapshot() {
      const t = now();
      return [...entries].map(([provider, entry]) => {
        let state: BreakerState = 'closed';
        let openedAt: number | null = null;
        for (const [key, { breaker, scope, own }] of [...entry.breakers]) {
          const b = tick(breaker, entry.policy, t);
          if (b !== breaker) update(provider, entry, scope, b, t);
          else if (idle(b, entry.policy, t)) entry.breakers.delete(key);
          if (own) continue;
          // A breaker opened before the provider's latest success is that scope's trouble alone.
          if (b.state === 'closed' || b.openedAt === null || b.openedAt < entry.lastSuccessAt) continue;
          if (SEVERITY[b.state] > SEVERITY[state]) state = b.state;
          openedAt = Math.max(openedAt ?? -Infinity, b.openedAt);
        }
        const recent = entry.recent.slice(-RECENT_MAX).filter((r) => t - r.t < RECENT_MS);
        entry.recent = recent;
        const succeeded = recent.filter((r) => r.ok).length;
        return {
          provider,
          channel: entry.channel,
          state,
          openedAt: openedAt === null ? null : new Date(openedAt),
          succeeded,
          failed: recent.length - succeeded,
        };
      });
    },

    onChange(listener) {
      listeners.push(listener);
    },
  };
}
