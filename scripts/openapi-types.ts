/**
 * Herald's OpenAPI document and the TypeScript types openapi-typescript makes of it. The document is
 * taken from Herald itself, started in this process on an in-memory database with every optional
 * part switched on, so no running server is needed and every route is in it.
 */
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { startHerald } from '../src/main.ts';

export const SCHEMA_FILE = new URL('../packages/client/src/schema.d.ts', import.meta.url);

export async function heraldDocument(): Promise<OpenAPI3> {
  const config = loadConfig({
    HERALD_DATA_DIR: 'memory://',
    HERALD_PORT: '0',
    HERALD_ADMIN_TOKEN: 'openapi-generation-token-0123456789',
    // A fixed key: only its presence matters, it switches the credential routes on.
    HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  });
  const herald = await startHerald(config, { api: true, worker: false }, pino({ level: 'silent' }));
  try {
    const res = await fetch(`${herald.url}/docs/json`);
    if (!res.ok) throw new Error(`GET /docs/json answered ${res.status}`);
    return (await res.json()) as OpenAPI3;
  } finally {
    await herald.stop();
  }
}

export async function schemaTypes(doc: OpenAPI3): Promise<string> {
  const ast = await openapiTS(doc, { alphabetize: true });
  return (
    "// Generated from Herald's OpenAPI document by `npm run sdk:generate`. Do not edit.\n" + astToString(ast)
  );
}
