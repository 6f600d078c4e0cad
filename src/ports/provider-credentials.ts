/** Per-service provider credentials: written and listed through the API, read only by Herald itself. */
export interface ProviderCredentialInfo {
  provider: string;
  type: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderCredentialStore {
  put(
    serviceId: string,
    provider: string,
    type: string,
    credentials: Record<string, unknown>,
  ): Promise<ProviderCredentialInfo>;
  /** Names and types only: the API never returns a secret. */
  list(serviceId: string): Promise<ProviderCredentialInfo[]>;
  /** Decrypted, for building a sender; never exposed over HTTP. */
  get(
    serviceId: string,
    provider: string,
  ): Promise<{ type: string; credentials: Record<string, unknown> } | null>;
  remove(serviceId: string, provider: string): Promise<boolean>;
}
