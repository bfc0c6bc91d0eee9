import { expect, test } from '@playwright/test';
import { candidate, newContext, rowOf, saveScreenshot, searchStatus, signInAsHr, waitForHydration, demo } from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test index 8 is used here.

test('the guide is read to the end and acknowledged, and HR sees it', async ({ page, browser }, testInfo) => {
  const c = candidate(8, testInfo.project.name);

  await test.step('open the guide from the invitation', async () => {
    await page.goto(c.path);
    await waitForHydration(page);
    await expect(page.getByText('未打开', { exact: true })).toBeVisible();
    await page.getByRole('link', { name: '阅读面试指南' }).click();
    await expect(page).toHaveURL(/\/invitation\/guide$/);
    await expect(page.getByRole('heading', { level: 1, name: '面试指南' })).toBeVisible();
    await expect(page.getByRole('heading', { name: '如何登录面试平台' })).toBeVisible();
    await waitForHydration(page);
  });

  await test.step('read to the end and acknowledge', async () => {
    // Reading: every section scrolls into view, then the end of the guide.
    for (const section of await page.locator('[data-guide-section]').all()) {
      await section.scrollIntoViewIfNeeded();
      await page.waitForTimeout(150);
    }
    const ack = page.getByRole('button', { name: '我已阅读面试指南' });
    await ack.scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'guide');
    await ack.click();
    await expect(page.getByRole('status').filter({ hasText: '已确认你读过面试指南' })).toBeVisible();
  });

  await test.step('HR sees the guide acknowledged', async () => {
    const context = await newContext(browser, testInfo);
    try {
      const hr = await context.newPage();
      await signInAsHr(hr);
      await hr.getByRole('link', { name: demo().campaign_title, exact: true }).click();
      await searchStatus(hr, c.name);
      await expect(rowOf(hr, c.name)).toContainText('已确认阅读');
    } finally {
      await context.close();
    }
  });
});
