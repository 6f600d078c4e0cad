import { sql } from 'kysely';
import type { ProviderStatusStore } from '../../ports/provider-status.ts';
import type { BreakerState } from '../../domain/circuit-breaker.ts';
import type { Db } from './db.ts';

export function kyselyProviderStatus(db: Db): ProviderStatusStore {
  return {
    async publish(owner, snapshots) {
      if (snapshots.length === 0) return;
      await db
        .insertInto('provider_status')
        .values(
          snapshots.map((s) => ({
            provider: s.provider,
            owner,
            channel: s.channel,
            state: s.state,
            opened_at: s.openedAt,
            succeeded: s.succeeded,
            failed: s.failed,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['provider', 'owner']).doUpdateSet({
            channel: (eb) => eb.ref('excluded.channel'),
            state: (eb) => eb.ref('excluded.state'),
            opened_at: (eb) => eb.ref('excluded.opened_at'),
            succeeded: (eb) => eb.ref('excluded.succeeded'),
            failed: (eb) => eb.ref('excluded.failed'),
            updated_at: sql<Date>`now()`,
          }),
        )
        .execute();
      // Workers that died without saying goodbye (SIGKILL) leave rows behind; an hour is plenty.
      await db
        .deleteFrom('provider_status')
        .where('updated_at', '<', sql<Date>`now() - interval '1 hour'`)
        .execute();
    },

    async list(withinMs) {
      const rows = await db
        .selectFrom('provider_status')
        .selectAll()
        .where('updated_at', '>=', sql<Date>`now() - ${withinMs} * interval '1 millisecond'`)
        .orderBy('provider')
        .orderBy('owner')
        .execute();
      return rows.map((r) => ({
        provider: r.provider,
        owner: r.owner,
        channel: r.channel,
        state: r.state as BreakerState,
        openedAt: r.opened_at,
        succeeded: r.succeeded,
        failed: r.failed,
        updatedAt: r.updated_at,
      }));
    },

    async forget(owner) {
      await db.deleteFrom('provider_status').where('owner', '=', owner).execute();
    },
  };
}
