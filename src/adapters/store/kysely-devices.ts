import { sql, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DeviceAddress } from '../../domain/channels.ts';
import type { DeviceStore } from '../../ports/preferences-store.ts';
import type { Db, DevicesTable } from './db.ts';

const toDevice = (row: Selectable<DevicesTable>): DeviceAddress => ({
  id: row.id,
  platform: row.platform as DeviceAddress['platform'],
  token: row.token,
  keys: row.keys,
  active: row.active,
});

export function kyselyDeviceStore(db: Db): DeviceStore {
  return {
    async register(serviceId, recipientId, device) {
      // A phone that changes hands (logout, new login) keeps its token: it now belongs to the new recipient.
      const row = await db
        .insertInto('devices')
        .values({
          id: uuidv7(),
          service_id: serviceId,
          recipient_id: recipientId,
          platform: device.platform,
          token: device.token,
          keys: device.keys ? JSON.stringify(device.keys) : null,
        })
        .onConflict((oc) =>
          oc.columns(['service_id', 'token']).doUpdateSet((eb) => ({
            recipient_id: eb.ref('excluded.recipient_id'),
            platform: eb.ref('excluded.platform'),
            keys: eb.ref('excluded.keys'),
            active: true,
            updated_at: sql<Date>`now()`,
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDevice(row);
    },
    async list(serviceId, recipientId) {
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('recipient_id', '=', recipientId)
        .orderBy('created_at')
        .execute();
      return rows.map(toDevice);
    },
    async deactivate(serviceId, deviceId) {
      const res = await db
        .updateTable('devices')
        .set({ active: false, updated_at: new Date() })
        .where('service_id', '=', serviceId)
        .where('id', '=', deviceId)
        .where('active', '=', true)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
    async remove(serviceId, recipientId, deviceId) {
      const res = await db
        .deleteFrom('devices')
        .where('service_id', '=', serviceId)
        .where('recipient_id', '=', recipientId)
        .where('id', '=', deviceId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
