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
import { runInNewContext } from 'node:vm';

/** V8's own default (`node --v8-options`); set to it, the flag no longer counts as set. */
const V8_DEFAULT = 2;

const operatorSetIt = (): boolean =>
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /semi.space.growth/.test(a));

export function releaseYoungGeneration(): void {
  if (!operatorSetIt()) setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT}`);
}

/**
 * One full collection once Herald has started. Starting leaves some 10 MB of garbage in the old
 * generation (parsed schemas and migration text, compiled route validators' intermediates, the
 * first queries' rows), and an idle process allocates too little ever to start a major collection
 * that would free it: V8's memory reducer only runs after one. `gc` is reached through a new context
 * with `--expose-gc` set for that moment only, so no code sees it and V8's flags, and with them the
 * compile cache's key for modules loaded later, are what they were.
 */
export function collectStartingGarbage(): void {
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
