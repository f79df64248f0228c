import { expect } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaff, expectAccessible, staffFirstSignIn, test, waitForHydration } from './helpers';
import { readMails, waitForLink } from './mail';

const maildir = () => process.env.E2E_MAILDIR!;
const base = () => process.env.E2E_BASE_URL!;

async function waitForMail(address: string, text: RegExp) {
  for (let i = 0; i < 100; i++) {
    if (readMails(maildir()).some((m) => m.to.includes(address) && text.test(m.text))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${address} matching ${text}`);
}

test('a visitor asks the trust center and gets the FAQ answer, or leaves the question for the team', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.getByLabel('Your question').fill('How can we get your SOC 2 Type II report?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect(page).toHaveURL(/\/ask\?q=/);
  await expect(page.getByRole('heading', { name: 'Our approved answer' })).toBeVisible();
  await expect(page.locator('[data-test="ask-answered"]')).toContainText('usually within one business day');
  await expectAccessible(page);

  // Something the team has not answered: no answer is made up, and the question can be left.
  await page.getByLabel('Your question').fill('Do you sponsor a capture-the-flag team at DEF CON?');
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'No approved answer yet' })).toBeVisible();
  await page.getByLabel('Your e-mail').fill('ctf@buyer.example');
  await page.getByRole('button', { name: 'E-mail me the answer' }).click();
  await expect(page.getByRole('status')).toContainText('confirm the address');
  const confirm = await waitForLink(maildir(), 'ctf@buyer.example', `${base()}/ask/confirm?token=`);
  await page.goto(confirm);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status')).toContainText('Confirmed');
  await expectAccessible(page);
});

test('an approved prospect uploads their questionnaire and downloads it filled', async ({ browser }) => {
  test.setTimeout(120_000);
  createStaff('ssa@northwind-analytics.example', 'Sam Security', 'security', 'the security passphrase');
  const prospect = await (await browser.newContext({ acceptDownloads: true })).newPage();
  const dir = mkdtempSync(join(tmpdir(), 'vs-self-'));

  // Contoso's domain rule approves once the NDA is accepted.
  await prospect.goto('/sign-in');
  await waitForHydration(prospect);
  await prospect.getByLabel('Work e-mail').fill('una@contoso.example');
  await prospect.getByLabel('Full name').fill('Una Contoso');
  await prospect.getByLabel('Company').fill('Contoso');
  await prospect.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
  const signIn = await waitForLink(maildir(), 'una@contoso.example', `${base()}/sign-in/confirm?token=`);
  await prospect.goto(signIn);
  await prospect.getByRole('button', { name: 'Sign in' }).click();
  await prospect.goto('/documents/soc2-type-ii-report/request');
  await prospect.getByLabel('Your role').fill('Vendor risk analyst');
  await prospect.getByLabel('Why do you need them?').fill('Annual vendor review');
  await prospect.getByRole('button', { name: 'Request access' }).click();
  await expect(prospect).toHaveURL(/\/nda$/);
  await prospect.getByLabel('Full name').fill('Una Contoso');
  await prospect.getByLabel('Title').fill('Vendor Risk Lead');
  await prospect.getByLabel(/I have read this agreement/).check();
  await prospect.getByRole('button', { name: 'Accept the NDA' }).click();

  // Their own questionnaire, from their account page.
  const file = join(dir, 'contoso-vendor-review.csv');
  writeFileSync(
    file,
    'Question,Answer\r\n' +
      'Is multi-factor authentication required for Northwind employees and contractors accessing internal systems?,\r\n' +
      'Which brand of office chairs do you buy?,\r\n',
  );
  await prospect.goto('/account');
  await waitForHydration(prospect);
  await prospect.getByLabel('Your questionnaire (.xlsx or .csv)').setInputFiles(file);
  await prospect.getByRole('button', { name: 'Upload' }).click();
  await expect(prospect.getByRole('status')).toContainText('Uploaded');
  const item = prospect.locator('[data-test="self-serve-item"]');
  await expect(item).toContainText('contoso-vendor-review');
  await expectAccessible(prospect);

  // Security staff complete it; the prospect is told and downloads it.
  const staff = await (await browser.newContext()).newPage();
  await staffFirstSignIn(staff, 'ssa@northwind-analytics.example', 'the security passphrase');
  await staff.goto('/admin/questionnaires');
  await staff.getByRole('link', { name: 'contoso-vendor-review' }).first().click();
  await expect(staff.getByRole('button', { name: 'Mark complete' })).toBeVisible({ timeout: 60_000 });
  await staff.getByRole('button', { name: 'Mark complete' }).click();
  await expect(staff.getByRole('status')).toContainText('Marked complete');
  await waitForMail('una@contoso.example', /has completed your questionnaire/);

  await prospect.goto('/account');
  await expect(item).toHaveAttribute('data-completed', 'true');
  const downloadPromise = prospect.waitForEvent('download');
  await prospect.getByRole('button', { name: 'Download the answered file' }).click();
  const download = await downloadPromise;
  const out = join(dir, 'answered.csv');
  await download.saveAs(out);
  const text = readFileSync(out, 'utf8');
  expect(text).toContain('Okta');
  expect(text.split('\n')[2]).not.toContain('Okta');
});
