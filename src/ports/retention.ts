/** Deletes what Herald knows about notifications once they are old and finished (see kysely-retention.ts). */
export interface RetentionStore {
  /** Up to `limit` of the oldest finished notifications accepted over `olderThanMs` ago; how many went. */
  prune(olderThanMs: number, limit: number): Promise<number>;
}
