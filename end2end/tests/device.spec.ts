import { expect, test, type Request } from '@playwright/test';
import { candidate, newContext, saveScreenshot } from './helpers';
import { FAKE_DEVICES, STEPS, answerTone, hrDeviceCell, launchWith, openCheck, step } from './device';
import { NETWORK_BYTE_BUDGET, PROBE_MAX_BYTES, probeTraffic, recordProbes, reportTraffic } from './device-probes';

// The device check with Chromium's fake camera and microphone (a moving test picture and a
// beeping tone). Candidate test indices 10, 13 and 14 are used here (13 and 14 also by
// device-network.spec.ts and device-load.spec.ts, whose tests read nothing these store).

test.use({ launchOptions: launchWith(FAKE_DEVICES) });

test('every item passes and HR sees the passed check', async ({ page, browser }, testInfo) => {
  const c = candidate(10, testInfo.project.name);
  await openCheck(page, c);
  await saveScreenshot(page, testInfo, 'device-check-start');

  await page.getByRole('button', { name: '开始检测' }).click();
  await expect(step(page, '摄像头').getByText(/画面分辨率 \d+×\d+/)).toBeVisible({ timeout: 15_000 });
  await answerTone(page, true);
  await expect(page.getByRole('status').filter({ hasText: '全部通过，你的设备可以参加 AI 视频面试。' })).toBeVisible({ timeout: 30_000 });
  for (const title of STEPS) {
    await expect(step(page, title).locator('.badge'), `${title} passed`).toHaveText('通过');
  }
  await expect(step(page, '网络').getByText(/往返时间 \d+ 毫秒 · 下载 [\d.]+ Mbps · 上传 [\d.]+ Mbps/)).toBeVisible();
  await expect(step(page, '网络').getByText('标准：往返时间低于 300 毫秒、上下行不低于 1.1 Mbps 为良好；低于 600 毫秒、不低于 0.7 Mbps 为可用。')).toBeVisible();
  await expect(page.getByRole('link', { name: '反馈设备问题' })).toHaveCount(0);
  // Devices were listed for choosing, and capture has stopped.
  await expect(page.getByLabel('摄像头', { exact: true })).toBeVisible();
  await expect(page.getByLabel('麦克风', { exact: true })).toBeVisible();
  expect(await page.locator('video').evaluate((v: HTMLVideoElement) => v.srcObject)).toBeNull();
  await expect(page.getByRole('button', { name: '重新检测' })).toBeEnabled();
  await page.evaluate(() => window.scrollTo(0, 0));
  await saveScreenshot(page, testInfo, 'device-check-passed');

  // The check can be run again: every step starts over and the new result replaces the old.
  await page.getByRole('button', { name: '重新检测' }).click();
  await expect(page.getByRole('status').filter({ hasText: '全部通过' })).toHaveCount(0);
  await answerTone(page, true);
  await expect(page.getByRole('status').filter({ hasText: '全部通过，你的设备可以参加 AI 视频面试。' })).toBeVisible({ timeout: 30_000 });

  expect(await hrDeviceCell(browser, testInfo, c.name)).toBe('通过');
});

test('no request made during the check carries media: only bounded probes and the result, within the data budget', async ({ page }, testInfo) => {
  const c = candidate(13, testInfo.project.name);
  await openCheck(page, c);
  const probes = recordProbes(page);
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  page.on('websocket', (ws) => requests.push({ url: () => ws.url(), method: () => 'WEBSOCKET' } as unknown as Request));

  await page.getByRole('button', { name: '开始检测' }).click();
  await answerTone(page, true);
  await expect(page.getByRole('status').filter({ hasText: '全部通过' })).toBeVisible({ timeout: 30_000 });

  expect(requests.length, 'the check made requests').toBeGreaterThan(8);
  const seen = new Set<string>();
  for (const r of requests) {
    const url = new URL(r.url());
    expect(url.origin, `${r.url()} stays on Turnout's own server`).toBe(new URL(page.url()).origin);
    const body = r.postDataBuffer();
    const size = body?.length ?? 0;
    seen.add(url.pathname);
    switch (`${r.method()} ${url.pathname}`) {
      case 'GET /favicon.svg':
        // The browser's own request for the page icon, whenever it gets round to it.
        expect(size).toBe(0);
        break;
      case 'GET /probe/ping':
        expect(size).toBe(0);
        break;
      case 'GET /probe/download': {
        const bytes = Number(url.searchParams.get('bytes'));
        expect(bytes, r.url()).toBeGreaterThan(0);
        expect(bytes, r.url()).toBeLessThanOrEqual(PROBE_MAX_BYTES);
        expect(size).toBe(0);
        break;
      }
      case 'POST /probe/upload':
        expect(size, 'upload size').toBeGreaterThan(0);
        expect(size, 'upload size').toBeLessThanOrEqual(PROBE_MAX_BYTES);
        expect(r.headers()['content-type'] ?? '', 'raw bytes, not a media type').not.toMatch(/video|audio|image|multipart/);
        break;
      case 'POST /api/device_check': {
        expect(size, 'the result is small').toBeLessThan(8 * 1024);
        const report = JSON.parse(new URLSearchParams(body!.toString('utf8')).get('report') ?? 'null');
        const keys = new Set(report.items.flatMap((i: Record<string, unknown>) => Object.keys(i)));
        const allowed = ['item', 'secure_context', 'media_devices', 'get_user_media', 'peer_connection', 'audio_context', 'webassembly',
          'in_app_browser', 'outcome', 'cameras', 'microphones', 'width', 'height', 'brightness', 'motion', 'frames', 'peak_level',
          'listened_ms', 'heard', 'rtt_ms', 'down_mbps', 'up_mbps', 'timed_out'];
        for (const k of keys) expect(allowed, `report field ${String(k)}`).toContain(k);
        for (const i of report.items) {
          for (const v of Object.values(i)) expect(['string', 'number', 'boolean'].includes(typeof v) || v === null, `${JSON.stringify(v)} is a plain figure`).toBe(true);
        }
        break;
      }
      default:
        throw new Error(`unexpected request during the check: ${r.method()} ${r.url()}`);
    }
  }
  for (const p of ['/probe/ping', '/probe/download', '/probe/upload', '/api/device_check']) expect(seen, `${p} was used`).toContain(p);

  // Loopback is the fastest link there is: the adaptive probes grow until the byte budget stops
  // them, so this is the most a run can move. Headers and bodies, both ways, as Chromium counts.
  const traffic = await probeTraffic(probes);
  reportTraffic(testInfo, 'loopback (the fastest link)', traffic);
  expect(traffic.requests, 'pings and transfers').toBeLessThanOrEqual(15);
  expect(traffic.bytes, 'what a run of the network check moves').toBeLessThanOrEqual(NETWORK_BYTE_BUDGET);
});

test('without JavaScript the page explains what the check needs', async ({ browser }, testInfo) => {
  const c = candidate(14, testInfo.project.name);
  const context = await newContext(browser, testInfo, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(c.path);
    await page.getByRole('link', { name: '检测设备' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '设备检测' })).toBeVisible();
    await expect(page.getByText(/设备检测需要在浏览器中运行脚本/)).toBeVisible();
    await expect(page.getByText(/摄像头画面和麦克风声音只在你的设备上分析，不会上传/)).toBeVisible();
    await expect(page.getByRole('button', { name: '开始检测' })).toBeDisabled();
    for (const title of STEPS) await expect(step(page, title)).toBeVisible();
    await saveScreenshot(page, testInfo, 'device-check-no-js');
  } finally {
    await context.close();
  }
});
