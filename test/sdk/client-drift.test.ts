/**
 * The committed client types are what openapi-typescript makes of the document Herald serves now:
 * a route changed without `npm run sdk:generate` fails here, so the client cannot drift from the server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { heraldDocument, SCHEMA_FILE, schemaTypes } from '../../scripts/openapi-types.ts';

it('packages/client/src/schema.d.ts matches the OpenAPI document', { timeout: 180_000 }, async () => {
  const fresh = await schemaTypes(await heraldDocument());
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  assert.ok(
    fresh === committed,
    'the client types are stale: run `npm run sdk:generate` and commit the result',
  );
});
