/** Template locale fallback: `fr-CA` → `fr-CA`, `fr`, `default` (RFC 4647 lookup, truncating subtags). */
export const DEFAULT_LOCALE = 'default';

export function localeChain(locale: string | null | undefined): string[] {
  const chain: string[] = [];
  if (locale) {
    let tag: string;
    try {
      tag = Intl.getCanonicalLocales(locale)[0] ?? locale;
    } catch {
      tag = locale;
    }
    const parts = tag.split('-');
    for (let n = parts.length; n > 0; n--) {
      // A lone single-letter subtag (an extension singleton like `-u-`) is never a locale on its own.
      if (parts[n - 1]?.length === 1) continue;
      chain.push(parts.slice(0, n).join('-'));
    }
  }
  chain.push(DEFAULT_LOCALE);
  return chain;
}

/** The first locale in the chain that has a template, from the locales that do. */
export function pickLocale(locale: string | null | undefined, available: Iterable<string>): string | null {
  const have = new Set(available);
  return localeChain(locale).find((l) => have.has(l)) ?? null;
}
