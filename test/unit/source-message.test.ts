/** Reading events out of broker messages, and the `sources` config checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { readEvent, type ReadSpec } from '../../src/domain/source-message.ts';

const msg = (
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  address = 'trade.executed',
) => ({
  body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  headers,
  address,
});

describe('readEvent', () => {
  const spec: ReadSpec = {
    eventName: { address: true },
    eventId: { header: 'message-id' },
    payload: '/data',
  };

  it('reads name, id and payload from the address, a header and a field', () => {
    const r = readEvent(spec, msg('{"data": {"traderId": 42}}', { 'message-id': 't-1' }));
    assert.deepEqual(r, {
      ok: true,
      event: { id: 't-1', name: 'trade.executed', payload: { traderId: 42 } },
    });
    const byField = readEvent(
      { eventName: { value: 'trade.executed' }, eventId: { field: '/id' } },
      msg('{"id": 7, "x": 1}'),
    );
    assert.deepEqual(byField, {
      ok: true,
      event: { id: '7', name: 'trade.executed', payload: { id: 7, x: 1 } },
    });
  });

  it('gives the reason for what cannot be an event', () => {
    const cases: [ReturnType<typeof msg>, RegExp][] = [
      [msg(new Uint8Array([0x7b, 0xff])), /not JSON/],
      [msg('{"data": {}}'), /no event id in header 'message-id'/],
      [msg('{"data": {}}', { 'message-id': 'a/b' }), /not a valid id/],
      [msg('{"data": [1]}', { 'message-id': 'a' }), /payload at '\/data' is not a JSON object/],
      [msg('{"data": {"s": "a\\u0000"}}', { 'message-id': 'a' }), /NUL character .* at \/s/],
      [msg('{"data": {}}', { 'message-id': 'a' }, ' bad name'), /not a valid event name/],
    ];
    for (const [m, reason] of cases) {
      const r = readEvent(spec, m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, reason);
    }
  });
});

describe('sources config', () => {
  const base = {
    name: 'trades',
    broker: 'rabbitmq',
    url: 'amqp://localhost',
    queue: 'q',
    service: '6f1c2d3e-0000-4000-8000-000000000001',
    eventName: { address: true },
    eventId: { header: 'message-id' },
  };
  const load = (sources: unknown[]) => loadConfig({ HERALD_CONFIG: 'x' }, () => ({ sources }));

  it('takes a valid source with its defaults', () => {
    const [s] = load([base]).sources;
    assert.equal(s?.batch, 100);
    assert.equal(s?.maxRawBytes, 65536);
  });

  it('refuses a bad source with its path, and a name used twice', () => {
    assert.throws(
      () => load([{ ...base, service: 'acme' }]),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /\/sources\/0/);
        return true;
      },
    );
    assert.throws(() => load([base, { ...base, queue: 'q2' }]), /Source name 'trades' is used twice/);
  });
});
