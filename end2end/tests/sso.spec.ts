import { expect, test } from '@playwright/test';
import { expectAccessible, trackErrors, waitForHydration } from './helpers';

// Staff single sign-on in Chromium against a real OpenID provider (oidc/provider.mjs, npm
// oidc-provider with its development login and consent pages; people in oidc/users.json).

async function signInAtProvider(page: import('@playwright/test').Page, login: string) {
  await page.goto('/staff/sign-in');
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Sign in with Northwind SSO' }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:3133\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').first().click();
  // Consent, the first time this person uses the client.
  const consent = page.locator('button[autofocus]');
  if (await consent.isVisible().catch(() => false)) {
    await consent.click();
  }
}

test('a new staff member signs in with the identity provider and gets the mapped role', async ({ page }) => {
  const errors = trackErrors(page);
  await signInAtProvider(page, 'grace');
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome, Grace Security');
  // The security role (content, knowledge base) and no two-factor prompt: the provider did that.
  await page.goto('/admin/kb');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(errors.filter((e) => e.includes('127.0.0.1:3131'))).toEqual([]);
});

test('someone whose groups map to no role is refused with the reason', async ({ page }) => {
  await signInAtProvider(page, 'mallory');
  await expect(page).toHaveURL(/\/staff\/sign-in$/);
  await expect(page.getByText('has no role in this trust center')).toBeVisible();
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/staff\/sign-in/);
});
