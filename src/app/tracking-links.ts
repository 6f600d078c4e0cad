/** Tracking URLs for messages and their check on the way back, with a key of their own derived from the secret. */
import { createHash } from 'node:crypto';
import {
  signTrackingToken,
  verifyTrackingToken,
  type TrackingToken,
  type TrackingUrls,
} from '../domain/tracking.ts';

export interface TrackingLinks extends TrackingUrls {
  verify(token: string): TrackingToken | null;
}

export function createTrackingLinks(secret: string, baseUrl: () => string): TrackingLinks {
  const key = createHash('sha256').update('herald tracking tokens\u0000').update(secret).digest();
  const base = () => baseUrl().replace(/\/+$/, '');
  return {
    open: (deliveryId) => `${base()}/t/o/${signTrackingToken(key, { kind: 'open', deliveryId })}`,
    click: (deliveryId, url) => `${base()}/t/c/${signTrackingToken(key, { kind: 'click', deliveryId, url })}`,
    verify: (token) => verifyTrackingToken(key, token),
  };
}
