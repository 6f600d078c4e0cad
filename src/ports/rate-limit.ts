/** Rate limits as the engine and the API see them: take a token now, or learn how long to wait. */
export type TakeResult = { ok: true } | { ok: false; waitMs: number };

export interface RateLimiter {
  /** Takes one token for `key`; never throws (a broken store falls back to a local limit). */
  take(key: string): Promise<TakeResult>;
}
