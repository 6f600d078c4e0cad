/** Template hardening, locale fallback, signed link tokens and the unsubscribe decoration. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeraldError } from '../../src/domain/errors.ts';
import { signLinkToken, verifyLinkToken } from '../../src/domain/link-tokens.ts';
import { localeChain, pickLocale } from '../../src/domain/locales.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
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

  it('round-trips the scope', () => {
    assert.deepEqual(verifyLinkToken(key, signLinkToken(key, scope)), scope);
  });

  it('rejects any single changed character, and tokens made with another key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.constantFrom(...'ABCDabcd0129-_.'),
        (id, at, c) => {
          const token = signLinkToken(key, { ...scope, recipientId: id });
          const i = at % token.length;
          fc.pre(token[i] !== c);
          const changed = token.slice(0, i) + c + token.slice(i + 1);
          assert.equal(verifyLinkToken(key, changed), null);
        },
      ),
      { numRuns: 1000 },
    );
    assert.equal(verifyLinkToken(Buffer.alloc(32, 8), signLinkToken(key, scope)), null);
  });

  it('cannot be re-pointed at another recipient', () => {
    const token = signLinkToken(key, scope);
    const [, mac] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify([scope.serviceId, 'bob'])).toString('base64url');
    assert.equal(verifyLinkToken(key, `${otherPayload}.${mac}`), null);
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
