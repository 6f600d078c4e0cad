/**
 * The OpenAPI document Herald serves at /docs/json, checked by tools nobody here wrote: Redocly's
 * recommended rules and Spectral's `spectral:oas` must find no error. Every operation has an
 * operationId, a summary and a tag; errors share the named `Error` schema; no request field is both
 * required and defaulted (a generated client would refuse bodies the server accepts). Whether real
 * answers match the document is checked by the authorization matrix, route by route.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Herald } from '../../src/main.ts';
import { client } from '../helpers/api.ts';
import { tempDir } from '../helpers/herald-process.ts';
import { startInProcess } from '../helpers/in-process.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../node_modules/.bin');
const ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

/** Runs a linter that exits non-zero on findings; its JSON report is what counts. */
async function report(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(join(BIN, cmd), args, { env: ENV, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (out) return out;
    throw err;
  }
}

describe('the OpenAPI document', { timeout: 180_000 }, () => {
  let herald: Herald;
  let doc: any;
  let file: string;

  before(async () => {
    // Every optional part on, so every route is in the document.
    herald = await startInProcess({
      worker: false,
      env: { HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    doc = (await client(herald.url ?? '').get('/docs/json')).body;
    file = join(tempDir('herald-openapi-'), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
  });
  after(async () => herald?.stop());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );

  it('has no error under Redocly (recommended rules)', async () => {
    const out = JSON.parse(await report('redocly', ['lint', '--format=json', file])) as {
      totals: { errors: number };
      problems: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[];
    };
    const errors = out.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(
      errors.map((p) => `${p.ruleId} ${p.location?.[0]?.pointer ?? ''}: ${p.message}`),
      [],
    );
    assert.equal(out.totals.errors, 0);
  });

  it('has no error under Spectral (spectral:oas)', async () => {
    const ruleset = join(import.meta.dirname, '../../.spectral.yaml');
    const out = JSON.parse(
      await report('spectral', ['lint', '--quiet', '--format=json', '--ruleset', ruleset, file]),
    ) as { code: string; severity: number; path: string[]; message: string }[];
    assert.deepEqual(
      out.filter((p) => p.severity === 0).map((p) => `${p.code} ${p.path.join('.')}: ${p.message}`),
      [],
    );
  });

  it('gives every operation an operationId, a summary and a tag', () => {
    const ids = new Set<string>();
    for (const { name, op } of operations()) {
      assert.equal(typeof op.operationId, 'string', `${name}: operationId`);
      assert.ok(!ids.has(op.operationId), `${name}: operationId ${op.operationId} is taken`);
      ids.add(op.operationId);
      assert.ok(typeof op.summary === 'string' && op.summary.length > 0, `${name}: summary`);
      assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${name}: tags`);
      assert.ok(Array.isArray(op.security), `${name}: security, [] when public`);
    }
  });

  it('names the shared error schema and documents what the framework answers on every route', () => {
    assert.ok(doc.components.schemas.Error, 'the error schema is components.schemas.Error');
    assert.deepEqual(doc.components.schemas.Error.properties.error.required.sort(), [
      'code',
      'details',
      'message',
    ]);
    for (const { name, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const has = (s: number) => assert.ok(statuses.includes(String(s)), `${name} does not document ${s}`);
      [422, 500, 503].forEach(has);
      if (!name.startsWith('GET ')) [400, 408, 413, 415].forEach(has);
      if (name.includes('{')) [400, 404, 414].forEach(has);
      if (op.security.length > 0) has(401);
      if (op.security.some((s: object) => 'apiKey' in s)) has(429);
    }
  });

  it('marks no request field with a default as required', () => {
    const offenders: string[] = [];
    const walk = (schema: any, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.properties && Array.isArray(schema.required))
        for (const key of schema.required)
          if (schema.properties[key]?.default !== undefined) offenders.push(`${where}.${key}`);
      for (const [k, v] of Object.entries(schema)) walk(v, `${where}.${k}`);
    };
    for (const { name, op } of operations()) {
      walk(op.requestBody, `${name} body`);
      walk(op.parameters, `${name} parameters`);
    }
    assert.deepEqual(offenders, []);
  });
});
