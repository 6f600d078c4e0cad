/**
 * What one worker knows about its providers: a circuit breaker each (domain/circuit-breaker.ts) and
 * a count of recent outcomes for the error rate. The lane asks it which provider of a failover chain
 * to use; a snapshot of it is published for `GET /v1/providers`.
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

export interface ProviderSnapshot {
  provider: string;
  channel: string;
  state: BreakerState;
  openedAt: Date | null;
  /** Outcomes within the recent window. */
  succeeded: number;
  failed: number;
}

export interface ProviderHealth {
  /** The first provider in `chain` whose breaker lets a request through, or how long until one may. */
  pick<T extends { name: string }>(chain: readonly T[]): { provider: T } | { provider: null; waitMs: number };
  record(provider: string, outcome: BreakerOutcome): void;
  snapshot(): ProviderSnapshot[];
  /** Called whenever a breaker changes state, so the change can be published at once. */
  onChange(listener: () => void): void;
}

const RECENT_MS = 60_000;
const RECENT_MAX = 2000;

export function createProviderHealth(opts: {
  providers: { name: string; channel: string; breaker?: Partial<BreakerPolicy> | undefined }[];
  defaults?: Partial<BreakerPolicy> | undefined;
  now?: () => number;
}): ProviderHealth {
  const now = opts.now ?? Date.now;
  const entries = new Map<
    string,
    { channel: string; policy: BreakerPolicy; breaker: Breaker; recent: { t: number; ok: boolean }[] }
  >();
  for (const p of opts.providers) {
    entries.set(p.name, {
      channel: p.channel,
      policy: { ...DEFAULT_BREAKER_POLICY, ...opts.defaults, ...p.breaker },
      breaker: newBreaker(),
      recent: [],
    });
  }
  const listeners: (() => void)[] = [];
  const update = (entry: { breaker: Breaker }, next: Breaker) => {
    const changed = next.state !== entry.breaker.state;
    entry.breaker = next;
    if (changed) for (const l of listeners) l();
  };

  return {
    pick(chain) {
      let soonest = Infinity;
      for (const candidate of chain) {
        const entry = entries.get(candidate.name);
        if (!entry) return { provider: candidate };
        const t = now();
        const { ok, breaker } = acquire(entry.breaker, entry.policy, t);
        update(entry, breaker);
        if (ok) return { provider: candidate };
        const at = reopensAt(breaker, entry.policy);
        // Half-open with its probe out: look again shortly, the probe's answer decides.
        soonest = Math.min(soonest, at === null ? 1000 : Math.max(0, at - t));
      }
      return { provider: null, waitMs: Number.isFinite(soonest) ? Math.max(100, soonest) : 1000 };
    },

    record(provider, outcome) {
      const entry = entries.get(provider);
      if (!entry) return;
      const t = now();
      update(entry, record(entry.breaker, entry.policy, outcome, t));
      if (outcome === 'neutral') return;
      entry.recent.push({ t, ok: outcome === 'success' });
      if (entry.recent.length > RECENT_MAX) entry.recent.splice(0, entry.recent.length - RECENT_MAX);
    },

    snapshot() {
      const t = now();
      return [...entries].map(([provider, entry]) => {
        update(entry, tick(entry.breaker, entry.policy, t));
        const recent = entry.recent.filter((r) => t - r.t < RECENT_MS);
        entry.recent = recent;
        const succeeded = recent.filter((r) => r.ok).length;
        return {
          provider,
          channel: entry.channel,
          state: entry.breaker.state,
          openedAt: entry.breaker.openedAt === null ? null : new Date(entry.breaker.openedAt),
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
