/** The inbox's pure rules: drafts from content, marks, recipient HMACs, and log redaction. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyPatch,
  draftFromContent,
  isLive,
  MAX_TTL_SECONDS,
  patchFor,
  type InboxItem,
} from '../../src/domain/inbox.ts';
import {
  generateInboxSecret,
  inboxKeys,
  recipientHmac,
  recipientHmacMatches,
} from '../../src/domain/inbox-secrets.ts';
import { redactUrl } from '../../src/http/inbox-auth.ts';

const now = new Date('2026-03-02T09:15:00Z');

describe('inbox domain', () => {
  it('reads a draft from rendered in-app content, with TTL and collapse key', () => {
    const d = draftFromContent(
      {
        title: 'T',
        body: 'B',
        actionUrl: 'https://x.test',
        collapseKey: 'trader:42',
        ttlSeconds: 90,
        data: { q: 3 },
      },
      now,
    );
    assert.deepEqual(d, {
      title: 'T',
      body: 'B',
      actionUrl: 'https://x.test',
      data: { q: 3 },
      collapseKey: 'trader:42',
      expiresAt: new Date(now.getTime() + 90_000),
    });
    const bare = draftFromContent({ title: 'T', body: 'B', collapseKey: '', ttlSeconds: -5, data: [1] }, now);
    assert.equal(bare.collapseKey, null);
    assert.equal(bare.expiresAt, null);
    assert.deepEqual(bare.data, {});
    const long = draftFromContent({ title: 'T', body: 'B', ttlSeconds: 10 * MAX_TTL_SECONDS }, now);
    assert.equal(long.expiresAt?.getTime(), now.getTime() + MAX_TTL_SECONDS * 1000);
  });

  it('keeps the first read and seen times, marks seen on read, and clears on unread/unarchive', () => {
    const item: InboxItem = {
      id: 'i',
      type: 't',
      title: 'T',
      body: 'B',
      actionUrl: null,
      data: {},
      collapseKey: null,
      createdAt: now,
      seenAt: null,
      readAt: null,
      archivedAt: null,
      expiresAt: new Date(now.getTime() + 1000),
    };
    const later = new Date(now.getTime() + 500);
    const read = applyPatch(item, patchFor('read', now));
    assert.equal(read.readAt, now);
    assert.equal(read.seenAt, now);
    assert.equal(applyPatch(read, patchFor('read', later)).readAt, now);
    assert.equal(applyPatch(read, patchFor('unread', later)).readAt, null);
    assert.equal(applyPatch(read, patchFor('unread', later)).seenAt, now);
    const archived = applyPatch(item, patchFor('archive', later));
    assert.equal(archived.archivedAt, later);
    assert.equal(applyPatch(archived, patchFor('unarchive', later)).archivedAt, null);
    assert.equal(isLive(item, later), true);
    assert.equal(isLive(item, new Date(now.getTime() + 1000)), false);
  });

  it('matches recipient HMACs exactly, in constant shape, and nothing else', () => {
    const secret = generateInboxSecret();
    assert.match(secret, /^his_[A-Za-z0-9_-]{43}$/);
    const good = recipientHmac(inboxKeys(secret).hmacKey, 'ann');
    // The secret itself is not the HMAC key.
    assert.equal(recipientHmacMatches(secret, 'ann', recipientHmac(secret, 'ann')), false);
    assert.equal(recipientHmacMatches(secret, 'ann', good), true);
    assert.equal(recipientHmacMatches(secret, 'ann', good.toUpperCase()), true);
    assert.equal(recipientHmacMatches(secret, 'bob', good), false);
    assert.equal(recipientHmacMatches(generateInboxSecret(), 'ann', good), false);
    assert.equal(recipientHmacMatches(secret, 'ann', good.slice(0, 63)), false);
    assert.equal(recipientHmacMatches(secret, 'ann', 'zz' + good.slice(2)), false);
  });

  it('redacts tickets from logged URLs and leaves the rest', () => {
    assert.equal(
      redactUrl('/v1/inbox/stream?ticket=hit_abc&since=4'),
      '/v1/inbox/stream?ticket=[redacted]&since=4',
    );
    assert.equal(
      redactUrl('/v1/inbox/events?since=4&TICKET=hit_abc'),
      '/v1/inbox/events?since=4&TICKET=[redacted]',
    );
    assert.equal(redactUrl('/v1/inbox/items?limit=5'), '/v1/inbox/items?limit=5');
  });
});
