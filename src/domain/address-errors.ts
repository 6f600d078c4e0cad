/**
 * Permanent send failures that say the *address* is dead, not just this message: an unregistered
 * device token, an expired web push subscription. The engine deactivates the address on these codes so
 * no later notification tries it again. Every provider classifier uses these exact codes.
 */
export const ADDRESS_GONE_CODES = ['token_unregistered', 'token_invalid', 'subscription_gone'] as const;
export type AddressGoneCode = (typeof ADDRESS_GONE_CODES)[number];

export function addressIsGone(code: string): code is AddressGoneCode {
  return (ADDRESS_GONE_CODES as readonly string[]).includes(code);
}
