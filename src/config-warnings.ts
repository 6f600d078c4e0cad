/**
 * Settings that start but will not do what an operator expects, named once at start. Pure: main.ts
 * logs what this returns.
 */
import type { Config } from './config.ts';

export interface StartWarning {
  message: string;
  fields: Record<string, unknown>;
}

/** `publicUrl` is the configured one, or what Herald will use in its place (its own address). */
export function startWarnings(config: Config, publicUrl: string): StartWarning[] {
  const out: StartWarning[] = [];
  if (!/^https:\/\//i.test(publicUrl))
    out.push({
      message:
        'publicUrl is not https: one-click unsubscribe (RFC 8058) needs an https List-Unsubscribe link, ' +
        'so mailbox providers will not offer it, and links in messages travel in the clear; set HERALD_PUBLIC_URL',
      fields: { publicUrl },
    });
  for (const p of config.providers.email ?? [])
    if (p.type === 'ses' && (p.snsTopicArns ?? []).length === 0)
      out.push({
        message: `SES provider '${p.name}' lists no snsTopicArns: its SNS receipts (bounces, complaints) will all be refused`,
        fields: { provider: p.name },
      });
  return out;
}
