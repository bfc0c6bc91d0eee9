import { expect, test, type Locator, type Page, type Request } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import config from '../playwright.config';
import { candidate, demo, newContext, rowOf, saveScreenshot, searchStatus, signInAsHr, waitForHydration, type Candidate } from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test indices 10–14 are used here.
//
// Chromium's fake devices stand in for a camera and a microphone: a moving test picture and a
// beeping tone, or the files given with --use-file-for-fake-*-capture (generated below, so
// nothing binary is committed).

const baseArgs = config.use?.launchOptions?.args ?? [];
const executablePath = config.use?.launchOptions?.executablePath;
const FAKE_DEVICES = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
const MAX_PROBE_BYTES = 2 * 1024 * 1024;

/** A black 640×480 Y4M video and a silent WAV, written once per machine into a temp folder. */
function fakeMediaFiles(): { video: string; audio: string } {
  const dir = path.join(os.tmpdir(), 'turnout-device-e2e');
  fs.mkdirSync(dir, { recursive: true });
  const video = path.join(dir, 'black.y4m');
  const audio = path.join(dir, 'silent.wav');
  const [w, h, frames] = [640, 480, 5];
  const frame = Buffer.concat([
    Buffer.from('FRAME\n'),
    Buffer.alloc(w * h, 16), // Y: video black
    Buffer.alloc((w / 2) * (h / 2) * 2, 128), // U and V: no colour
  ]);
  fs.writeFileSync(video, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`), ...Array(frames).fill(frame)]));
  const rate = 48_000;
  const samples = rate * 3;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVE', 8);
  wav.write('fmt ', 12);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  fs.writeFileSync(audio, wav);
  return { video, audio };
}

/** Opens the candidate's link, follows the invitation page's link to the check, waits for hydration. */
async function openCheck(page: Page, c: Candidate): Promise<void> {
  await page.goto(c.path);
  await waitForHydration(page);
  await page.getByRole('link', { name: '检测设备' }).click();
  await expect(page).toHaveURL(/\/invitation\/check$/);
  await expect(page.getByRole('heading', { level: 1, name: '设备检测' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: '开始检测' })).toBeEnabled();
}

/** The step of the check with this title. */
function step(page: Page, title: string): Locator {
  return page.getByRole('list', { name: '检测步骤' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

const STEPS = ['浏览器', '摄像头和麦克风权限', '设备', '摄像头', '麦克风', '扬声器', '网络'];

/** Answers the speaker question once the tone has played. */
async function answerTone(page: Page, heard: boolean): Promise<void> {
  const question = page.getByRole('group', { name: '刚才播放了一段提示音。你听到了吗？' });
  await expect(question).toBeVisible({ timeout: 20_000 });
  await question.getByRole('button', { name: heard ? '听到了' : '没听到', exact: true }).click();
}

/** Opens HR's status page in a separate context and returns the candidate's device-check cell text. */
async function hrDeviceCell(browser: import('@playwright/test').Browser, testInfo: import('@playwright/test').TestInfo, name: string): Promise<string> {
  const context = await newContext(browser, testInfo);
  try {
    const hr = await context.newPage();
    await signInAsHr(hr);
    await hr.getByRole('link', { name: demo().campaign_title, exact: true }).click();
    await searchStatus(hr, name);
    const cell = rowOf(hr, name).locator('td.device');
    await expect(cell).toBeVisible();
    return (await cell.innerText()).trim();
  } finally {
    await context.close();
  }
}

test.describe('with working fake devices', () => {
  test.use({ launchOptions: { executablePath, args: [...baseArgs, ...FAKE_DEVICES] } });

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
    await saveScreenshot(page, testInfo, 'device-check-passed');

    expect(await hrDeviceCell(browser, testInfo, c.name)).toBe('通过');
  });

  test('no request made during the check carries media: only bounded probes and the result', async ({ page }, testInfo) => {
    const c = candidate(13, testInfo.project.name);
    await openCheck(page, c);
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
        case 'GET /probe/ping':
          expect(size).toBe(0);
          break;
        case 'GET /probe/download': {
          const bytes = Number(url.searchParams.get('bytes'));
          expect(bytes, r.url()).toBeGreaterThan(0);
          expect(bytes, r.url()).toBeLessThanOrEqual(MAX_PROBE_BYTES);
          expect(size).toBe(0);
          break;
        }
        case 'POST /probe/upload':
          expect(size, 'upload size').toBeGreaterThan(0);
          expect(size, 'upload size').toBeLessThanOrEqual(MAX_PROBE_BYTES);
          expect(r.headers()['content-type'] ?? '', 'raw bytes, not a media type').not.toMatch(/video|audio|image|multipart/);
          break;
        case 'POST /api/device_check': {
          expect(size, 'the result is small').toBeLessThan(8 * 1024);
          const report = JSON.parse(new URLSearchParams(body!.toString('utf8')).get('report') ?? 'null');
          const keys = new Set(report.items.flatMap((i: Record<string, unknown>) => Object.keys(i)));
          const allowed = ['item', 'secure_context', 'media_devices', 'get_user_media', 'peer_connection', 'audio_context', 'webassembly',
            'in_app_browser', 'outcome', 'cameras', 'microphones', 'width', 'height', 'brightness', 'motion', 'frames', 'peak_level',
            'listened_ms', 'heard', 'rtt_ms', 'down_mbps', 'up_mbps'];
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
  });
});

test.describe('without permission to use camera and microphone', () => {
  // Fake devices, but no fake consent prompt: headless Chromium refuses the request.
  test.use({ launchOptions: { executablePath, args: [...baseArgs, '--use-fake-device-for-media-stream'] } });

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
});

test.describe('with a black camera and a silent microphone', () => {
  const files = fakeMediaFiles();
  test.use({
    launchOptions: {
      executablePath,
      args: [...baseArgs, ...FAKE_DEVICES, `--use-file-for-fake-video-capture=${files.video}`, `--use-file-for-fake-audio-capture=${files.audio}`],
    },
  });

  test('the check finds the black picture and the silent microphone', async ({ page, browser }, testInfo) => {
    const c = candidate(12, testInfo.project.name);
    await openCheck(page, c);
    await page.getByRole('button', { name: '开始检测' }).click();

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
