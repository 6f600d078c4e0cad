/** Services and their API keys: registration, key lifecycle, and authenticating a request's key. */
import { v7 as uuidv7 } from 'uuid';
import { generateApiKey, parseApiKey, secretMatches } from '../domain/api-keys.ts';
import { conflict, notFound, unauthorized } from '../domain/errors.ts';
import type { NotificationType, Service } from '../domain/types.ts';
import type { ApiKeyInfo, ApiKeyStore, ServiceStore } from '../ports/store.ts';

export interface ServicesDeps {
  services: ServiceStore;
  keys: ApiKeyStore;
}

export async function registerService(
  deps: ServicesDeps,
  input: { name: string; notificationTypes: NotificationType[] },
): Promise<Service & { apiKey: string }> {
  const seen = new Set<string>();
  for (const t of input.notificationTypes) {
    if (seen.has(t.key))
      throw conflict('already_exists', `Notification type '${t.key}' is listed twice.`, { key: t.key });
    seen.add(t.key);
  }
  const key = generateApiKey();
  const service = await deps.services.create(
    { id: uuidv7(), name: input.name, types: input.notificationTypes },
    { id: uuidv7(), publicId: key.publicId, secretHash: key.secretHash, label: 'initial' },
  );
  return { ...service, apiKey: key.key };
}

export async function createApiKey(
  deps: ServicesDeps,
  serviceId: string,
  label: string | null,
): Promise<ApiKeyInfo & { apiKey: string }> {
  const key = generateApiKey();
  const info = await deps.keys.create(serviceId, {
    id: uuidv7(),
    publicId: key.publicId,
    secretHash: key.secretHash,
    label,
  });
  return { ...info, apiKey: key.key };
}

export async function revokeApiKey(deps: ServicesDeps, serviceId: string, keyId: string): Promise<void> {
  if (!(await deps.keys.revoke(serviceId, keyId))) throw notFound('API key', keyId);
}

/** Resolves a bearer key to its service, or throws 401 without saying which part was wrong. */
export async function authenticateKey(keys: ApiKeyStore, bearer: string): Promise<string> {
  const parsed = parseApiKey(bearer);
  if (!parsed) throw unauthorized('The API key is malformed.');
  const row = await keys.findByPublicId(parsed.publicId);
  if (!row || !secretMatches(parsed.secret, row.secretHash)) throw unauthorized('The API key is not valid.');
  if (row.revoked) throw unauthorized('The API key has been revoked.');
  return row.serviceId;
}
