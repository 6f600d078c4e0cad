/**
 * Starting Herald loads about two thousand modules, opens the database, migrates and compiles every
 * route's schemas: one burst of long-lived allocations. V8 answers a burst like that by growing its
 * young generation to the maximum (two 32 MB semi-spaces), and the pages it touched stay resident
 * after it shrinks the space again, so an idle embedded Herald carried some 60–90 MB it used only
 * while starting (`npm run bench -- memory`). So `bin/herald.js` keeps the young generation at its
 * starting size (`--semi-space-growth-factor=1`) while Herald starts, and this puts V8's own sizing
 * back once it has started: a busy process grows the space as it always did.
 *
 * V8 reads the factor each time it considers growing the space, so changing it at run time takes
 * effect at the next scavenge. An operator who sets it (NODE_OPTIONS or a node flag) keeps their own.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's own default (`node --v8-options`); set to it, the flag no longer counts as set. */
const V8_DEFAULT = 2;

const operatorSetIt = (): boolean =>
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /semi.space.growth/.test(a));

export function releaseYoungGeneration(): void {
  if (!operatorSetIt()) setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT}`);
}
