import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineError } from '../../src/domain/audience.ts';
import { splitLines } from '../../src/domain/lines.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}
const all = async (it: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const s of it) out.push(s);
  return out;
};

describe('splitLines', () => {
  it('joins lines split across chunks, drops \\r before \\n, keeps blank lines and a last line without \\n', async () => {
    assert.deepEqual(await all(splitLines(chunks('ab', 'c\r\n\nd', 'é\r', '\nlast'), 10)), [
      'abc',
      '',
      'dé',
      'last',
    ]);
  });

  it('splits a multi-byte character across chunks without mangling it', async () => {
    const bytes = Buffer.from('né\n');
    async function* split() {
      yield bytes.subarray(0, 2);
      yield bytes.subarray(2);
    }
    assert.deepEqual(await all(splitLines(split(), 10)), ['né']);
  });

  it('allows exactly the cap and refuses one byte more, naming the line, before its end arrives', async () => {
    assert.deepEqual(await all(splitLines(chunks('12345\n'), 5)), ['12345']);
    let pulled = 0;
    async function* endless() {
      yield Buffer.from('ok\n');
      for (;;) {
        pulled++;
        yield Buffer.from('xx');
      }
    }
    await assert.rejects(all(splitLines(endless(), 5)), (err: unknown) => {
      assert.ok(err instanceof LineError);
      assert.equal(err.line, 2);
      return true;
    });
    assert.equal(pulled, 3, 'stopped at the chunk that crossed the cap');
  });
});
