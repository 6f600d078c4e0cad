/**
 * Checks real answers against Herald's own OpenAPI document: the status must be documented for the
 * operation, and a JSON body must validate against the documented schema (Ajv, JSON Schema 2020-12,
 * as OpenAPI 3.1 uses). So the document cannot drift from what the code answers.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
}

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export function documentChecker(doc: OpenApiDocument) {
  // Formats are the server's business (it has custom ones); the shape and types are checked here.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, 'herald.json');
  return (
    method: string,
    route: string,
    status: number,
    contentType: string | null,
    body: unknown,
  ): string | null => {
    const op = doc.paths[route]?.[method.toLowerCase()];
    if (!op) return `${method} ${route} is not in the document`;
    const answer = op.responses?.[String(status)];
    if (!answer) return `${method} ${route} answered ${status}, which the document does not list`;
    if (!contentType?.startsWith('application/json')) return null;
    if (!answer.content?.['application/json'])
      return `${method} ${route} ${status} answered JSON, which the document does not describe`;
    const validate = ajv.getSchema(
      `herald.json#/${pointer('paths', route, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`,
    );
    if (!validate) return `no schema for ${method} ${route} ${status}`;
    return validate(body)
      ? null
      : `${method} ${route} ${status} does not match the document: ${ajv.errorsText(validate.errors)}`;
  };
}
