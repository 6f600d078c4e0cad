/** Reading a receipt's body, for the providers that post JSON. */
import { malformed } from '../../domain/errors.ts';

export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw malformed('The body is not valid JSON.');
  }
}
