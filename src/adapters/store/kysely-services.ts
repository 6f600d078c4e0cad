import type { ApiKeyInfo, ApiKeyStore, NewKeyRow, ServiceStore } from '../../ports/store.ts';
import type { Service } from '../../domain/types.ts';
import type { Db } from './db.ts';

const keyInfo = (row: {
  id: string;
  public_id: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}): ApiKeyInfo => ({
  id: row.id,
  publicId: row.public_id,
  label: row.label,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export function kyselyServiceStore(db: Db): ServiceStore {
  return {
    async create(service, key) {
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('services')
          .values({ id: service.id, name: service.name })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (service.types.length > 0) {
          await tx
            .insertInto('notification_types')
            .values(
              service.types.map((t) => ({ service_id: service.id, key: t.key, description: t.description })),
            )
            .execute();
        }
        await tx
          .insertInto('api_keys')
          .values({
            id: key.id,
            service_id: service.id,
            public_id: key.publicId,
            secret_hash: key.secretHash,
            label: key.label,
          })
          .execute();
        return { id: row.id, name: row.name, createdAt: row.created_at, notificationTypes: service.types };
      });
    },
    async get(serviceId) {
      const row = await db.selectFrom('services').selectAll().where('id', '=', serviceId).executeTakeFirst();
      if (!row) return null;
      const types = await db
        .selectFrom('notification_types')
        .select(['key', 'description'])
        .where('service_id', '=', serviceId)
        .orderBy('key')
        .execute();
      return {
        id: row.id,
        name: row.name,
        createdAt: row.created_at,
        notificationTypes: types,
      } satisfies Service;
    },
    async hasType(serviceId, typeKey) {
      const row = await db
        .selectFrom('notification_types')
        .select('key')
        .where('service_id', '=', serviceId)
        .where('key', '=', typeKey)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export function kyselyApiKeyStore(db: Db): ApiKeyStore {
  return {
    async findByPublicId(publicId) {
      const row = await db
        .selectFrom('api_keys')
        .select(['service_id', 'secret_hash', 'revoked_at'])
        .where('public_id', '=', publicId)
        .executeTakeFirst();
      return row
        ? { serviceId: row.service_id, secretHash: row.secret_hash, revoked: row.revoked_at !== null }
        : null;
    },
    async create(serviceId, key: NewKeyRow) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          service_id: serviceId,
          public_id: key.publicId,
          secret_hash: key.secretHash,
          label: key.label,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return keyInfo(row);
    },
    async list(serviceId) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('service_id', '=', serviceId)
        .orderBy('created_at')
        .execute();
      return rows.map(keyInfo);
    },
    async revoke(serviceId, keyId) {
      const res = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date() })
        .where('service_id', '=', serviceId)
        .where('id', '=', keyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (res.numUpdatedRows > 0n) return true;
      const exists = await db
        .selectFrom('api_keys')
        .select('id')
        .where('service_id', '=', serviceId)
        .where('id', '=', keyId)
        .executeTakeFirst();
      return exists !== undefined;
    },
  };
}
