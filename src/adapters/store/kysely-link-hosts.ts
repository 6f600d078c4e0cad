/** The hosts each service registers for click tracking (column services.link_hosts, migration 0015). */
import type { LinkHostStore } from '../../ports/tracking.ts';
import type { Db } from './db.ts';

export function kyselyLinkHosts(db: Db): LinkHostStore {
  return {
    async get(serviceId) {
      const row = await db
        .selectFrom('services')
        .select('link_hosts')
        .where('id', '=', serviceId)
        .executeTakeFirst();
      return row?.link_hosts ?? [];
    },
    async set(serviceId, hosts) {
      const row = await db
        .updateTable('services')
        .set({ link_hosts: hosts })
        .where('id', '=', serviceId)
        .returning('link_hosts')
        .executeTakeFirst();
      return row?.link_hosts ?? [];
    },
    async forDelivery(deliveryId) {
      const row = await db
        .selectFrom('deliveries as d')
        .innerJoin('services as s', 's.id', 'd.service_id')
        .select('s.link_hosts')
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      return row?.link_hosts ?? [];
    },
  };
}
