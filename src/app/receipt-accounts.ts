/**
 * Which service's own provider account may have reported on a delivery. A service that sends through
 * a configured provider with its own credentials (PUT /v1/providers/{name}/credentials) gets that
 * account's receipts: a provider signs a receipt with the account that sent the message, which is the
 * service's, not the operator's. Only services holding a delivery under that message id are asked;
 * the provider's receipt endpoint decides which of their credentials to try.
 */
import type { ProviderCredentialStore } from '../ports/provider-credentials.ts';
import type { ReceiptStore } from '../ports/receipts.ts';

export function ownCredentials(
  receipts: Pick<ReceiptStore, 'servicesFor'>,
  credentials: Pick<ProviderCredentialStore, 'get'>,
) {
  return async (
    provider: string,
    messageId: string,
  ): Promise<{ serviceId: string; type: string; credentials: Record<string, unknown> }[]> => {
    const out: { serviceId: string; type: string; credentials: Record<string, unknown> }[] = [];
    for (const serviceId of await receipts.servicesFor(provider, messageId)) {
      const own = await credentials.get(serviceId, provider);
      if (own) out.push({ serviceId, ...own });
    }
    return out;
  };
}
