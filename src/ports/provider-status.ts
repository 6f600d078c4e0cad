/** What workers say of their providers' health, kept for `GET /v1/providers`. */
import type { BreakerState } from '../domain/circuit-breaker.ts';

/** What one worker reports of one provider (app/provider-health.ts), for `GET /v1/providers`. */
export interface ProviderSnapshot {
  provider: string;
  channel: string;
  /**
   * The provider as a whole: open (or half-open) only when breakers are open and no send through the
   * provider has succeeded since the latest of them opened, i.e. it fails for everyone sending.
   */
  state: BreakerState;
  openedAt: Date | null;
  /** Outcomes within the recent window. */
  succeeded: number;
  failed: number;
}

export interface ProviderStatusRow extends ProviderSnapshot {
  owner: string;
  updatedAt: Date;
}

export interface ProviderStatusStore {
  /** Replaces what `owner` last said about its providers. */
  publish(owner: string, snapshots: ProviderSnapshot[]): Promise<void>;
  /** Rows from workers heard from within `withinMs`. */
  list(withinMs: number): Promise<ProviderStatusRow[]>;
  /** A stopping worker takes its rows with it. */
  forget(owner: string): Promise<void>;
}
