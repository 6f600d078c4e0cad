/** Checks a stored template's content against its channel's schema (the one notifications use inline). */
import { Value } from 'typebox/value';
import type { Channel } from '../domain/channels.ts';
import { invalid } from '../domain/errors.ts';
import { ContentSchema } from './schemas.ts';

export function assertContentShape(
  channel: Channel,
  content: unknown,
): asserts content is Record<string, unknown> {
  const schema = ContentSchema.properties[channel];
  if (Value.Check(schema, content)) return;
  const details = [...Value.Errors(schema, content)].map((e) => ({
    in: 'body',
    path: e.instancePath || '/',
    message: e.message,
  }));
  throw invalid('validation_failed', `The content is not valid for the ${channel} channel.`, details);
}
