/** Secrets Herald makes for itself (the link-signing key when none is configured), kept in the database. */
export interface SecretStore {
  /** The named secret, made with `make` and stored the first time anyone asks (race-safe). */
  getOrCreate(name: string, make: () => string): Promise<string>;
}
