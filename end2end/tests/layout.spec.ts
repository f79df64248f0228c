import { expect } from '@playwright/test';
import { createStaff, staffFirstSignIn, test } from './helpers';

test('in-page links land below the sticky header, which scrolls away on a phone', async ({ browser }) => {
  const desktop = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await desktop.goto('/#documents');
  const header = await desktop.locator('header.site-header').boundingBox();
  const heading = await desktop.locator('#documents h2').first().boundingBox();
  expect(heading!.y).toBeGreaterThanOrEqual(header!.y + header!.height - 1);

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto('/');
  await phone.mouse.wheel(0, 1500);
  await expect(phone.locator('header.site-header')).not.toBeInViewport();
});

test('an admin’s staff header is one line, its links grouped in menus that open', async ({ browser }) => {
  createStaff('ada.layout@northwind-analytics.example', 'Ada Admin', 'admin', 'the layout passphrase');
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await staffFirstSignIn(page, 'ada.layout@northwind-analytics.example', 'the layout passphrase');
  const header = await page.locator('header.site-header').boundingBox();
  expect(header!.height).toBeLessThan(90);
  const nav = page.getByRole('navigation', { name: 'Staff area' });
  await expect(nav.getByRole('link', { name: 'Knowledge base' })).toBeHidden();
  await nav.getByText('Answers', { exact: true }).click();
  await nav.getByRole('link', { name: 'Knowledge base' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Knowledge base');
  // Ids do not wrap; an empty search says so.
  const id = page.locator('td.id a').first();
  const box = await id.boundingBox();
  expect(box!.height).toBeLessThan(32); // one line, not "KB-/001"
  await page.goto('/admin/kb?q=zzzzqqqq');
  await expect(page.getByText('No entry matches.')).toBeVisible();
});
