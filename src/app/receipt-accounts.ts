/**
 * Which service's own provider account may have reported on a delivery. A service that sends through
 * a configured provider with its own credentials (PUT /v1/providers/{name}/credentials) gets that
 * account's receipts: Twilio signs a status callback with the token of the account that sent the
 * message, which is the service's, not the operator's. Only services holding a delivery under that
 * message id are asked, and only credentials for the account the callback names are tried.
 */
import type { ProviderCredentialStore } from '../ports/provider-credentials.ts';
import type { ReceiptStore } from '../ports/receipts.ts';

export function ownTwilioAccounts(
  receipts: Pick<ReceiptStore, 'servicesFor'>,
  credentials: Pick<ProviderCredentialStore, 'get'>,
) {
  return async (
    provider: string,
    messageSid: string,
    accountSid: string,
  ): Promise<{ serviceId: string; authToken: string }[]> => {
    const out: { serviceId: string; authToken: string }[] = [];
    for (const serviceId of await receipts.servicesFor(provider, messageSid)) {
      const own = await credentials.get(serviceId, provider);
      const { accountSid: account, authToken } = own?.credentials ?? {};
      if (own?.type === 'twilio' && account === accountSid && typeof authToken === 'string')
        out.push({ serviceId, authToken });
    }
    return out;
  };
}
