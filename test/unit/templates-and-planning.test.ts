import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeraldError } from '../../src/domain/errors.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { planDeliveries } from '../../src/domain/plan-deliveries.ts';
import type { NotificationToPlan, Recipient } from '../../src/domain/types.ts';

const renderer = createTemplateRenderer({ maxTemplateChars: 10_000, renderTimeMs: 200, memory: 1_000_000 });

describe('templates', () => {
  it('renders data at the top level and the recipient beside it', async () => {
    assert.equal(
      await renderer.render('Order {{ order_id }} for {{ recipient.name }}', {
        order_id: 7,
        recipient: { name: 'Ann' },
      }),
      'Order 7 for Ann',
    );
  });

  it('reports a syntax error with its line and column', () => {
    try {
      renderer.check('Hello\n{% if x %}never closed', 'content.email.text');
      assert.fail('expected a syntax error');
    } catch (err) {
      assert.ok(err instanceof HeraldError);
      assert.equal(err.status, 422);
      assert.equal(err.code, 'template_syntax_error');
      assert.deepEqual(err.details, { field: 'content.email.text', line: 2, column: 1 });
    }
  });

  it('reaches no prototype, no file, and no unknown filter', async () => {
    const vars = { user: { name: 'x' } };
    assert.equal(
      await renderer.render('{{ user.constructor }}{{ user.__proto__ }}{{ user.toString }}', vars),
      '',
    );
    assert.equal(await renderer.render("{{ '' | size }}", vars), '0');
    await assert.rejects(renderer.render("{% include '/etc/passwd' %}", vars));
    await assert.rejects(renderer.render("{% render '../../package.json' %}", vars));
    assert.throws(
      () => renderer.check('{{ x | no_such_filter }}', 'f'),
      /template_syntax_error|undefined filter/,
    );
  });

  it('stops a template that runs too long', async () => {
    const slow = '{% for a in (1..2000) %}{% for b in (1..2000) %}x{% endfor %}{% endfor %}';
    await assert.rejects(renderer.render(slow, {}), /limit/i);
  });
});

describe('planning', () => {
  const n: NotificationToPlan = {
    id: 'n1',
    serviceId: 's1',
    type: 't',
    recipientId: 'u1',
    channels: ['email', 'sms', 'in_app'],
    data: { order_id: 'A1' },
    content: {
      email: { subject: 'Order {{ order_id }}', html: '<b>{{ recipient.first }}</b>' },
      in_app: { title: '{{ order_id }}', body: 'Hi {{ recipient.first }}' },
    },
    priority: 'normal',
    idempotencyKey: null,
    requestHash: 'h',
    createdAt: new Date(),
  };
  const recipient: Recipient = {
    id: 'u1',
    email: 'u1@example.com',
    phone: null,
    locale: null,
    timezone: null,
    attributes: { first: '<Ann>' },
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  let seq = 0;
  const ids = () => `d${++seq}`;

  it('accounts for every requested channel: sent where it can, failed with a reason where not', async () => {
    const planned = await planDeliveries(n, recipient, renderer, ids);
    const byChannel = Object.fromEntries(planned.map((p) => [p.channel, p]));
    assert.equal(byChannel.email?.status, 'queued');
    assert.deepEqual(byChannel.email?.content, { subject: 'Order A1', html: '<b>&lt;Ann&gt;</b>' });
    assert.equal(byChannel.sms?.status, 'failed');
    assert.equal(byChannel.sms?.reason, 'recipient_missing_address');
    assert.equal(byChannel.in_app?.status, 'queued');
    assert.deepEqual(byChannel.in_app?.content, { title: 'A1', body: 'Hi <Ann>' });
  });

  it('fails every channel with unknown_recipient when the recipient is gone', async () => {
    const planned = await planDeliveries(n, null, renderer, ids);
    assert.deepEqual(
      planned.map((p) => [p.channel, p.status, p.reason]),
      n.channels.map((c) => [c, 'failed', 'unknown_recipient']),
    );
  });

  it('records a render failure on the delivery instead of failing the notification', async () => {
    const broken = {
      ...n,
      channels: ['email' as const],
      content: {
        email: { subject: '{% for a in (1..5000) %}{% for b in (1..5000) %}x{% endfor %}{% endfor %}' },
      },
    };
    const [p] = await planDeliveries(broken, recipient, renderer, ids);
    assert.equal(p?.status, 'failed');
    assert.equal(p?.reason, 'template_render_error');
    assert.ok(p?.errorMessage);
  });
});
