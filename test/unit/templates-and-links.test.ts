/** Template hardening, locale fallback, signed link tokens and the unsubscribe decoration. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeraldError } from '../../src/domain/errors.ts';
import { signLinkToken, verifyLinkToken } from '../../src/domain/link-tokens.ts';
import { localeChain, pickLocale } from '../../src/domain/locales.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { signTrackingToken, verifyTrackingToken } from '../../src/domain/tracking.ts';
import { withUnsubscribe } from '../../src/domain/unsubscribe.ts';
import { extraHeaders } from '../../src/adapters/channels/smtp/smtp-sender.ts';

const renderer = createTemplateRenderer();
const vars = { x: {}, title: 't', recipient: { id: 'r1', email: 'r@example.com' } };

describe('template hardening', () => {
  it('reaches no prototype: constructor and __proto__ render as nothing', async () => {
    const out = await renderer.render(
      '[{{ x.constructor }}][{{ recipient.__proto__ }}][{{ recipient.constructor.name }}][{{ title.constructor }}]' +
        '{% assign c = x.constructor %}[{{ c.constructor }}][{{ "a" | append: x.constructor }}]',
      vars,
    );
    assert.equal(out, '[][][][][][a]');
  });

  for (const source of [
    "{% include '/etc/passwd' %}",
    "{% render '/etc/passwd' %}",
    "{% include '../../../../etc/passwd' %}",
    '{% layout "/etc/passwd" %}',
    '{% render %}',
  ]) {
    it(`refuses ${source} when the template is saved, before anything renders`, () => {
      assert.throws(
        () => renderer.check(source, 'text'),
        (err: unknown) => err instanceof HeraldError && err.code === 'template_syntax_error',
      );
    });
  }

  it('refuses an include that names its file through a variable, and says where', () => {
    assert.throws(
      () => renderer.check('Hi\n  {% include name %}', 'text'),
      (err: unknown) =>
        err instanceof HeraldError &&
        /include tag is not available/.test(err.message) &&
        (err.details as any).line === 2 &&
        (err.details as any).column === 3,
    );
  });

  it('gives line and column of a syntax error', () => {
    assert.throws(
      () => renderer.check('line one\nline two {{ oops', 'html'),
      (err: unknown) =>
        err instanceof HeraldError &&
        err.status === 422 &&
        (err.details as any).line === 2 &&
        (err.details as any).column === 10 &&
        (err.details as any).field === 'html',
    );
  });

  it('escapes data in html mode', async () => {
    assert.equal(
      await renderer.render('<b>{{ v }}</b>', { v: '<i>"x"</i>' }, 'html'),
      '<b>&lt;i&gt;&#34;x&#34;&lt;/i&gt;</b>',
    );
  });
});

describe('locale fallback', () => {
  it('goes fr-CA → fr → default', () => {
    assert.deepEqual(localeChain('fr-CA'), ['fr-CA', 'fr', 'default']);
    assert.deepEqual(localeChain('zh-Hant-TW'), ['zh-Hant-TW', 'zh-Hant', 'zh', 'default']);
    assert.deepEqual(localeChain(null), ['default']);
    assert.equal(pickLocale('fr-CA', ['default', 'fr']), 'fr');
    assert.equal(pickLocale('fr-ca', ['default', 'fr-CA']), 'fr-CA');
    assert.equal(pickLocale('de', ['default', 'fr']), 'default');
    assert.equal(pickLocale('de', ['fr']), null);
  });
});

describe('link tokens', () => {
  const key = Buffer.alloc(32, 7);
  const scope = { serviceId: '01a1fe5d-cc8b-71bc-a59e-e2add9e092d9', recipientId: 'ann' };
  const now = 1_800_000_000;
  const later = now + 86_400;
  const invalid = { ok: false, reason: 'invalid' };

  it('round-trips the scope until it expires, and is expired from its last second on', () => {
    const token = signLinkToken(key, scope, later);
    assert.deepEqual(verifyLinkToken(key, token, now), { ok: true, scope });
    assert.deepEqual(verifyLinkToken(key, token, later - 1), { ok: true, scope });
    assert.deepEqual(verifyLinkToken(key, token, later), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyLinkToken(key, token, later + 365 * 86_400), { ok: false, reason: 'expired' });
  });

  it('rejects any single changed character, and tokens made with another key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.constantFrom(...'ABCDabcd0129-_.'),
        (id, at, c) => {
          const token = signLinkToken(key, { ...scope, recipientId: id }, later);
          const i = at % token.length;
          fc.pre(token[i] !== c);
          const changed = token.slice(0, i) + c + token.slice(i + 1);
          assert.deepEqual(verifyLinkToken(key, changed, now), invalid);
        },
      ),
      { numRuns: 1000 },
    );
    assert.deepEqual(verifyLinkToken(Buffer.alloc(32, 8), signLinkToken(key, scope, later), now), invalid);
  });

  it('cannot be re-pointed at another recipient, nor given a later expiry', () => {
    const token = signLinkToken(key, scope, later);
    const [, mac] = token.split('.');
    const forge = (fields: unknown[]) => Buffer.from(JSON.stringify(fields)).toString('base64url');
    assert.deepEqual(verifyLinkToken(key, `${forge([scope.serviceId, 'bob', later])}.${mac}`, now), invalid);
    const extended = `${forge([scope.serviceId, scope.recipientId, later * 2])}.${mac}`;
    // A forged date is "invalid", not "expired": expiry is read only from a token that verifies.
    assert.deepEqual(verifyLinkToken(key, extended, later + 1), invalid);
  });

  it('refuses a tracking token as a link token and the reverse (each layout has its own version)', () => {
    const click = signTrackingToken(
      key,
      { kind: 'click', deliveryId: 'd1', url: 'https://a.example/' },
      later,
    );
    assert.deepEqual(verifyLinkToken(key, click, now), invalid);
    assert.deepEqual(verifyTrackingToken(key, signLinkToken(key, scope, later), now), invalid);
  });

  it('tracking tokens expire too, and a click keeps its URL', () => {
    const t = { kind: 'click', deliveryId: 'd1', url: 'https://a.example/x?y=1' } as const;
    const token = signTrackingToken(key, t, later);
    assert.deepEqual(verifyTrackingToken(key, token, now), { ok: true, token: t });
    assert.deepEqual(verifyTrackingToken(key, token, later), { ok: false, reason: 'expired' });
    const pixel = signTrackingToken(key, { kind: 'open', deliveryId: 'd1' }, later);
    assert.deepEqual(verifyTrackingToken(key, pixel, now), {
      ok: true,
      token: { kind: 'open', deliveryId: 'd1' },
    });
  });
});

describe('unsubscribe decoration', () => {
  const links = { preferencesUrl: 'https://h.example/p/T.K', unsubscribeUrl: 'https://h.example/u/T.K' };

  it('adds the RFC 8058 headers and a visible link to each body', () => {
    const out = withUnsubscribe(
      { subject: 's', text: 'Hi', html: '<html><body><p>Hi</p></body></html>' },
      links,
    );
    assert.deepEqual(out.headers, {
      'List-Unsubscribe': '<https://h.example/u/T.K>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    assert.match(out.text as string, /Manage preferences or unsubscribe: https:\/\/h\.example\/p\/T\.K/);
    assert.match(
      out.html as string,
      /<a href="https:\/\/h\.example\/p\/T\.K">Manage preferences<\/a>.*<\/p><\/body><\/html>$/,
    );
  });

  it('does not add a second link when the template placed one', () => {
    const out = withUnsubscribe({ subject: 's', text: `Settings: ${links.preferencesUrl}` }, links);
    assert.equal(out.text, `Settings: ${links.preferencesUrl}`);
  });

  it('lets the SMTP sender pass only safe extra headers', () => {
    assert.deepEqual(
      extraHeaders({
        'List-Unsubscribe': '<https://h.example/u/T.K>',
        Bcc: 'spy@example.com',
        'X-Evil': 'a\r\nBcc: spy@example.com',
        'Bad Name': 'x',
        'X-Number': 5,
      }),
      { 'List-Unsubscribe': '<https://h.example/u/T.K>' },
    );
  });
});
