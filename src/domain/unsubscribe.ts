/**
 * What every commercial email carries so a recipient can leave: RFC 8058 one-click headers (mail
 * clients show an "Unsubscribe" button and POST `List-Unsubscribe=One-Click` to the URL) and a visible
 * "manage preferences" link in the body, added only when the template did not place one itself.
 */
export interface RecipientLinks {
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function unsubscribeHeaders(links: RecipientLinks): Record<string, string> {
  return { 'List-Unsubscribe': `<${links.unsubscribeUrl}>`, 'List-Unsubscribe-Post': ONE_CLICK_BODY };
}

/** Rendered email content with the headers set and the link in each body that lacks it. */
export function withUnsubscribe(
  content: Record<string, unknown>,
  links: RecipientLinks,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...content };
  const existing = (content.headers ?? {}) as Record<string, string>;
  out.headers = { ...existing, ...unsubscribeHeaders(links) };
  const { text, html } = content;
  if (typeof text === 'string' && !text.includes(links.preferencesUrl)) {
    out.text = `${text}\n\n--\nManage preferences or unsubscribe: ${links.preferencesUrl}\n`;
  }
  if (typeof html === 'string' && !html.includes(escapeHtml(links.preferencesUrl))) {
    const footer =
      `<p style="font-size:12px;color:#555"><a href="${escapeHtml(links.preferencesUrl)}">Manage preferences</a>` +
      ` · <a href="${escapeHtml(links.unsubscribeUrl)}">Unsubscribe</a></p>`;
    const at = html.toLowerCase().lastIndexOf('</body>');
    out.html = at >= 0 ? `${html.slice(0, at)}${footer}${html.slice(at)}` : `${html}${footer}`;
  }
  return out;
}
