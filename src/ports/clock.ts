/** The time, injected: workflow windows and long delays are tested with a clock that is moved by hand. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
