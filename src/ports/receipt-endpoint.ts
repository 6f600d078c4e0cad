/**
 * One configured provider's receipt endpoint (`POST /v1/receipts/{name}`): it authenticates a request
 * by the provider's own signature scheme and reads the receipts in it. Each provider module that takes
 * receipts builds one per configured entry; the route only finds the endpoint by name and applies what
 * it returns.
 */
import type { Receipt } from './receipts.ts';

/** A receipt request as the route received it. */
export interface ReceiptRequest {
  /** The URL the provider called: Herald's public URL (when set) followed by the path and query. */
  url: string;
  header: (name: string) => string | undefined;
  /** The body exactly as received: signatures cover these bytes. */
  raw: string;
}

export interface ReceiptEndpoint {
  /**
   * The receipts in an authenticated request (none for an event Herald does not track). Throws a
   * HeraldError: `unauthorized` (401) for a missing, wrong or stale signature, `malformed` (400) for
   * a body that cannot be read. Nothing is applied when it throws.
   */
  read(request: ReceiptRequest): Promise<Receipt[]>;
}
