import { expect, test } from '@playwright/test';
import { candidate, saveScreenshot } from './helpers';
import { FAKE_DEVICES, answerTone, fakeMediaFiles, hrDeviceCell, launchWith, openCheck, step } from './device';

// The device check with a black camera and a silent microphone: Chromium's fake devices fed
// from files generated here. Candidate test index 12.

const files = fakeMediaFiles();
test.use({
  launchOptions: launchWith([...FAKE_DEVICES, `--use-file-for-fake-video-capture=${files.video}`, `--use-file-for-fake-audio-capture=${files.audio}`]),
});

test('the check finds the black picture and the silent microphone', async ({ page, browser }, testInfo) => {
  const c = candidate(12, testInfo.project.name);
  await openCheck(page, c);
  await page.getByRole('button', { name: '开始检测' }).click();

  // While the microphone listens (to silence, for its full time) the black preview is live.
  await expect(page.getByText('请正常音量说几句话，例如读出你的名字。')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('meter', { name: '麦克风音量' })).toBeVisible();
  await saveScreenshot(page, testInfo, 'device-check-listening');

  const camera = step(page, '摄像头');
  await expect(camera.locator('.badge')).toHaveText('未通过', { timeout: 15_000 });
  await expect(camera.getByText(/摄像头画面是黑的/)).toBeVisible();
  await expect(camera.getByText('画面分辨率 640×480')).toBeVisible();
  const mic = step(page, '麦克风');
  await expect(mic.locator('.badge')).toHaveText('未通过', { timeout: 15_000 });
  await expect(mic.getByText(/麦克风没有收到声音，可能被静音或已损坏/)).toBeVisible();
  await answerTone(page, false);
  await expect(step(page, '扬声器').getByText(/没听到提示音：请调高音量/)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '有检测项未通过' })).toBeVisible({ timeout: 30_000 });
  await expect(step(page, '浏览器').locator('.badge')).toHaveText('通过');
  await expect(step(page, '设备').locator('.badge')).toHaveText('通过');
  await saveScreenshot(page, testInfo, 'device-check-black-silent');

  expect(await hrDeviceCell(browser, testInfo, c.name)).toBe('未通过 问题项：摄像头、麦克风、扬声器');
});
