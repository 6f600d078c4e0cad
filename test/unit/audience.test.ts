import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareIds,
  csvParser,
  LineError,
  normaliseIds,
  parseNdjsonLine,
  splitCsv,
} from '../../src/domain/audience.ts';
import { createTemplateRenderer } from '../../src/domain/templates.ts';
import { templateVars } from '../../src/domain/plan-deliveries.ts';
import type { Recipient } from '../../src/domain/types.ts';

const follower = (portfolio: number): Recipient => ({
  id: 'f',
  email: 'f@example.com',
  phone: null,
  locale: null,
  timezone: null,
  attributes: { portfolio },
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('seed 000: the suggested quantity', () => {
  const renderer = createTemplateRenderer();
  const template = '{{ executedQty | times: recipient.portfolio | divided_by: traderPortfolio }}';
  const data = { executedQty: 50, traderPortfolio: 100000 };

  it('is the executed quantity times the portfolio ratio (10,000 / 100,000 = 0.1 → 5)', async () => {
    assert.equal(await renderer.render(template, templateVars({ data }, follower(10000))), '5');
    assert.equal(await renderer.render(template, templateVars({ data }, follower(250000))), '125');
    assert.equal(
      await renderer.render(`${template.slice(0, -3)} | round }}`, templateVars({ data }, follower(3333))),
      '2',
    );
  });
});

describe('audience lines', () => {
  it('reads NDJSON ids and objects, skips blank lines, and names the bad line', () => {
    assert.deepEqual(parseNdjsonLine('"ann"', 1), { id: 'ann', data: null });
    assert.deepEqual(parseNdjsonLine(' {"id":"bob","data":{"qty":3}} ', 2), { id: 'bob', data: { qty: 3 } });
    assert.equal(parseNdjsonLine('   ', 3), null);
    for (const bad of ['{', '42', '{"id":""}', '{"id":"a b"}', '{"id":"x","data":[1]}', '["a"]']) {
      assert.throws(
        () => parseNdjsonLine(bad, 7),
        (err: unknown) => err instanceof LineError && err.line === 7,
        bad,
      );
    }
  });

  it('reads CSV with a header, quoted fields and CRLF, extra columns becoming data', () => {
    const parse = csvParser('id,qty,note\r');
    assert.deepEqual(parse('ann,3,"says ""hi"", twice"\r', 2), {
      id: 'ann',
      data: { qty: '3', note: 'says "hi", twice' },
    });
    assert.deepEqual(csvParser('id')('bob', 2), { id: 'bob', data: null });
    assert.throws(() => csvParser('name,id'), LineError);
    assert.throws(() => splitCsv('"open', 4), /line 4/);
  });

  it('keeps inline lists sorted and unique, so a cursor can page through them', () => {
    assert.deepEqual(normaliseIds(['b', 'a', 'B', 'a', 'é']), ['B', 'a', 'b', 'é']);
    assert.ok(compareIds('a', 'b') < 0 && compareIds('b', 'a') > 0 && compareIds('a', 'a') === 0);
  });
});
