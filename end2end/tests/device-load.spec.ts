import { expect, test } from '@playwright/test';
import { candidate, newContext, saveScreenshot, waitForHydration } from './helpers';

// When the device check's own part of the WebAssembly (the lazily loaded split chunk) cannot
// be downloaded, the page says so in the reader's language and what to do, instead of showing
// a start button that never wakes up. Candidate test index 14 (only viewed here).

const SPLIT_CHUNK = /\/pkg\/split_[^/]*\.wasm$/;

test('a check whose chunk fails to download says so and what to do, and reloading brings the check', async ({ page }, testInfo) => {
  const c = candidate(14, testInfo.project.name);
  await page.route(SPLIT_CHUNK, (route) => route.abort('connectionfailed'));
  await page.goto(c.path);
  await waitForHydration(page);
  await page.getByRole('link', { name: '检测设备' }).click();
  await expect(page).toHaveURL(/\/invitation\/check$/);

  const notice = page.getByRole('alert').filter({ hasText: '设备检测没有加载出来' });
  // A failed download is reported at once, not after the 20-second wait for a slow one.
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice.getByText('重新加载本页。')).toBeVisible();
  await expect(notice.getByText(/用最新版的 Chrome、Edge 或 Safari 打开面试邀请中的链接/)).toBeVisible();
  await expect(notice.getByText(/也可以先跳过检测，联系技术支持/)).toBeVisible();
  await expect(notice.getByRole('link', { name: '反馈设备问题' })).toHaveAttribute('href', '/invitation/feedback?kind=device_problem');
  await expect(page.getByRole('button', { name: '开始检测' })).toBeDisabled();
  await saveScreenshot(page, testInfo, 'device-check-load-failed');

  // Once the chunk downloads again, reloading runs the check, which replaces the notice.
  await page.unroute(SPLIT_CHUNK);
  await notice.getByRole('link', { name: '重新加载' }).click();
  await expect(page.getByRole('button', { name: '开始检测' })).toBeEnabled({ timeout: 15_000 });
  await expect(page.getByRole('alert').filter({ hasText: '设备检测没有加载出来' })).toHaveCount(0);
});

test('a check whose chunk never arrives says so in English after its wait', async ({ browser }, testInfo) => {
  const c = candidate(14, testInfo.project.name);
  const context = await newContext(browser, testInfo, { locale: 'en-US' });
  try {
    const page = await context.newPage();
    // The chunk's request hangs: no error ever comes, only the wait runs out.
    await page.route(SPLIT_CHUNK, () => {});
    await page.goto(c.path);
    await waitForHydration(page);
    await page.goto('/invitation/check');
    await expect(page.getByRole('heading', { level: 1, name: 'Device check' })).toBeVisible();
    const notice = page.getByRole('alert').filter({ hasText: 'The device check did not load' });
    await expect(notice).toBeHidden();
    await expect(notice).toBeVisible({ timeout: 25_000 });
    await expect(notice.getByRole('link', { name: 'Reload the page' })).toBeVisible();
    await expect(notice.getByText(/open the link in your invitation in an up-to-date Chrome, Edge or Safari/)).toBeVisible();
    await expect(notice.getByRole('link', { name: 'Report a device problem' })).toBeVisible();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  } finally {
    await context.close();
  }
});
