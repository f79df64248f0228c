import { expect } from '@playwright/test';
import { createStaff, staffFirstSignIn, test, waitForHydration } from './helpers';

test('staff edit a control and a subprocessor, preview, publish, and the public page shows it', async ({ browser }) => {
  test.setTimeout(90_000);
  createStaff('cora@northwind-analytics.example', 'Cora Content', 'security', 'the content passphrase');
  const staff = await (await browser.newContext()).newPage();
  const visitor = await (await browser.newContext()).newPage();
  await staffFirstSignIn(staff, 'cora@northwind-analytics.example', 'the content passphrase');

  // A control, first with a criterion that does not exist: the message sits by the field.
  await staff.goto('/admin/content');
  await waitForHydration(staff);
  await staff.getByRole('link', { name: 'Add a control' }).click();
  await staff.getByLabel('Title').fill('Quarterly restore drills');
  await staff.getByLabel('Category').selectOption({ label: 'Data protection' });
  await staff.getByLabel('Description').fill('A production backup is restored into an isolated account every quarter.');
  await staff.getByLabel('Trust Services Criteria').fill('A1.3, CC99.1');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await expect(staff.locator('#field-tsc_points-error')).toContainText('CC99.1');
  await expect(staff.getByLabel('Title')).toHaveValue('Quarterly restore drills');
  await staff.getByLabel('Trust Services Criteria').fill('A1.3, CC7.5');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await expect(staff.getByRole('status')).toContainText('Control saved as a draft');

  // A subprocessor.
  await staff.getByRole('link', { name: 'Add a subprocessor' }).click();
  await staff.getByLabel('Name').fill('Mailchute');
  await staff.getByLabel('Purpose').fill('Transactional e-mail');
  await staff.getByLabel('Location').fill('European Union');
  await staff.getByLabel('Data processed').fill('E-mail addresses and names');
  await staff.getByLabel('Website').fill('https://mailchute.example');
  await staff.getByLabel('In use since').fill('2026-01-01');
  await staff.getByRole('button', { name: 'Save draft' }).click();
  await expect(staff.locator('[data-test="pending"]')).toContainText('controls, subprocessors');

  // Visitors do not see drafts; the preview does.
  await visitor.goto('/');
  await expect(visitor.getByText('Mailchute')).toHaveCount(0);
  await staff.getByRole('link', { name: 'Preview the public page' }).click();
  await expect(staff.locator('[data-test="preview"]')).toBeVisible();
  await expect(staff.getByText('Quarterly restore drills')).toBeVisible();
  await expect(staff.getByText('Mailchute').first()).toBeVisible();

  // Publish from the preview: the public page shows both.
  await staff.getByRole('button', { name: 'Publish' }).click();
  await expect(staff.getByRole('status')).toContainText('Published: controls, subprocessors.');
  await visitor.goto('/');
  await waitForHydration(visitor);
  await expect(visitor.getByText('Quarterly restore drills')).toBeVisible();
  await expect(visitor.getByText('Mailchute').first()).toBeVisible();

  // Put the demo back as it was (the other specs count its rows): remove both, publish again.
  for (const link of ['Quarterly restore drills', 'Mailchute']) {
    await staff.goto('/admin/content');
    await staff.getByRole('link', { name: link, exact: true }).click();
    await staff.getByRole('button', { name: 'Remove' }).click();
    await expect(staff.getByRole('status')).toContainText('removed from the draft');
  }
  await staff.locator('[data-test="pending"]').getByRole('button', { name: 'Publish' }).click();
  await expect(staff.getByRole('status')).toContainText('Published: controls, subprocessors.');
  await visitor.goto('/');
  await expect(visitor.getByText('Mailchute')).toHaveCount(0);
});
