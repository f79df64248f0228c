import { expect, Page } from '@playwright/test';
import { createStaff, staffFirstSignIn, test, waitForHydration } from './helpers';
import { waitForLink } from './mail';
import { totp } from './totp';

const maildir = () => process.env.E2E_MAILDIR!;

test('a prospect signs in with the link from their e-mail', async ({ page }) => {
  await page.goto('/sign-in');
  await waitForHydration(page);
  await page.getByLabel('Work e-mail').fill('pat@contoso.example');
  await page.getByLabel('Full name').fill('Pat Prospect');
  await page.getByLabel('Company').fill('Contoso');
  await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();

  const link = await waitForLink(maildir(), 'pat@contoso.example', `${process.env.E2E_BASE_URL}/sign-in/confirm?token=`);
  await page.goto(link);
  await expect(page.getByText('You are signing in as')).toContainText('pat@contoso.example');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hello, Pat Prospect');

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This link cannot be used' })).toBeVisible();
});

test('staff sign in with a password and a TOTP code', async ({ page }) => {
  createStaff('sam@northwind-analytics.example', 'Sam Security', 'security', 'a long security passphrase');
  const secret = await staffFirstSignIn(page, 'sam@northwind-analytics.example', 'a long security passphrase');

  // Later sign-ins ask for a code from the app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/staff/sign-in');
  await page.getByLabel('E-mail').fill('sam@northwind-analytics.example');
  await page.getByLabel('Password').fill('a long security passphrase');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
  // The code from enrolment was used in this time step; the next step's code is fresh.
  await page.getByLabel('Code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome, Sam Security');
});

test('deactivated staff are thrown out on their next request', async ({ browser }) => {
  createStaff('ada@northwind-analytics.example', 'Ada Admin', 'admin', 'the admin passphrase');
  createStaff('sol@northwind-analytics.example', 'Sol Sales', 'sales', 'the sales passphrase');
  const admin = await (await browser.newContext()).newPage();
  const sales = await (await browser.newContext()).newPage();
  await staffFirstSignIn(admin, 'ada@northwind-analytics.example', 'the admin passphrase');
  await staffFirstSignIn(sales, 'sol@northwind-analytics.example', 'the sales passphrase');

  await admin.goto('/admin/staff');
  await waitForHydration(admin);
  const row = admin.locator('tr[data-test-staff="sol@northwind-analytics.example"]');
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await expect(admin.getByRole('status')).toContainText('Account deactivated');
  await expect(row).toContainText('Deactivated');

  await sales.goto('/admin');
  await expect(sales).toHaveURL(/\/staff\/sign-in$/);
  await expect(sales.getByRole('heading', { name: 'Staff sign-in' })).toBeVisible();
});
