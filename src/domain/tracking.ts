/**
 * Open and click tracking for HTML email. Links are rewritten at planning time to
 * `/t/c/{token}`, where the token signs the (delivery, URL) pair: the redirect goes only to a URL
 * that was in that message, so Herald cannot be used as an open redirector, and a changed byte fails.
 * An open is a 1×1 image at `/t/o/{token}` signing the delivery alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingToken =
  { kind: 'open'; deliveryId: string } | { kind: 'click'; deliveryId: string; url: string };

const VERSION = 't1';
const mac = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`${VERSION}.${payload}`).digest('base64url');

export function signTrackingToken(key: Buffer, t: TrackingToken): string {
  const fields = t.kind === 'open' ? ['o', t.deliveryId] : ['c', t.deliveryId, t.url];
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

export function verifyTrackingToken(key: Buffer, token: string): TrackingToken | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 8192) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const f: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(f) || typeof f[1] !== 'string') return null;
    if (f[0] === 'o' && f.length === 2) return { kind: 'open', deliveryId: f[1] };
    if (f[0] === 'c' && f.length === 3 && typeof f[2] === 'string' && /^https?:\/\//i.test(f[2]))
      return { kind: 'click', deliveryId: f[1], url: f[2] };
  } catch {
    /* a valid MAC over a malformed payload cannot happen unless the key leaked */
  }
  return null;
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
