/**
 * Open and click tracking for HTML email. Links are rewritten at planning time to
 * `/t/c/{token}`, where the token signs the (delivery, URL) pair: the redirect goes only to a URL
 * that was in that message, so Herald cannot be used as an open redirector, and a changed byte fails.
 * An open is a 1×1 image at `/t/o/{token}` signing the delivery alone. Both expire like the other
 * links in a message (see signed-token.ts).
 */
import { openToken, sealToken } from './signed-token.ts';

export type TrackingToken =
  { kind: 'open'; deliveryId: string } | { kind: 'click'; deliveryId: string; url: string };

export type TrackingCheck = { ok: true; token: TrackingToken } | { ok: false; reason: 'invalid' | 'expired' };

const VERSION = 't2';
export const TRACKING_TOKEN_MAX_LENGTH = 8192;

export function signTrackingToken(key: Buffer, t: TrackingToken, expiresAt: number): string {
  const fields = t.kind === 'open' ? ['o', t.deliveryId] : ['c', t.deliveryId, t.url];
  return sealToken(key, VERSION, fields, expiresAt);
}

export function verifyTrackingToken(key: Buffer, token: string, nowSeconds: number): TrackingCheck {
  const opened = openToken(key, VERSION, token, nowSeconds, TRACKING_TOKEN_MAX_LENGTH);
  if (!opened.ok) return opened;
  const [kind, deliveryId, url] = opened.fields;
  if (kind === 'o' && opened.fields.length === 2 && deliveryId !== undefined)
    return { ok: true, token: { kind: 'open', deliveryId } };
  const isClick = kind === 'c' && opened.fields.length === 3 && deliveryId !== undefined;
  if (isClick && url !== undefined && /^https?:\/\//i.test(url))
    return { ok: true, token: { kind: 'click', deliveryId, url } };
  return { ok: false, reason: 'invalid' };
}

export interface TrackingUrls {
  open(deliveryId: string): string;
  click(deliveryId: string, url: string): string;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/**
 * Rewrites the http(s) links of an email's HTML and adds the open pixel, as asked. Links to the
 * preference and unsubscribe pages (`skip`) stay as they are: they are Herald's own, and an
 * unsubscribe must never depend on a redirect.
 */
export function withTracking(
  content: Record<string, unknown>,
  deliveryId: string,
  setting: { opens: boolean; clicks: boolean },
  urls: TrackingUrls,
  skip: (url: string) => boolean = () => false,
): Record<string, unknown> {
  const html = content.html;
  if (typeof html !== 'string' || (!setting.opens && !setting.clicks)) return content;
  let out = html;
  if (setting.clicks) {
    out = out.replace(
      /(<a\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi,
      (whole, prefix: string, dq: string | undefined, sq: string | undefined) => {
        const url = decodeEntities((dq ?? sq ?? '').trim());
        if (!/^https?:\/\//i.test(url) || skip(url)) return whole;
        return `${prefix}"${escapeAttr(urls.click(deliveryId, url))}"`;
      },
    );
  }
  if (setting.opens) {
    const pixel = `<img src="${escapeAttr(urls.open(deliveryId))}" width="1" height="1" alt="" style="display:none">`;
    out = /<\/body>/i.test(out) ? out.replace(/<\/body>/i, `${pixel}</body>`) : `${out}${pixel}`;
  }
  return { ...content, html: out };
}
