import { expect, test, type Request } from '@playwright/test';
import { candidate, saveScreenshot } from './helpers';
import { FAKE_DEVICES, answerTone, launchWith, openCheck, step } from './device';
import { NETWORK_BYTE_BUDGET, networkFigures, probeTraffic, recordProbes, reportTraffic, throttle } from './device-probes';

// The device check's network step on a weak connection: a slow link, and a request that never
// answers. Candidate test indices 13 and 14 (shared with device.spec.ts, whose tests read
// nothing stored for them; the probes' rate limit allows several runs a minute).

test.use({ launchOptions: launchWith(FAKE_DEVICES) });

/** Lighthouse's "slow 4G" mobile link: 150 ms round trip, 1.6 Mbps down, 750 kbps up. */
const SLOW_4G = { latencyMs: 150, downMbps: 1.6, upMbps: 0.75 };

test('on a slow link a run moves far less than 1 MB and still measures the speed', async ({ page }, testInfo) => {
  const c = candidate(13, testInfo.project.name);
  await openCheck(page, c);
  const probes = recordProbes(page);
  await throttle(page, SLOW_4G);

  await page.getByRole('button', { name: '开始检测' }).click();
  await answerTone(page, true);
  await expect(page.getByRole('status').filter({ hasText: /全部通过|基本可用|有检测项未通过/ })).toBeVisible({ timeout: 45_000 });

  const traffic = await probeTraffic(probes);
  reportTraffic(testInfo, 'slow 4G (150 ms, 1.6 Mbps down, 0.75 Mbps up)', traffic);
  expect(traffic.bytes, 'what a run of the network check moves').toBeLessThanOrEqual(NETWORK_BYTE_BUDGET);
  expect(traffic.bytes, 'a slow link stops growing the transfers early').toBeLessThan(NETWORK_BYTE_BUDGET / 2);

  // The figures are the link's, not the latency's.
  const network = step(page, '网络');
  const figures = await networkFigures(network);
  testInfo.annotations.push({ type: 'slow 4G figures', description: JSON.stringify(figures) });
  console.log(`[${testInfo.project.name}] figures on slow 4G: ${JSON.stringify(figures)}`);
  expect(figures.rtt).toBeGreaterThanOrEqual(SLOW_4G.latencyMs);
  expect(figures.down).toBeGreaterThan(SLOW_4G.downMbps * 0.6);
  expect(figures.down).toBeLessThan(SLOW_4G.downMbps * 1.4);
  expect(figures.up).toBeGreaterThan(SLOW_4G.upMbps * 0.6);
  expect(figures.up).toBeLessThan(SLOW_4G.upMbps * 1.4);
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, 'device-check-slow-link');
});

test('a download that never answers is abandoned at its time limit, and the network step says what to do', async ({ page }, testInfo) => {
  const c = candidate(14, testInfo.project.name);
  await openCheck(page, c);
  const aborted: Request[] = [];
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).pathname === '/probe/download') aborted.push(r);
  });
  // Every download stalls: no answer, no error, for ever.
  await page.route('**/probe/download*', () => {});

  await page.getByRole('button', { name: '开始检测' }).click();
  await answerTone(page, true);
  const network = step(page, '网络');
  await expect(network.locator('.badge')).toHaveText('未通过', { timeout: 30_000 });
  await expect(network.getByText('测网速时连接卡住了，服务器的数据迟迟没有到达：网络很弱或已中断。请换到信号更好的 Wi-Fi 或 4G/5G 网络，然后重新检测。')).toBeVisible();
  await expect(network.getByText(/往返时间 \d+ 毫秒 · 下载 – Mbps · 上传 [\d.]+ Mbps/), 'the upload was still measured').toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '有检测项未通过，请按提示处理后重新检测。' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('link', { name: '反馈设备问题' })).toBeVisible();
  await expect(page.getByRole('button', { name: '重新检测' })).toBeEnabled();
  // The stalled request was aborted, not left open.
  expect(aborted.map((r) => r.failure()?.errorText)).toEqual(['net::ERR_ABORTED']);
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, 'device-check-network-stalled');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});
