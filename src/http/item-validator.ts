/**
 * Validation of one item of a batch on its own, with the same options and formats as Fastify's
 * request validation, so an item's error reads as the single endpoint's would.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { customFormats } from './formats.ts';
import { invalid, type HeraldError } from '../domain/errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Ajv's errors for `value`, or null when it is valid. */
export function schemaChecker(schema: TSchema): (value: unknown) => ErrorObject[] | null {
  const ajv = new Ajv({ removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(customFormats))
    ajv.addFormat(name, { type: 'string', validate });
  const check = ajv.compile(schema);
  return (value) => (check(value) ? null : (check.errors ?? []));
}

/** A batch item's schema errors as that item's `validation_failed` error; paths are within the item. */
export function itemValidator(schema: TSchema): (item: unknown) => HeraldError | null {
  const check = schemaChecker(schema);
  return (item) => {
    const errors = check(item);
    if (!errors) return null;
    return invalid(
      'validation_failed',
      `Invalid notification: ${errors[0]?.instancePath || '/'} ${errors[0]?.message ?? ''}`.trim(),
      errors.map((v) => ({ in: 'body', path: v.instancePath || '/', message: v.message, params: v.params })),
    );
  };
}
