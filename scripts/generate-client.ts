/** Writes packages/client/src/schema.d.ts from Herald's OpenAPI document (`npm run sdk:generate`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { heraldDocument, SCHEMA_FILE, schemaTypes } from './openapi-types.ts';

const types = await schemaTypes(await heraldDocument());
writeFileSync(SCHEMA_FILE, types);
console.log(`wrote ${fileURLToPath(SCHEMA_FILE)} (${types.length} characters)`);
