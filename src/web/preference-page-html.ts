/**
 * Server-rendered HTML for the hosted pages. No script at all: a plain form works with a keyboard,
 * a screen reader and JavaScript off. Every value is escaped; the token only appears in form actions.
 */
import type { Channel } from '../domain/channels.ts';
import { channelField, typeField, type PageModel } from '../app/preference-page.ts';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

export const CHANNEL_LABEL: Readonly<Record<Channel, string>> = {
  email: 'Email',
  sms: 'Text message (SMS)',
  push: 'Mobile push',
  web_push: 'Browser notifications',
  in_app: 'In-app inbox',
  webhook: 'Webhook',
};

const STYLE = `
  body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
  main{max-width:40rem;margin:2rem auto;padding:0 1rem}
  fieldset{border:1px solid #bbb;border-radius:6px;margin:0 0 1rem;padding:.75rem 1rem}
  legend{font-weight:600;padding:0 .25rem}
  label{display:block;padding:.25rem 0;cursor:pointer}
  input[type=checkbox]{width:1.1rem;height:1.1rem;margin-right:.5rem;vertical-align:-.15rem}
  .hint{color:#444;margin:.25rem 0 .5rem;font-size:.95rem}
  button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #0b4f9c;background:#0b5cb8;color:#fff;cursor:pointer}
  :focus-visible{outline:3px solid #e07000;outline-offset:2px}
  .status{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem 1rem;border-radius:6px}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function box(name: string, label: string, on: boolean): string {
  return `<label><input type="checkbox" name="${esc(name)}" value="on"${on ? ' checked' : ''}> ${esc(label)}</label>`;
}

export function preferencePageHtml(model: PageModel, action: string, saved: boolean): string {
  const status = saved ? '<p class="status" role="status">Your preferences are saved.</p>' : '';
  const global = `<fieldset aria-describedby="channels-hint">
<legend>Channels</legend>
<p class="hint" id="channels-hint">Turn a channel off to receive nothing from ${esc(model.serviceName)} on it.</p>
${model.channels.map((c) => box(channelField(c.channel), CHANNEL_LABEL[c.channel], c.on)).join('\n')}
</fieldset>`;
  const types = model.types
    .map(
      (t) => `<fieldset>
<legend>${esc(t.description || t.key)}</legend>
${t.channels.map((c) => box(typeField(t.key, c.channel), CHANNEL_LABEL[c.channel], c.on)).join('\n')}
</fieldset>`,
    )
    .join('\n');
  const commercial = model.hasCommercial
    ? `<fieldset>
<legend>News and offers</legend>
${box('subscribed', `Send me news and offers from ${model.serviceName}`, model.subscribed)}
</fieldset>`
    : '';
  return layout(
    `Notification preferences – ${model.serviceName}`,
    `<h1>Notification preferences</h1>
<p>Choose what ${esc(model.serviceName)} sends you, and how.</p>
${status}
<form method="post" action="${esc(action)}">
${global}
<h2>By kind of message</h2>
${types || '<p>This service has no kinds of message to choose from yet.</p>'}
${commercial}
<button type="submit">Save preferences</button>
</form>`,
  );
}

export function unsubscribePageHtml(action: string, done: boolean, preferencesUrl: string): string {
  // A GET must never unsubscribe: mail scanners open links. The button POSTs the RFC 8058 body.
  return layout(
    'Unsubscribe',
    done
      ? `<h1>You are unsubscribed</h1><p role="status">You will no longer receive news and offers. Messages you asked for, such as receipts, still arrive.</p><p><a href="${esc(preferencesUrl)}">Manage all your preferences</a></p>`
      : `<h1>Unsubscribe</h1><form method="post" action="${esc(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe from news and offers</button></form><p><a href="${esc(preferencesUrl)}">Or choose exactly what to receive</a></p>`,
  );
}

export function messagePageHtml(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}

/**
 * Where a click goes when the link's host is not one the sender registered: the page names the
 * destination in full and leaves the choice to the reader, so Herald's domain vouches for nothing.
 */
export function leavingPageHtml(url: string): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    /* shown as given */
  }
  return layout(
    'You are leaving this link',
    `<h1>You are leaving this link</h1>
<p>This link leads to <strong>${esc(host)}</strong>, a site the sender has not registered as its own.
Go on only if you trust it:</p>
<p><a href="${esc(url)}" rel="noopener noreferrer nofollow">${esc(url)}</a></p>`,
  );
}
