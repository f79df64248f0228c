import AxeBuilder from '@axe-core/playwright';
import { test as base, Browser, BrowserContext, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { totp } from './totp';

/** Waits until the WASM bundle has run; clicking server HTML before that is a classic flake. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

/** Collects console errors and failed requests so a test can assert there were none. */
export function trackErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
  });
  return errors;
}

/** Creates a staff account with the real CLI, password on standard input. */
export function createStaff(email: string, name: string, role: string, password: string) {
  execFileSync(process.env.E2E_BIN ?? '../target/debug/vouchsafe', ['user', 'create', '--email', email, '--name', name, '--role', role], {
    env: { ...process.env, VOUCHSAFE_DATA_DIR: process.env.E2E_DATA_DIR!, RUST_LOG: 'warn' },
    input: `${password}\n`,
  });
}

/** First sign-in of a staff member: password, authenticator enrolment, recovery codes. */
export async function staffFirstSignIn(page: Page, email: string, password: string) {
  await page.goto('/staff/sign-in');
  await waitForHydration(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Set up two-factor authentication' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await page.locator('[data-test="totp-secret"]').textContent())!.trim();
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  await expect(page.locator('[data-test="recovery-codes"] li')).toHaveCount(10);
  await page.getByRole('link', { name: 'I have saved them' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  return secret;
}


/** Fails on any WCAG 2.1 A or AA violation axe finds on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`,
  );
  expect(found, `axe on ${page.url()}`).toEqual([]);
}

/** Addresses that are not pages: downloads, files and feeds. */
function isPage(url: string, origin: string): boolean {
  if (!url.startsWith(origin)) return false;
  const path = new URL(url).pathname;
  return !/^\/(download|branding|pkg|api)\//.test(path) && !/\.(pdf|csv|xlsx|json|atom|png|svg|txt)$/.test(path);
}

/**
 * Every test runs axe on every page it visited: each page of each browser context (the default
 * one and those the test opens) is remembered as it loads, and when the test has passed, each
 * address is opened again in its own context (so with its cookies) and must have no WCAG 2.1 A
 * or AA violation. A page opened again after the test may show a later state (a request
 * decided, access revoked); that state is a page a person sees too.
 */
export const test = base.extend<{ axeEveryPage: void }>({
  axeEveryPage: [
    async ({ browser, context, baseURL }, use, testInfo) => {
      const origin = new URL(baseURL!).origin;
      const visited = new Map<BrowserContext, Set<string>>();
      const watch = (ctx: BrowserContext) => {
        visited.set(ctx, new Set());
        const onPage = (page: Page) =>
          page.on('framenavigated', (frame) => {
            if (frame === page.mainFrame() && isPage(frame.url(), origin)) visited.get(ctx)!.add(frame.url());
          });
        ctx.pages().forEach(onPage);
        ctx.on('page', onPage);
      };
      watch(context);
      const b = browser as Browser & { newContext: Browser['newContext'] };
      const original = b.newContext.bind(b);
      b.newContext = async (options) => {
        const ctx = await original(options);
        watch(ctx);
        return ctx;
      };
      await use();
      b.newContext = original;
      if (testInfo.status !== testInfo.expectedStatus) return;
      for (const [ctx, urls] of visited) {
        if (urls.size === 0) continue;
        // A context of its own with the same cookies, and JavaScript on (axe runs in the page,
        // even for a test that browsed without it).
        let state;
        try {
          state = await ctx.storageState();
        } catch {
          continue; // the test closed this context
        }
        const checker = await original({ storageState: state, javaScriptEnabled: true });
        const page = await checker.newPage();
        for (const url of urls) {
          const res = await page.goto(url);
          if (!res || !(res.headers()['content-type'] ?? '').includes('text/html')) continue;
          await expectAccessible(page);
        }
        await checker.close();
      }
    },
    { auto: true },
  ],
});
