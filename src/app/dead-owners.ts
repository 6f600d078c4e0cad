/**
 * Finds lease owners that died and hands their work back at once, instead of after their leases run
 * out. An owner is dead when its liveness lock has been free for `graceMs` across consecutive checks:
 * a database restart drops every lock at once and the live owners take theirs back within a second
 * or so, which the grace rides out. A check that fails forgets what it suspected, so an outage never
 * counts towards anyone's grace. The lease stays the safety net for everything this cannot see.
 */
import type { OwnerStore } from '../ports/owners.ts';

export interface DeadOwnerWatch {
  /** One look; resolves with the owners found dead whose leases were just expired. */
  check(): Promise<string[]>;
}

export function createDeadOwnerWatch(opts: {
  self: string;
  store: OwnerStore;
  graceMs: number;
  now?: () => number;
}): DeadOwnerWatch {
  const now = opts.now ?? Date.now;
  /** Owner → when its lock was first seen free, in an unbroken run of checks. */
  const suspects = new Map<string, number>();
  return {
    async check() {
      let unlocked: Set<string>;
      try {
        unlocked = new Set(await opts.store.unlocked(opts.self));
      } catch (err) {
        suspects.clear();
        throw err;
      }
      const t = now();
      for (const owner of suspects.keys()) if (!unlocked.has(owner)) suspects.delete(owner);
      const dead: string[] = [];
      for (const owner of unlocked) {
        const since = suspects.get(owner);
        if (since === undefined) suspects.set(owner, t);
        else if (t - since >= opts.graceMs) dead.push(owner);
      }
      if (dead.length === 0) return [];
      try {
        await opts.store.expireLeases(dead);
        await opts.store.forget(dead);
      } finally {
        for (const owner of dead) suspects.delete(owner);
      }
      return dead;
    },
  };
}
