/** The pure part of trigger rules: JSON Pointers, condition syntax, and expanding an event. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import {
  conditionProblem,
  expandEvent,
  parsePointer,
  resolvePointer,
  ruleProblems,
  type RuleNotification,
} from '../../src/domain/trigger-rules.ts';

const renderer = createTemplateRenderer();
const event = (payload: Record<string, unknown>) => ({
  id: 'e1',
  name: 'trade.executed',
  payload,
  occurredAt: null,
});

describe('trigger rules', () => {
  it('reads JSON Pointers as RFC 6901 says', () => {
    assert.deepEqual(parsePointer(''), []);
    assert.deepEqual(parsePointer('/a~1b/c~0d'), ['a/b', 'c~d']);
    assert.equal(parsePointer('userId'), null);
    assert.equal(parsePointer('/a~2'), null);
    const doc = { a: { 'x/y': [10, 20] }, n: null };
    assert.equal(resolvePointer(doc, '/a/x~1y/1'), 20);
    assert.equal(resolvePointer(doc, '/a/x~1y/01'), undefined);
    assert.equal(resolvePointer(doc, '/a/constructor'), undefined, 'own properties only');
    assert.equal(resolvePointer(doc, '/n'), null);
  });

  it('takes whole expressions as conditions and refuses fragments', () => {
    for (const ok of ['quantity > 0', 'side == "buy" and not muted', 'x.y[0] >= 3', 'flag'])
      assert.equal(conditionProblem(ok), null, ok);
    for (const bad of ['amount >', 'a b', '', 'and a', 'a == 1 or'])
      assert.notEqual(conditionProblem(bad), null, bad);
  });

  it('names the path of every problem in a rule', () => {
    const problems = ruleProblems(
      {
        notifications: [
          { type: 'known', to: { recipients: ['a', 'b'] } },
          { type: 'known', to: { topic: '{% if %}' }, condition: '{{ x }}' },
        ],
      },
      renderer,
      (t) => t === 'known',
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/notifications/1/to/topic', '/notifications/1/condition'],
    );
  });

  it('expands an event: topic from a template, recipient from a pointer, data mapped, conditions applied', async () => {
    const rule: { notifications: RuleNotification[] } = {
      notifications: [
        { type: 'copy', to: { topic: 'trader:{{ traderId }}' }, condition: 'quantity > 0' },
        { type: 'receipt', to: { recipient: '/trader/id' }, data: { qty: '/quantity', missing: '/nope' } },
        { type: 'list', to: { recipients: '/watchers' } },
        { type: 'big', to: { recipients: ['ops'] }, condition: 'quantity > 1000', priority: 'critical' },
      ],
    };
    const out = await expandEvent(
      rule,
      event({ traderId: 42, quantity: 50, trader: { id: 't-42' }, watchers: ['w1', 'w1', 'w2'] }),
      renderer,
    );
    assert.deepEqual(out, [
      {
        index: 0,
        type: 'copy',
        status: 'created',
        notification: {
          type: 'copy',
          audience: { kind: 'topic', topic: 'trader:42' },
          channels: undefined,
          priority: 'normal',
          data: { traderId: 42, quantity: 50, trader: { id: 't-42' }, watchers: ['w1', 'w1', 'w2'] },
        },
      },
      {
        index: 1,
        type: 'receipt',
        status: 'created',
        notification: {
          type: 'receipt',
          audience: { kind: 'recipients', ids: ['t-42'] },
          channels: undefined,
          priority: 'normal',
          data: { qty: 50, missing: null },
        },
      },
      {
        index: 2,
        type: 'list',
        status: 'created',
        notification: {
          type: 'list',
          audience: { kind: 'recipients', ids: ['w1', 'w2'] },
          channels: undefined,
          priority: 'normal',
          data: { traderId: 42, quantity: 50, trader: { id: 't-42' }, watchers: ['w1', 'w1', 'w2'] },
        },
      },
      { index: 3, type: 'big', status: 'skipped', reason: 'condition is false' },
    ]);
  });

  it('skips, with the reason, what the payload cannot fill', async () => {
    const rule: { notifications: RuleNotification[] } = {
      notifications: [
        { type: 'a', to: { recipient: '/userId' } },
        { type: 'b', to: { topic: 'trader:{{ traderId }}' } },
      ],
    };
    const out = await expandEvent(rule, event({ userId: 7, traderId: 'has space' }), renderer);
    assert.deepEqual(
      out.map((x) => (x.status === 'skipped' ? x.reason : x.status)),
      ['no recipient id at /userId', "topic template gave 'trader:has space', which is not a topic key"],
    );
  });
});
