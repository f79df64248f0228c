import { expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createStaff, expectAccessible, staffFirstSignIn, test, waitForHydration } from './helpers';
import { waitForLink } from './mail';

const maildir = () => process.env.E2E_MAILDIR!;
const base = () => process.env.E2E_BASE_URL!;

/** With SCREENSHOTS=1, the page as README shows it (docs/screenshots). */
async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOTS) {
    await page.screenshot({ path: `../docs/screenshots/${name}.png`, fullPage: true });
  }
}

test('sales find waiting work at home, a company’s whole story, a readable access log, and analytics', async ({ browser }) => {
  test.setTimeout(120_000);
  createStaff('sol.overview@northwind-analytics.example', 'Sol Sales', 'sales', 'the overview passphrase');
  const sales = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const prospect = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await staffFirstSignIn(sales, 'sol.overview@northwind-analytics.example', 'the overview passphrase');

  // A prospect from Umbrella asks for the report and accepts the NDA.
  await prospect.goto('/documents/soc2-type-ii-report/request');
  await prospect.getByRole('link', { name: 'Continue with your work e-mail' }).click();
  await prospect.getByLabel('Work e-mail').fill('rita@umbrella.example');
  await prospect.getByLabel('Full name').fill('Rita Umbrella');
  await prospect.getByLabel('Company').fill('Umbrella');
  await prospect.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
  const signIn = await waitForLink(maildir(), 'rita@umbrella.example', `${base()}/sign-in/confirm?token=`);
  await prospect.goto(signIn);
  await prospect.getByRole('button', { name: 'Sign in' }).click();
  await prospect.getByLabel('Your role').fill('Procurement lead');
  await prospect.getByLabel('Why do you need them?').fill('Annual vendor review');
  await prospect.getByRole('button', { name: 'Request access' }).click();
  await prospect.getByLabel('Full name').fill('Rita Umbrella');
  await prospect.getByLabel('Title').fill('Procurement Lead');
  await prospect.getByLabel(/I have read this agreement/).check();
  await prospect.getByRole('button', { name: 'Accept the NDA' }).click();
  await expect(prospect.getByRole('status')).toContainText('Your request is with our team');

  // Her record of the NDA is on her page, as a PDF.
  await prospect.goto('/account');
  const recordPromise = prospect.waitForEvent('download');
  await prospect.getByRole('link', { name: 'Record (PDF)' }).first().click();
  const record = await recordPromise;
  expect(readFileSync(await record.path()).subarray(0, 5).toString()).toBe('%PDF-');

  // Sales see her request waiting on their home page, and decide it from there.
  await sales.goto('/admin');
  const waiting = sales.locator('[data-test="waiting-requests"]');
  await expect(waiting).toContainText('rita@umbrella.example');
  await expect(sales.locator('[data-test="expiring-grants"]')).toBeVisible();
  await expectAccessible(sales);
  await shot(sales, 'staff-home');
  await waiting.getByRole('link', { name: 'rita@umbrella.example' }).click();
  await sales.getByRole('button', { name: 'Approve' }).click();
  await expect(sales.getByRole('status')).toContainText('Decision recorded');

  await prospect.goto('/account');
  const downloadPromise = prospect.waitForEvent('download');
  await prospect.getByRole('button', { name: /^Download SOC 2 Type II Report/ }).click();
  await downloadPromise;

  // The company page: her, her request, grant, download and NDA acceptance.
  await sales.goto('/admin/companies');
  await sales.getByRole('link', { name: 'umbrella.example' }).click();
  await expect(sales.getByRole('heading', { level: 1 })).toHaveText('Umbrella');
  await expect(sales.locator('[data-test="people"]')).toContainText('rita@umbrella.example');
  await expect(sales.locator('[data-test="downloads"]')).toContainText('SOC 2 Type II Report');
  await expect(sales.locator('[data-test="acceptances"]')).toContainText('Rita Umbrella, Procurement Lead');
  await expectAccessible(sales);
  await shot(sales, 'company');

  // The access log: one line per event; details open on demand; the object links to its page.
  await sales.goto('/admin/audit');
  const line = sales.locator('li[data-test-event="download.completed"]').first();
  await expect(line).toContainText('rita@umbrella.example');
  await expect(line.locator('dl')).toBeHidden();
  await line.locator('summary').click();
  await expect(line.locator('dl')).toContainText('request id');
  await expect(sales.getByText(/^Entries 1–\d+ of \d+$/).first()).toBeVisible();
  await expectAccessible(sales);
  await shot(sales, 'access-log');

  // Analytics: the funnel with its table, the daily chart with a legend, narrowed to Umbrella.
  await sales.goto('/admin/analytics');
  await waitForHydration(sales);
  await sales.getByLabel('Company').selectOption('Umbrella');
  await sales.getByRole('button', { name: 'Show' }).click();
  await expect(sales.locator('[data-test="scope"]')).toHaveText('Umbrella');
  const funnel = sales.locator('[data-test="funnel-table"]');
  await expect(funnel.getByRole('row', { name: /Downloads 1/ })).toBeVisible();
  await expect(sales.locator('[data-test="analytics-chart"] text', { hasText: 'Downloads' })).toBeVisible();
  await expect(sales.locator('[data-test="analytics-chart"]').getByText('Day (UTC)')).toBeVisible();
  await expectAccessible(sales);
  await shot(sales, 'analytics');
});
