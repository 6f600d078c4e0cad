/**
 * Starting Herald loads about two thousand modules, opens the database, migrates and compiles every
 * route's schemas: one burst of long-lived allocations. V8 answers a burst like that by growing its
 * young generation to the maximum (two 32 MB semi-spaces), and the pages it touched stay resident
 * after it shrinks the space again, so an idle process carried some 60 MB it only used while starting
 * (measured with `npm run bench -- memory`). While Herald starts, the young generation keeps its
 * starting size; once started, V8 sizes it as usual, so a busy process grows it as it always did.
 *
 * V8 reads this setting each time it considers growing the space, so changing it at run time is safe.
 * An operator who sets it (NODE_OPTIONS or a node flag) keeps their own value throughout.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = 'semi-space-growth-factor';
/** V8's own default (`node --v8-options`). */
const V8_DEFAULT = 2;

const operatorSetIt = (): boolean =>
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.replaceAll('_', '-').includes(FLAG));

export function holdYoungGeneration(): void {
  if (!operatorSetIt()) setFlagsFromString(`--${FLAG}=1`);
}

export function releaseYoungGeneration(): void {
  if (!operatorSetIt()) setFlagsFromString(`--${FLAG}=${V8_DEFAULT}`);
}
