/**
 * Splits a byte stream into lines without ever holding more than one line's worth of bytes: a line
 * that grows past the limit is refused as soon as it does, with its number, before the rest of it
 * arrives. (readline buffers a line until its newline comes, whatever its size: a 600 MiB line
 * without one threw `RangeError: Invalid string length` outside any handler and ended the process.)
 * Lines end at `\n`; a `\r` before it is dropped. Numbers count from 1, blank lines included.
 */
import { LineError } from './audience.ts';

const NEWLINE = 0x0a;

const text = (parts: Uint8Array[]): string => {
  const s = Buffer.concat(parts).toString('utf8');
  return s.endsWith('\r') ? s.slice(0, -1) : s;
};

export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<string> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let line = 0;
  const tooLong = () => new LineError(line + 1, `is longer than ${maxLineBytes} bytes`);
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      // Counted before anything is kept, so the limit holds however the bytes are split into chunks.
      if (pendingBytes + (end - start) > maxLineBytes) throw tooLong();
      if (nl === -1) {
        if (end > start) {
          // A copy: a small tail must not keep its whole chunk alive.
          pending.push(Buffer.from(chunk.subarray(start, end)));
          pendingBytes += end - start;
        }
        break;
      }
      line++;
      pending.push(chunk.subarray(start, nl));
      const out = text(pending);
      pending = [];
      pendingBytes = 0;
      yield out;
      start = nl + 1;
    }
  }
  if (pendingBytes > 0) yield text(pending);
}
