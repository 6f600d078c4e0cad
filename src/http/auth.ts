/** Who is calling: a service (by API key) or the operator (by the admin token). */
import type { FastifyRequest } from 'fastify';
import { tokensEqual } from '../domain/api-keys.ts';
import { unauthorized } from '../domain/errors.ts';
import { authenticateKey } from '../app/services.ts';
import type { ApiKeyStore } from '../ports/store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    serviceId: string;
  }
}

export function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function serviceAuth(keys: ApiKeyStore) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearer(request);
    if (!token) throw unauthorized('Send your API key as `Authorization: Bearer <key>`.');
    request.serviceId = await authenticateKey(keys, token);
  };
}

export function adminAuth(adminToken: string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!adminToken) throw unauthorized('The admin API is off: set HERALD_ADMIN_TOKEN to use it.');
    const token = bearer(request);
    if (!token || !tokensEqual(token, adminToken)) throw unauthorized('The admin token is missing or wrong.');
  };
}
