import { expect } from '@playwright/test';
import { test, trackErrors, waitForHydration } from './helpers';

const SECTIONS = ['Compliance', 'Documents', 'Controls', 'Subprocessors', 'Frequently asked questions'];

test('every section of the public page renders, without console errors', async ({ page }) => {
  const errors = trackErrors(page);
  await page.goto('/');
  await expect(page).toHaveTitle('Northwind Analytics Trust Center');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northwind Analytics Trust Center');
  for (const name of SECTIONS) {
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
  }

  const soc2 = page.locator('article.soc2');
  await expect(soc2.getByRole('heading', { name: 'SOC 2 Type II' })).toBeVisible();
  await expect(soc2).toContainText('Calder & Whitlock LLP');
  await expect(soc2).toContainText('Unqualified');
  await expect(soc2.locator('.tsc.in-scope')).toHaveCount(3);
  await expect(soc2.locator('.tsc.in-scope .tsc-name')).toHaveText(['Security', 'Availability', 'Confidentiality']);

  // Restricted documents show a lock and lead to a request, public ones download.
  const report = page.locator('[data-test-document="soc2-type-ii-report"]');
  await expect(report.locator('svg.icon')).toHaveCount(1);
  await expect(report.getByRole('link', { name: /Request access/ })).toHaveAttribute(
    'href',
    '/documents/soc2-type-ii-report/request',
  );
  const soc3 = page.locator('[data-test-document="soc3-report"]');
  await expect(soc3.getByRole('link', { name: /Download/ })).toHaveAttribute('href', '/documents/soc3-report/download');

  await expect(page.locator('#subprocessors tbody tr')).toHaveCount(6);
  await expect(page.locator('#faq details')).toHaveCount(8);

  await waitForHydration(page);
  expect(errors).toEqual([]);
});

test('the control filter narrows the list once the page is interactive', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  const filters = page.locator('[data-test="control-filters"]');
  await expect(filters).toBeVisible();
  const visibleControls = page.locator('#controls li.control:visible');
  const total = await visibleControls.count();
  expect(total).toBeGreaterThan(30);

  await page.getByLabel('Filter controls').fill('encryption');
  await expect(page.locator('.filter-count')).toContainText(/Showing \d+ of \d+/);
  const shown = await visibleControls.count();
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(total);
  for (const text of await visibleControls.allInnerTexts()) {
    expect(text.toLowerCase()).toContain('encrypt');
  }

  await page.getByLabel('Filter controls').fill('');
  await page.getByLabel('Area').selectOption('endpoint_security');
  await expect(page.locator('#controls section.control-group:visible h3')).toHaveText(['Endpoint security']);

  // Criteria codes are searchable too.
  await page.getByLabel('Area').selectOption('');
  await page.getByLabel('Filter controls').fill('CC8.1');
  for (const text of await visibleControls.allInnerTexts()) {
    expect(text).toContain('CC8.1');
  }
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('every section still has its content', async ({ page }) => {
    await page.goto('/');
    for (const name of SECTIONS) {
      await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    }
    await expect(page.locator('article.soc2 dl')).toContainText('Examination period');
    await expect(page.locator('#controls li.control:visible')).not.toHaveCount(0);
    expect(await page.locator('#controls li.control:visible').count()).toBeGreaterThan(30);
    // The filter needs JavaScript, so it is not offered at all.
    await expect(page.locator('[data-test="control-filters"]')).toBeHidden();
    await expect(page.locator('#documents li.doc')).not.toHaveCount(0);
    await expect(page.locator('#subprocessors tbody tr')).toHaveCount(6);
    // FAQ answers are in collapsed <details>, which open without script.
    await page.locator('#faq summary').first().click();
    await expect(page.locator('#faq details').first().locator('p')).toBeVisible();
    await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');
  });

  test('a restricted document explains that access is by request', async ({ page }) => {
    await page.goto('/');
    await page.locator('[data-test-document="soc2-type-ii-report"]').getByRole('link', { name: /Request access/ }).click();
    await expect(page).toHaveURL(/\/documents\/soc2-type-ii-report\/request$/);
    await expect(page.getByRole('heading', { level: 2, name: 'Access is by request' })).toBeVisible();
  });
});
