/**
 * Status-webhook signing secrets at rest. With HERALD_SECRET_KEY they are sealed like provider
 * credentials (AES-256-GCM, bound to their service and endpoint, so a sealed value copied to another
 * row does not open); without it they are stored as given. Herald's own secrets start with `whsec_`
 * and sealed ones with the box's version, so both kinds read back: rows written before a key was set
 * keep working, and `sealPlaintextEndpointSecrets` seals them once one is.
 */
import { sql } from 'kysely';
import { isSealed, type SecretBox } from '../crypto/aes-gcm-secrets.ts';
import type { Db } from './db.ts';

export interface EndpointSecrets {
  /** What to store for a new endpoint's secret. */
  seal(serviceId: string, endpointId: string, secret: string): string;
  /** The secret to sign with, or null when it is sealed and this process holds no key that opens it. */
  open(serviceId: string, endpointId: string, stored: string): string | null;
}

const context = (serviceId: string, endpointId: string) =>
  `herald:webhook-endpoint-secret:${serviceId}:${endpointId}`;

export function endpointSecrets(box: SecretBox | undefined): EndpointSecrets {
  return {
    seal: (serviceId, endpointId, secret) =>
      box ? box.seal(secret, context(serviceId, endpointId)) : secret,
    open(serviceId, endpointId, stored) {
      if (!isSealed(stored)) return stored;
      if (!box) return null;
      try {
        return box.open(stored, context(serviceId, endpointId));
      } catch {
        return null;
      }
    },
  };
}

/** Seals the secrets stored in plaintext (before HERALD_SECRET_KEY was set); returns how many. */
export async function sealPlaintextEndpointSecrets(db: Db, box: SecretBox): Promise<number> {
  const secrets = endpointSecrets(box);
  const { rows } = await sql<{ id: string; service_id: string; secret: string }>`
    select id, service_id, secret from webhook_endpoints where secret not like 'v1.%'`.execute(db);
  let sealed = 0;
  for (const r of rows) {
    // Compare-and-set: another process sealing the same row at the same time changes nothing.
    const res = await sql`
      update webhook_endpoints set secret = ${secrets.seal(r.service_id, r.id, r.secret)}
       where id = ${r.id} and secret = ${r.secret}`.execute(db);
    sealed += Number(res.numAffectedRows ?? 0);
  }
  return sealed;
}
