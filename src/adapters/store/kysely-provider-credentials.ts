/** Provider credentials per service, sealed with AES-256-GCM before they reach the database. */
import { sql } from 'kysely';
import type { SecretBox } from '../crypto/aes-gcm-secrets.ts';
import type { ProviderCredentialInfo, ProviderCredentialStore } from '../../ports/provider-credentials.ts';
import type { Db } from './db.ts';

interface Row {
  provider: string;
  type: string;
  created_at: Date;
  updated_at: Date;
}

const info = (r: Row): ProviderCredentialInfo => ({
  provider: r.provider,
  type: r.type,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Binds a ciphertext to its row: it cannot be replayed under another service or provider. */
const context = (serviceId: string, provider: string) =>
  `herald:provider-credentials:${serviceId}:${provider}`;

export function kyselyProviderCredentials(db: Db, box: SecretBox): ProviderCredentialStore {
  return {
    async put(serviceId, provider, type, credentials) {
      const sealed = box.seal(JSON.stringify(credentials), context(serviceId, provider));
      const { rows } = await sql<Row>`
        insert into provider_credentials (service_id, provider, type, ciphertext)
        values (${serviceId}, ${provider}, ${type}, ${sealed})
        on conflict (service_id, provider)
        do update set type = excluded.type, ciphertext = excluded.ciphertext, updated_at = now()
        returning provider, type, created_at, updated_at`.execute(db);
      return info(rows[0] as Row);
    },
    async list(serviceId) {
      const { rows } = await sql<Row>`
        select provider, type, created_at, updated_at from provider_credentials
         where service_id = ${serviceId} order by provider`.execute(db);
      return rows.map(info);
    },
    async get(serviceId, provider) {
      const { rows } = await sql<{ type: string; ciphertext: string }>`
        select type, ciphertext from provider_credentials
         where service_id = ${serviceId} and provider = ${provider}`.execute(db);
      const row = rows[0];
      if (!row) return null;
      return {
        type: row.type,
        credentials: JSON.parse(box.open(row.ciphertext, context(serviceId, provider))) as Record<
          string,
          unknown
        >,
      };
    },
    async remove(serviceId, provider) {
      const res =
        await sql`delete from provider_credentials where service_id = ${serviceId} and provider = ${provider}`.execute(
          db,
        );
      return (res.numAffectedRows ?? 0n) > 0n;
    },
  };
}
