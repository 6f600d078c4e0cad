/**
 * Tokens for the links in a message (hosted preference page, one-click unsubscribe). They are the only
 * credential those pages take, so they are signed and name exactly one service and one recipient.
 * They expire: long enough that an unsubscribe link in an old mail still works (the default is a year;
 * the law in most places asks for 30 days at least), short enough that a leaked link does not grant
 * access to someone's preferences for ever.
 */
import { openToken, sealToken } from './signed-token.ts';

export interface LinkScope {
  serviceId: string;
  recipientId: string;
}

export type LinkCheck = { ok: true; scope: LinkScope } | { ok: false; reason: 'invalid' | 'expired' };

/** Bumped if the payload layout ever changes, so old links fail closed rather than mean something else. */
const VERSION = 'v2';
export const LINK_TOKEN_MAX_LENGTH = 2048;

export function signLinkToken(key: Buffer, scope: LinkScope, expiresAt: number): string {
  return sealToken(key, VERSION, [scope.serviceId, scope.recipientId], expiresAt);
}

/** The scope the token was made for, or why not: `invalid` (tampered or foreign) or `expired`. */
export function verifyLinkToken(key: Buffer, token: string, nowSeconds: number): LinkCheck {
  const opened = openToken(key, VERSION, token, nowSeconds, LINK_TOKEN_MAX_LENGTH);
  if (!opened.ok) return opened;
  const [serviceId, recipientId] = opened.fields;
  if (opened.fields.length !== 2 || serviceId === undefined || recipientId === undefined) {
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, scope: { serviceId, recipientId } };
}
