/**
 * What every operation of the OpenAPI document carries, filled in one place as routes are added, so
 * the document cannot forget what Fastify and Herald's own hooks answer on every route:
 * - an `operationId`, from the method and the path (unique as they are);
 * - `security: []` on a route that declares none: it is public (the authorization matrix proves
 *   which routes are);
 * - the error statuses the framework gives before a handler runs: 400 (malformed JSON, a bad URL
 *   encoding), 413 and 415 for a body, 404 and 414 for an impossible or over-long path parameter,
 *   401 where credentials
 *   are required, 429 where an API key's budget is spent, and 422 everywhere, since a NUL in any
 *   query string is refused (storable-input.ts); 408 where a body may arrive too slowly
 *   (`http.requestTimeoutMs`); and, on every route, 500 for a fault inside Herald and 503 while the
 *   database cannot be reached (errors.ts), both in the shared error shape;
 * - no request field both required and defaulted: Herald fills the default, so a client generated
 *   from the document must be free to leave it out.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type Schema = Record<string, unknown>;

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** `PUT /v1/recipients/:recipientId/devices` → `putRecipientsByRecipientIdDevices`. */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter((s) => s !== '' && s !== 'v1')
    .map((s) => (s.startsWith(':') ? `By${pascal(s.slice(1))}` : pascal(s)));
  return `${method.toLowerCase()}${parts.join('') || 'Root'}`;
}

/** Drops from `required` every property that has a default, in this schema and those it nests. */
function unrequireDefaults(schema: unknown, seen = new Set<unknown>()): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Schema;
  const props = s.properties as Record<string, Schema> | undefined;
  if (props && Array.isArray(s.required))
    s.required = (s.required as string[]).filter((k) => props[k]?.default === undefined);
  for (const v of Object.values(s)) {
    if (Array.isArray(v)) v.forEach((x) => unrequireDefaults(x, seen));
    else unrequireDefaults(v, seen);
  }
}

const ERROR_REF = { $ref: 'Error' };
const SUCCESS = { description: 'Success' };

export function installOpenApiConventions(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Schema | undefined;
    if (!schema || schema.hide) return;
    const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'GET';
    if (method === 'HEAD' || method === 'OPTIONS') return;
    const security = schema.security as unknown[] | undefined;
    const authenticated = Array.isArray(security) && security.length > 0;
    const byKey = authenticated && security.some((s) => Object.hasOwn(s as object, 'apiKey'));
    const hasBody = method !== 'GET';
    const hasParams = route.url.includes(':');
    const framework = [
      422,
      ...(hasBody || hasParams ? [400] : []),
      ...(hasBody ? [408, 413, 415] : []),
      // A path parameter that cannot name anything is simply not found (errors.ts).
      ...(hasParams ? [404, 414] : []),
      ...(authenticated ? [401] : []),
      ...(byKey ? [429] : []),
      500,
      503,
    ];
    const response = { ...(schema.response as Record<string, unknown> | undefined) };
    // A route that documents no success still answers with one (a page, metrics text).
    if (!Object.keys(response).some((s) => /^[23]/.test(s))) response[200] = SUCCESS;
    for (const status of framework) if (!(String(status) in response)) response[status] = ERROR_REF;
    if (schema.body) unrequireDefaults(schema.body);
    if (schema.querystring) unrequireDefaults(schema.querystring);
    route.schema = {
      ...schema,
      operationId:
        typeof schema.operationId === 'string' ? schema.operationId : operationIdFor(method, route.url),
      security: (security ?? []) as Record<string, string[]>[],
      response,
    };
  });
}
