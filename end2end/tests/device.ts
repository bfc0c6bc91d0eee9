import { expect, type Browser, type Locator, type Page, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import config from '../playwright.config';
import { demo, newContext, rowOf, searchStatus, signInAsHr, waitForHydration, type Candidate } from './helpers';

// Shared by the device-check specs (device*.spec.ts), which use test indices 10–14.
//
// Chromium's fake devices stand in for a camera and a microphone: a moving test picture and a
// beeping tone, or the files given with --use-file-for-fake-*-capture (generated below, so
// nothing binary is committed).

/** The launch options of playwright.config.ts plus `extra` Chromium flags. */
export function launchWith(extra: string[]) {
  return { executablePath, args: [...baseArgs, ...extra] };
}

const baseArgs = config.use?.launchOptions?.args ?? [];
const executablePath = config.use?.launchOptions?.executablePath;
export const FAKE_DEVICES = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** A black 640×480 Y4M video and a silent WAV, written once per machine into a temp folder. */
export function fakeMediaFiles(): { video: string; audio: string } {
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
export async function openCheck(page: Page, c: Candidate): Promise<void> {
  await page.goto(c.path);
  await waitForHydration(page);
  await page.getByRole('link', { name: '检测设备' }).click();
  await expect(page).toHaveURL(/\/invitation\/check$/);
  await expect(page.getByRole('heading', { level: 1, name: '设备检测' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: '开始检测' })).toBeEnabled();
}

/** The step of the check with this title. */
export function step(page: Page, title: string): Locator {
  return page.getByRole('list', { name: '检测步骤' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

export const STEPS = ['浏览器', '摄像头和麦克风权限', '设备', '摄像头', '麦克风', '扬声器', '网络'];

/** Answers the speaker question once the tone has played. */
export async function answerTone(page: Page, heard: boolean): Promise<void> {
  const question = page.getByRole('group', { name: '刚才播放了一段提示音。你听到了吗？' });
  await expect(question).toBeVisible({ timeout: 20_000 });
  await question.getByRole('button', { name: heard ? '听到了' : '没听到', exact: true }).click();
}

/** Opens HR's status page in a separate context and returns the candidate's device-check cell text. */
export async function hrDeviceCell(browser: Browser, testInfo: TestInfo, name: string): Promise<string> {
  const context = await newContext(browser, testInfo);
  try {
    const hr = await context.newPage();
    await signInAsHr(hr);
    await hr.getByRole('link', { name: demo().campaign_title, exact: true }).click();
    await searchStatus(hr, name);
    const cell = rowOf(hr, name).locator('td.device');
    await expect(cell).toBeVisible();
    return (await cell.innerText()).replace(/\s+/g, ' ').trim();
  } finally {
    await context.close();
  }
}

