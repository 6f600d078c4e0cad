/** SMTP (email), through nodemailer's pooled transport. The operator's own: no service credentials. */
import { Type } from 'typebox';
import { operatorOnly, Name, strict } from '../provider.ts';
import { createSmtpSender } from './smtp-sender.ts';

export const smtp = operatorOnly({
  type: 'smtp',
  channel: 'email',
  configSchema: Type.Object(
    {
      name: Name,
      type: Type.Literal('smtp'),
      url: Type.Optional(Type.String({ pattern: '^smtps?://' })),
      host: Type.Optional(Type.String({ minLength: 1 })),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      secure: Type.Optional(Type.Boolean()),
      user: Type.Optional(Type.String()),
      pass: Type.Optional(Type.String()),
      from: Type.String({ minLength: 3 }),
      maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
    },
    strict,
  ),
  urlFields: ['url', 'host'],
  check: (entry) =>
    !entry.url && !entry.host ? `Email provider '${entry.name}' needs a url or a host.` : null,
  create: (entry) => createSmtpSender(entry),
});
