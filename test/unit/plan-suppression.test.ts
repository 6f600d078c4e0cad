/** The planner honours the suppression list: a suppressed address gives a `suppressed` delivery. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDeliveries } from '../../src/domain/plan-deliveries.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { suppressionKey } from '../../src/ports/receipts.ts';
import type { NotificationToPlan, Recipient } from '../../src/domain/types.ts';

const n: NotificationToPlan = {
  id: 'n1',
  serviceId: 's1',
  type: 't',
  recipientId: 'ann',
  channels: ['email', 'sms'],
  data: {},
  content: { email: { subject: 'Hi', text: 'Hello' }, sms: { text: 'Hello' } },
  priority: 'normal',
  idempotencyKey: null,
  requestHash: 'h',
  createdAt: new Date(),
};
const ann: Recipient = {
  id: 'ann',
  email: 'Ann@Example.com',
  phone: '+33612345678',
  locale: null,
  timezone: null,
  attributes: {},
  createdAt: new Date(),
  updatedAt: new Date(),
};

describe('planning with a suppression list', () => {
  let i = 0;
  const newId = () => `d${++i}`;

  it('suppresses only the listed channel address, ignoring email case', async () => {
    const planned = await planDeliveries(
      n,
      ann,
      createTemplateRenderer(),
      newId,
      undefined,
      new Set([suppressionKey('email', 'ann@example.COM')]),
    );
    assert.deepEqual(
      planned.map((d) => [d.channel, d.status, d.reason]),
      [
        ['email', 'suppressed', 'address_suppressed'],
        ['sms', 'queued', null],
      ],
    );
  });

  it('sends everything when nothing is suppressed', async () => {
    const planned = await planDeliveries(n, ann, createTemplateRenderer(), newId);
    assert.deepEqual(
      planned.map((d) => d.status),
      ['queued', 'queued'],
    );
  });
});
