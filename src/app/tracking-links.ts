/** Tracking URLs for messages and their check on the way back, with a key of their own derived from the secret. */
import { createHash } from 'node:crypto';
import {
  signTrackingToken,
  verifyTrackingToken,
  type TrackingCheck,
  type TrackingUrls,
} from '../domain/tracking.ts';
import { lifetimeClock, type LinkLifetime } from './links.ts';

export interface TrackingLinks extends TrackingUrls {
  verify(token: string): TrackingCheck;
}

export function createTrackingLinks(
  secret: string,
  baseUrl: () => string,
  lifetime: LinkLifetime,
): TrackingLinks {
  const key = createHash('sha256').update('herald tracking tokens\u0000').update(secret).digest();
  const base = () => baseUrl().replace(/\/+$/, '');
  const clock = lifetimeClock(lifetime);
  const url = (path: string, t: Parameters<typeof signTrackingToken>[1]) =>
    `${base()}/t/${path}/${signTrackingToken(key, t, clock.expiresAt())}`;
  return {
    open: (deliveryId) => url('o', { kind: 'open', deliveryId }),
    click: (deliveryId, target) => url('c', { kind: 'click', deliveryId, url: target }),
    verify: (token) => verifyTrackingToken(key, token, clock.seconds()),
  };
}
