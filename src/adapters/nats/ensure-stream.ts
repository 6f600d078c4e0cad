/**
 * Makes a JetStream stream when it is missing. Two makers can race (a source and a publisher of the
 * same stream starting together, or two Herald processes): the loser's `add` is refused ("subjects
 * overlap with an existing stream") although the stream it wanted now exists, so a refused `add` is
 * followed by one more look before the refusal counts.
 */
import { StorageType, type JetStreamManager } from '@nats-io/jetstream';

export async function ensureStream(
  jsm: JetStreamManager,
  stream: { name: string; subjects: string[] },
): Promise<void> {
  const exists = () =>
    jsm.streams.info(stream.name).then(
      () => true,
      () => false,
    );
  if (await exists()) return;
  try {
    await jsm.streams.add({ name: stream.name, subjects: stream.subjects, storage: StorageType.File });
  } catch (err) {
    if (!(await exists())) throw err;
  }
}
