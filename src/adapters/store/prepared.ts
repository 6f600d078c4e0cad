/**
 * Named (prepared) statements on PostgreSQL, for a few big statements that run many times a second
 * with the same text. Kysely sends every statement unnamed, so PostgreSQL parses, analyses and plans
 * it on each run: for the events store's statement (two recordsets, six CTEs) about 15 % of its CPU.
 * A statement whose text begins with `prepared(name)` is sent by pg as the named statement `name`
 * instead: parsed once per connection (pg remembers which names each connection has), and planned
 * by PostgreSQL's plan cache (a generic plan once it costs no more than the custom ones).
 *
 * The mark is a plain SQL comment, so PGlite (one in-process session, no pool) runs the same text
 * unnamed. A name must always carry the same text: pg refuses a name reused with other text.
 */
import { sql, type RawBuilder } from 'kysely';

const MARK = '/* prepared:';
const END = ' */';

/** Put first in a statement's text: on PostgreSQL the statement is sent as `name`, prepared. */
export const prepared = (name: string): RawBuilder<unknown> => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a statement name: ${name}`);
  return sql.raw(`${MARK}${name}${END}\n`);
};

interface QueryableClient {
  query: (...args: unknown[]) => unknown;
}

/**
 * Makes `client` (a pg client, as the pool hands it out) send the statements marked by `prepared`
 * as named statements. Kysely calls `query(text, values)`; a marked text becomes
 * `query({ name, text, values })`, everything else goes through unchanged.
 */
export function sendMarkedPrepared(client: QueryableClient): void {
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    const [text, values] = args;
    if (typeof text === 'string' && (values === undefined || Array.isArray(values))) {
      // The mark may follow the whitespace a template literal starts with.
      let at = 0;
      while (at < 64 && (text[at] === ' ' || text[at] === '\n')) at++;
      if (text.startsWith(MARK, at)) {
        const end = text.indexOf(END, at + MARK.length);
        if (end > 0) return query.call(this, { name: text.slice(at + MARK.length, end), text, values });
      }
    }
    return query.apply(this, args);
  };
}
