import { expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaff, expectAccessible, staffFirstSignIn, test, waitForHydration } from './helpers';
import { readMails, waitForLink } from './mail';

const maildir = () => process.env.E2E_MAILDIR!;
const base = () => process.env.E2E_BASE_URL!;

async function waitForMail(address: string, subject: RegExp) {
  for (let i = 0; i < 100; i++) {
    const mail = readMails(maildir()).find((m) => m.to.includes(address) && subject.test(m.text));
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${address} matching ${subject}`);
}

test('request, NDA, sales approval, stamped download, access log, and revocation', async ({ browser }) => {
  test.setTimeout(90_000);
  createStaff('sasha@northwind-analytics.example', 'Sasha Sales', 'sales', 'the sales passphrase');
  const prospect = await (await browser.newContext({ acceptDownloads: true })).newPage();
  const sales = await (await browser.newContext()).newPage();
  await staffFirstSignIn(sales, 'sasha@northwind-analytics.example', 'the sales passphrase');

  // The prospect starts from the restricted report on the public page.
  await prospect.goto('/');
  await waitForHydration(prospect);
  await prospect.locator('[data-test-document="soc2-type-ii-report"]').getByRole('link', { name: /Request access/ }).click();
  await prospect.getByRole('link', { name: 'Continue with your work e-mail' }).click();
  await prospect.getByLabel('Work e-mail').fill('ivy@initech.example');
  await prospect.getByLabel('Full name').fill('Ivy Initech');
  await prospect.getByLabel('Company').fill('Initech');
  await prospect.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
  await expect(prospect.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();
  const signIn = await waitForLink(maildir(), 'ivy@initech.example', `${base()}/sign-in/confirm?token=`);
  await prospect.goto(signIn);
  await prospect.getByRole('button', { name: 'Sign in' }).click();

  // Back on the request page, now with the form.
  await expect(prospect).toHaveURL(/\/documents\/soc2-type-ii-report\/request$/);
  await expect(prospect.getByLabel('SOC 2 Type II Report — FY', { exact: false })).toBeChecked();
  await prospect.getByLabel('Your role').fill('Vendor risk analyst');
  await prospect.getByLabel('Why do you need them?').fill('Security review before renewal');
  await prospect.getByRole('button', { name: 'Request access' }).click();

  // The NDA, read in full and accepted by typed name and title.
  await expect(prospect).toHaveURL(/\/nda$/);
  await expect(prospect.getByRole('heading', { level: 2, name: '5. Restricted-use reports' })).toBeVisible();
  await expectAccessible(prospect);
  await prospect.getByLabel('Full name').fill('Ivy Initech');
  await prospect.getByLabel('Title').fill('Head of Vendor Risk');
  await prospect.getByLabel(/I have read this agreement/).check();
  await prospect.getByRole('button', { name: 'Accept the NDA' }).click();
  await expect(prospect.getByRole('status')).toContainText('Your request is with our team');
  await waitForMail('ivy@initech.example', /record of the/i);

  // Sales get a mail with a link to the request, and approve it.
  const review = await waitForLink(maildir(), 'sasha@northwind-analytics.example', `${base()}/admin/requests/`);
  await sales.goto(review);
  await expect(sales.getByRole('heading', { level: 1 })).toContainText('Ivy Initech');
  await expect(sales.getByText('Security review before renewal')).toBeVisible();
  await expectAccessible(sales);
  await sales.getByRole('button', { name: 'Approve' }).click();
  await expect(sales.getByRole('status')).toContainText('Decision recorded');

  // The prospect is told, and downloads a copy stamped for them.
  await waitForMail('ivy@initech.example', /You now have access/);
  await prospect.goto('/account');
  const downloadPromise = prospect.waitForEvent('download');
  await prospect.getByRole('button', { name: /^Download SOC 2 Type II Report/ }).click();
  const download = await downloadPromise;
  const file = join(mkdtempSync(join(tmpdir(), 'vs-dl-')), 'report.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', [file, '-']).toString();
  expect(text).toContain('ivy@initech.example');
  expect(text).toContain('Initech');
  const id = /Download ID ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)?.[1];
  expect(id).toBeTruthy();
  await waitForMail('ivy@initech.example', new RegExp(id!));

  // The staff log shows it.
  await sales.goto('/admin/audit?event=download');
  await expect(sales.locator('li[data-test-event="download.started"]').first()).toContainText('ivy@initech.example');
  await expect(sales.locator('li[data-test-event="download.completed"]').first()).toContainText(id!);

  // A link issued before revocation no longer works after it.
  const issued = await prospect.request.post('/documents/soc2-type-ii-report/get', {
    maxRedirects: 0,
    headers: { Origin: new URL(prospect.url()).origin },
  });
  expect(issued.status()).toBe(303);
  const link = issued.headers()['location'];
  expect(link).toMatch(/^\/download\//);
  await sales.goto('/admin/grants');
  const grant = sales.locator('tr[data-test-grant]').filter({ hasText: 'ivy@initech.example' });
  await grant.getByText('Extend or revoke').click();
  await grant.getByLabel('Reason (sent to them)').fill('Evaluation finished');
  await grant.getByLabel('End their access now').check();
  await grant.getByRole('button', { name: 'Revoke access' }).click();
  await expect(sales.getByRole('status')).toContainText('Access revoked');
  await prospect.goto(link);
  await expect(prospect).toHaveURL(/\/account$/);
  await expect(prospect.getByRole('alert')).toContainText('Your access to this document was revoked');
  await expect(prospect.getByText('Revoked', { exact: false }).first()).toBeVisible();
});
