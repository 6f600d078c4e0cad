/**
 * The contract every `Sender` keeps, whatever the provider: given the sender, a fake that speaks the
 * provider's wire protocol, and how that provider says each thing, the same cases must hold. A sender
 * resolves on acceptance with the provider's message id, and otherwise throws a `ProviderError` whose
 * kind tells the engine what to do: `permanent` (give up), `transient` (retry), `rate_limited` (retry
 * no sooner than `Retry-After`). A timeout is transient and leaves the sender usable; a dead address
 * or device token is permanent, and the push-like channels name it with an address-gone code so the
 * engine deactivates it. A case a provider cannot have is skipped with its reason, never silently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { addressIsGone } from '../../src/domain/address-errors.ts';
import type { Channel } from '../../src/domain/channels.ts';
import type { ChannelContent } from '../../src/domain/content.ts';
import { ProviderError, type OutgoingMessage, type Sender } from '../../src/ports/sender.ts';

/** A running sender with its fake. */
export interface SenderRig {
  sender: Sender;
  /** An address the fake accepts (providers that issue addresses make a fresh one each time). */
  address(): string;
  /** The fake answers the next request this way (a name from the fake's own scenarios, or `hang`). */
  answer(scenario: string): void;
  /** Requests (or messages) the fake has received so far. */
  received(): number;
  close(): Promise<void>;
}

/** How the provider says one thing: a scenario of its fake, or an address it refuses. */
export interface ErrorCase {
  /** The fake's scenario for the next request; absent when the address alone brings the answer. */
  scenario?: string;
  /** The address to send to, when it differs from `rig.address()`. */
  to?(rig: SenderRig): string;
  /** The code the sender must classify the answer as. */
  code: string;
}

/** A case this provider cannot have, and why. */
export interface Skipped {
  skip: string;
}

interface ContractCases {
  provider: string;
  start(): Promise<SenderRig>;
  /** The provider's message id on acceptance; null when the provider returns none. */
  messageId: RegExp | null;
  permanent: ErrorCase | Skipped;
  transient: ErrorCase | Skipped;
  /** Rate limited, with a `Retry-After` of `retryAfterMs` the error must carry. */
  rateLimited: (ErrorCase & { retryAfterMs: number }) | Skipped;
  /** The provider never answers; the sender's own timeout must end the attempt. */
  timeout: ErrorCase | Skipped;
  /** The address or device token is dead (or invalid) for good. */
  gone: (ErrorCase & { deactivates: boolean }) | Skipped;
}

/** The cases, with the provider's channel and content for that channel as the planner makes it. */
export type SenderContract = {
  [C in Channel]: ContractCases & { channel: C; content: ChannelContent[C] };
}[Channel];

const skipped = (c: object): c is Skipped => 'skip' in c;

function message(c: SenderContract, to: string): OutgoingMessage {
  // A contract pairs its channel with that channel's content; TypeScript cannot follow the pair here.
  return {
    deliveryId: randomUUID(),
    notificationId: randomUUID(),
    serviceId: randomUUID(),
    channel: c.channel,
    to,
    content: c.content,
  } as OutgoingMessage;
}

async function refusal(send: Promise<unknown>): Promise<ProviderError> {
  const err = await send.then(
    (r) => assert.fail(`expected a refusal, the sender resolved with ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError, `a ProviderError, got ${String(err)}`);
  return err;
}

/** Defines the contract's tests for one provider. `skip` skips the whole provider with its reason. */
export function senderContract(c: SenderContract, skip: string | false = false): void {
  describe(`sender contract: ${c.provider}`, { skip, timeout: 60_000 }, () => {
    let rig: SenderRig;
    before(async () => {
      rig = await c.start();
    });
    after(async () => {
      await rig?.sender.close?.();
      await rig?.close();
    });

    const failing = (
      title: string,
      k: ErrorCase | Skipped,
      check: (err: ProviderError, k: ErrorCase) => void,
    ) => {
      if (skipped(k)) {
        it(title, { skip: k.skip }, () => undefined);
        return;
      }
      it(title, async () => {
        if (k.scenario) rig.answer(k.scenario);
        const before = rig.received();
        const to = k.to?.(rig) ?? rig.address();
        const err = await refusal(rig.sender.send(message(c, to)));
        assert.equal(err.code, k.code, err.message);
        check(err, k);
        assert.ok(rig.received() > before, 'the answer came from the provider');
        // One refusal does not spoil the next message.
        const ok = await rig.sender.send(message(c, rig.address()));
        assert.ok(ok.providerMessageId === null || typeof ok.providerMessageId === 'string');
      });
    };

    it('names itself and its channel', () => {
      assert.equal(rig.sender.name, c.provider);
      assert.equal(rig.sender.channel, c.channel);
    });

    it('accepted: resolves with the provider’s message id once the provider took it', async () => {
      const before = rig.received();
      const result = await rig.sender.send(message(c, rig.address()));
      if (c.messageId) assert.match(result.providerMessageId ?? '', c.messageId);
      else assert.equal(result.providerMessageId, null);
      assert.ok(rig.received() > before, 'the fake received the message');
    });

    failing('permanent refusal: kind permanent, not retried', c.permanent, (err) => {
      assert.equal(err.kind, 'permanent');
    });

    failing('transient failure: kind transient, retried', c.transient, (err) => {
      assert.equal(err.kind, 'transient');
    });

    failing('rate limited: kind rate_limited, carrying Retry-After', c.rateLimited, (err, k) => {
      assert.equal(err.kind, 'rate_limited');
      const asked = (k as ErrorCase & { retryAfterMs: number }).retryAfterMs;
      assert.ok((err.retryAfterMs ?? 0) >= asked, `retryAfterMs ${err.retryAfterMs}, asked ${asked}`);
    });

    failing('timeout: transient, and the sender stays usable', c.timeout, (err) => {
      assert.equal(err.kind, 'transient');
    });

    failing('token gone / invalid address: permanent, with the right address code', c.gone, (err, k) => {
      assert.equal(err.kind, 'permanent');
      const deactivates = (k as ErrorCase & { deactivates: boolean }).deactivates;
      assert.equal(addressIsGone(err.code), deactivates, `${err.code} deactivates the address`);
    });
  });
}
