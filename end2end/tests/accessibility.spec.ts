import { expect, Page } from '@playwright/test';
import { createStaff, expectAccessible, staffFirstSignIn, test, waitForHydration } from './helpers';
import { waitForLink } from './mail';

// axe (WCAG 2.1 A and AA) over every kind of page a visitor, a prospect and staff reach. The
// other specs check the pages of their own flows as they go.

const maildir = () => process.env.E2E_MAILDIR!;
const base = () => process.env.E2E_BASE_URL!;

/** Opens `path` and runs axe over it (as rendered: pages without islands never hydrate). */
async function check(page: Page, path: string) {
  await page.goto(path, { waitUntil: 'load' });
  await expectAccessible(page);
}

test('public pages and a prospect’s pages pass axe', async ({ page }) => {
  test.setTimeout(90_000);
  for (const path of ['/', '/documents/soc2-type-ii-report/request', '/documents/all/request', '/sign-in', '/sign-in/check-email', '/sign-in/check-email?personal=1', '/staff/sign-in', '/staff/reset', '/updates/subscription?state=check', '/vulnerability-disclosure', '/ask?q=encryption', '/no-such-page']) {
    await check(page, path);
  }
  await page.goto('/sign-in?next=/documents/soc2-type-ii-report/request');
  await waitForHydration(page);
  await page.getByLabel('Work e-mail').fill('axel@contoso.example');
  await page.getByLabel('Full name').fill('Axel Prospect');
  await page.getByLabel('Company').fill('Contoso');
  await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
  const link = await waitForLink(maildir(), 'axel@contoso.example', `${base()}/sign-in/confirm?token=`);
  await page.goto(link);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/request$/);
  await waitForHydration(page);
  await expectAccessible(page);
  for (const path of ['/account', '/nda']) {
    await check(page, path);
  }
});

test('every staff page passes axe', async ({ page }) => {
  test.setTimeout(180_000);
  createStaff('alex@northwind-analytics.example', 'Alex Admin', 'admin', 'the admin passphrase');
  await staffFirstSignIn(page, 'alex@northwind-analytics.example', 'the admin passphrase');
  const pages = [
    '/admin', '/admin/sessions', '/admin/staff', '/admin/requests', '/admin/grants', '/admin/companies',
    '/admin/rules', '/admin/nda', '/admin/audit', '/admin/analytics', '/admin/leak-trace', '/admin/documents',
    '/admin/content', '/admin/content/profile', '/admin/content/preview', '/admin/content/controls/new',
    '/admin/content/subprocessors/new', '/admin/content/faq/new', '/admin/content/soc2/new',
    '/admin/content/frameworks/new', '/admin/updates', '/admin/kb', '/admin/kb/new', '/admin/kb/hygiene',
    '/admin/questionnaires', '/admin/integrations', '/admin/no-such-page',
  ];
  for (const path of pages) {
    await check(page, path);
  }
  // Pages of one record: the first of each list.
  for (const [list, pattern] of [
    ['/admin/content', /^\/admin\/content\/(controls|subprocessors|faq|soc2|frameworks)\/\d+$/],
    ['/admin/kb', /^\/admin\/kb\/\d+$/],
    ['/admin/nda', /^\/admin\/nda\/\d+$/],
    ['/admin/companies', /^\/admin\/companies\/\d+$/],
  ] as const) {
    await page.goto(list);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const seen = new Set<string>();
    for (const href of hrefs.filter((h) => pattern.test(h))) {
      const kind = href.replace(/\/\d+$/, '');
      if (seen.has(kind)) continue;
      seen.add(kind);
      await check(page, href);
    }
    expect(seen.size, `records linked from ${list}`).toBeGreaterThan(0);
  }
});
