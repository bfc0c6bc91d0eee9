import { expect, test } from '@playwright/test';
import { candidate, saveScreenshot } from './helpers';
import { answerTone, hrDeviceCell, launchWith, openCheck, step } from './device';

// The device check when camera and microphone are refused. Candidate test index 11.

// Fake devices, but no fake consent prompt: headless Chromium refuses the request.
test.use({ launchOptions: launchWith(['--use-fake-device-for-media-stream']) });

test('a denied permission shows how to allow it, offers help, and is recorded', async ({ page, browser }, testInfo) => {
  const c = candidate(11, testInfo.project.name);
  await openCheck(page, c);
  await page.getByRole('button', { name: '开始检测' }).click();

  const permissions = step(page, '摄像头和麦克风权限');
  await expect(permissions.locator('.badge')).toHaveText('未通过', { timeout: 15_000 });
  await expect(permissions.getByText('摄像头或麦克风的使用权限被拒绝了。')).toBeVisible();
  const remedy = testInfo.project.name === 'phone' ? /进入“权限”，允许摄像头和麦克风/ : /点击地址栏左侧的锁形（或摄像头）图标/;
  await expect(permissions.getByText(remedy)).toBeVisible();
  for (const title of ['设备', '摄像头', '麦克风']) {
    await expect(step(page, title).locator('.badge')).toHaveText('未检测');
  }
  await answerTone(page, true);
  await expect(page.getByRole('status').filter({ hasText: '有检测项未通过，请按提示处理后重新检测。' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('link', { name: '反馈设备问题' })).toHaveAttribute('href', '/invitation/feedback?kind=device_problem');
  await expect(page.getByRole('region', { name: '技术支持' })).toBeVisible();
  await saveScreenshot(page, testInfo, 'device-check-denied');

  expect(await hrDeviceCell(browser, testInfo, c.name)).toBe('未通过 问题项：摄像头和麦克风权限');
});
