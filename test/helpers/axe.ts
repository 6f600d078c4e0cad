/**
 * axe-core, the accessibility engine browsers' own audits use, run inside a Playwright page. The page
 * must come from a context with `bypassCSP: true`: the dashboard's CSP rightly refuses the injected
 * script otherwise. Only violations that block or seriously hinder someone are returned.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Critical and serious violations on the page, as readable lines; `alsoRules` names rules reported at
 * any impact (duplicate landmarks, say, are only "moderate" to axe).
 */
export async function blockingViolations(
  page: Page,
  { include, alsoRules = [] }: { include?: string; alsoRules?: string[] } = {},
): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<any> } }).axe;
    const result = await axe.run(selector ?? document, { resultTypes: ['violations'] });
    return (result.violations as any[]).map((v) => ({
      id: v.id as string,
      impact: v.impact as string,
      help: v.help as string,
      targets: (v.nodes as any[]).map((n) => JSON.stringify(n.target)),
    }));
  }, include);
  return found
    .filter((v: Violation) => v.impact === 'critical' || v.impact === 'serious' || alsoRules.includes(v.id))
    .map((v: Violation) => `${v.impact} ${v.id} (${v.help}): ${v.targets.join(', ')}`);
}
