import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createSecretBox,
  parseSecretKey,
  SecretKeyError,
} from '../../src/adapters/crypto/aes-gcm-secrets.ts';

describe('AES-256-GCM secret box', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('s3cret', 'svc:a');
    const b = box.seal('s3cret', 'svc:a');
    assert.notEqual(a, b);
    assert.equal(box.open(a, 'svc:a'), 's3cret');
    assert.match(a, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses a ciphertext moved to another context, tampered with, or opened with another key', () => {
    const sealed = box.seal('s3cret', 'svc:a');
    assert.throws(() => box.open(sealed, 'svc:b'), SecretKeyError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    assert.throws(
      () => box.open([parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), 'svc:a'),
      SecretKeyError,
    );
    assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'svc:a'), SecretKeyError);
  });

  it('takes a 32-byte key in base64 or base64url and nothing else', () => {
    const k = randomBytes(32);
    assert.deepEqual(parseSecretKey(k.toString('base64')), k);
    assert.deepEqual(parseSecretKey(k.toString('base64url')), k);
    assert.throws(() => parseSecretKey(randomBytes(16).toString('base64')), SecretKeyError);
  });
});
