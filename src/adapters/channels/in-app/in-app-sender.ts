/**
 * The `in_app` channel's provider: Herald's own inbox. Delivering means writing the item (and its
 * events) to the database; the realtime bus then tells the API processes holding the recipient's
 * sockets. A re-sent delivery finds its item and adds nothing, so lane retries cannot duplicate.
 */
import type { Sender, OutgoingMessage } from '../../../ports/sender.ts';

/**
 * `deliver` group-commits (app/inbox.ts `inboxDeliverer`): the sends in flight together are one
 * transaction. `groupsSends` tells the lane how many to keep in flight; it matches the deliverer's
 * largest batch (500 by default).
 */
export function createInAppSender(
  deliver: (m: OutgoingMessage<'in_app'>) => Promise<string>,
  groupsSends = 500,
): Sender<'in_app'> {
  return {
    name: 'inbox',
    channel: 'in_app',
    groupsSends,
    async send(m) {
      return { providerMessageId: await deliver(m) };
    },
  };
}
