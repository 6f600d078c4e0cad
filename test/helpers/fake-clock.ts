import type { Clock } from '../../src/ports/clock.ts';

/** A clock that stands still until the test moves it. */
export function fakeClock(start = new Date()): Clock & { advance(ms: number): void; set(t: Date): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
    set(at) {
      t = at.getTime();
    },
  };
}
