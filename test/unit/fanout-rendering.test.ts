/**
 * What the broadcast planner does per batch rather than per recipient: a template that reads nothing
 * of the recipient is rendered once (and still right for every recipient), and ids come from a pooled
 * source that keeps them unique and in creation order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTemplateRenderer, sharedRenders, type TemplateRenderer } from '../../src/domain/templates.ts';
import { planDeliveries, RECIPIENT_VARS } from '../../src/domain/plan-deliveries.ts';
import { uuidv7Source } from '../../src/app/batch-ids.ts';
import type { NotificationToPlan, Recipient } from '../../src/domain/types.ts';

/** The real renderer, counting the renders that reach it, directly or through a service's session. */
function counting(): { renderer: TemplateRenderer; renders: () => number } {
  const real = createTemplateRenderer();
  let n = 0;
  return {
    renderer: {
      ...real,
      render: (s, v, m) => (n++, real.render(s, v, m)),
      session: (serviceId) => {
        const inner = real.session(serviceId);
        return { render: (s, v, m) => (n++, inner.render(s, v, m)) };
      },
    },
    renders: () => n,
  };
}

const recipient = (i: number): Recipient => ({
  id: `u${i}`,
  email: `u${i}@example.com`,
  phone: null,
  locale: null,
  timezone: null,
  attributes: { name: `Follower ${i}` },
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const notification = (text: string): NotificationToPlan => ({
  id: '0190a000-0000-7000-8000-000000000000',
  serviceId: '0190a000-0000-7000-8000-000000000001',
  type: 'trade_executed',
  recipientId: '',
  channels: ['email'],
  data: { symbol: 'INFY' },
  content: { email: { subject: 'Trader 42 bought {{ symbol }}', text } },
  priority: 'normal',
  idempotencyKey: null,
  requestHash: 'h',
  createdAt: new Date(),
});

describe('rendering once per batch', () => {
  it('renders a template that reads nothing of the recipient once, and one that does for each', async () => {
    const { renderer, renders } = counting();
    const shared = sharedRenders(renderer, RECIPIENT_VARS);
    const n = notification('Hi {{ recipient.name }}');
    const planned = [];
    for (let i = 1; i <= 50; i++)
      planned.push(...(await planDeliveries({ ...n, recipientId: `u${i}` }, recipient(i), shared)));
    // The subject once for the batch; the text once per recipient.
    assert.equal(renders(), 1 + 50);
    assert.equal(planned.length, 50);
    planned.forEach((d, i) => {
      assert.deepEqual(d.content, { subject: 'Trader 42 bought INFY', text: `Hi Follower ${i + 1}` });
    });
  });

  it('renders again when a recipient’s own data changes a variable the template reads', async () => {
    const { renderer, renders } = counting();
    const shared = sharedRenders(renderer, RECIPIENT_VARS);
    const n = notification('{{ symbol }} at {{ price | default: "market" }}');
    const a = await planDeliveries({ ...n, recipientId: 'u1' }, recipient(1), shared);
    const b = await planDeliveries(
      { ...n, recipientId: 'u2', data: { ...n.data, price: 7 } },
      recipient(2),
      shared,
    );
    const c = await planDeliveries({ ...n, recipientId: 'u3' }, recipient(3), shared);
    assert.equal(a[0]?.content.text, 'INFY at market');
    assert.equal(b[0]?.content.text, 'INFY at 7');
    assert.equal(c[0]?.content.text, 'INFY at market');
    // Subject once; text once for the plain data and once for the recipient with a price.
    assert.equal(renders(), 3);
  });

  it('treats the recipient’s own links as the recipient’s', async () => {
    const { renderer, renders } = counting();
    const shared = sharedRenders(renderer, RECIPIENT_VARS);
    for (const url of ['https://x/u1', 'https://x/u2'])
      assert.equal(
        await shared.render('Manage: {{ preferences_url }}', { preferences_url: url }),
        `Manage: ${url}`,
      );
    assert.equal(renders(), 2);
  });
});

describe('pooled UUIDv7 ids', () => {
  it('are valid version 7 ids, unique and increasing, even when the clock stands still', () => {
    let clock = 1_800_000_000_000;
    const next = uuidv7Source(() => clock);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i === 2500) clock -= 10; // a clock stepping back does not reorder ids
      ids.push(next());
    }
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
    // The id carries the time it was made in its first 48 bits.
    assert.equal(ids[0]?.replaceAll('-', '').slice(0, 12), (clock + 10).toString(16).padStart(12, '0'));
  });
});
