/**
 * Who holds leases, and whether they are still alive. A lease says "give this back if I am not done
 * by then"; an owner known to be dead has nothing left to finish, so its leases can end at once.
 */
export interface OwnerStore {
  /** Registered owners other than `self` whose liveness lock nobody holds. */
  unlocked(self: string): Promise<string[]>;
  /** Ends every lease held by `owners` (every lease at all, for `null`), so the sweeper reclaims them. */
  expireLeases(owners: readonly string[] | null): Promise<number>;
  /** Drops owners from the register once their leases are handed back (or they stopped cleanly). */
  forget(owners: readonly string[]): Promise<void>;
}
