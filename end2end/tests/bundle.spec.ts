import { expect, test, type Page } from '@playwright/test';
import { candidate, roomySlot, saveScreenshot, waitForHydration } from './helpers';

// Candidate indices (see `candidate()` in helpers.ts): test indices 15–16 are used here.

const BUDGET = 100 * 1024;

/** Every script and WebAssembly file the page fetched from `/pkg/`. */
function recordBundle(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/pkg/') && /\.(js|wasm)$/.test(url.pathname)) urls.push(url.pathname);
  });
  return urls;
}

test('the invitation page downloads at most 100 KB of WebAssembly and JavaScript; the device check loads its own part only on its page', async ({ page }, testInfo) => {
  const c = candidate(15, testInfo.project.name);
  const fetched = recordBundle(page);
  await page.goto(c.path);
  await waitForHydration(page);

  const onInvitation = [...new Set(fetched)];
  expect(onInvitation.some((p) => p.endsWith('.wasm')), `a WebAssembly module among ${onInvitation.join(', ')}`).toBe(true);
  expect(onInvitation.filter((p) => p.includes('/split_')), 'no device-check chunk on the invitation page').toEqual([]);

  // What these files weigh on the wire, brotli-compressed as the server sends them.
  let total = 0;
  for (const path of onInvitation) {
    const res = await page.request.get(path, { headers: { 'Accept-Encoding': 'br' } });
    expect(res.status(), path).toBe(200);
    expect(res.headers()['content-encoding'], `${path} is served compressed`).toBe('br');
    const length = Number(res.headers()['content-length']);
    expect(length, `${path} has a length`).toBeGreaterThan(0);
    total += length;
  }
  testInfo.annotations.push({ type: 'invitation page wasm + JS (brotli bytes)', description: String(total) });
  expect(total, `the invitation page's wasm + JS: ${total} bytes`).toBeLessThanOrEqual(BUDGET);

  await page.getByRole('link', { name: '检测设备' }).click();
  await expect(page).toHaveURL(/\/invitation\/check$/);
  await expect(page.getByRole('button', { name: '开始检测' })).toBeEnabled();
  expect(fetched.filter((p) => p.includes('/split_')).length, 'the device check loaded its chunk').toBeGreaterThan(0);
});

test('a confirmation that cannot reach the server says so, keeps the choice, and goes through on the next try', async ({ page }, testInfo) => {
  const c = candidate(16, testInfo.project.name);
  await page.goto(c.path);
  await waitForHydration(page);
  await page.evaluate(() => {
    (window as unknown as { __noReload?: number }).__noReload = 1;
  });
  const slot = await roomySlot(page);
  await slot.radio.check();

  await page.route('**/api/confirm', (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: '确认此时间' }).click();
  await expect(page.getByRole('alert')).toContainText('无法连接到服务器');
  await expect(slot.radio, 'the chosen time is still chosen').toBeChecked();
  await expect(page.getByRole('button', { name: '确认此时间' })).toBeEnabled();
  await expect(page.getByText('已查看未确认', { exact: true }), 'nothing changed').toBeVisible();
  await saveScreenshot(page, testInfo, 'invitation-offline');

  await page.unroute('**/api/confirm');
  await page.getByRole('button', { name: '确认此时间' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已确认，期待你的面试。' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '你的面试时间已确认' })).toBeVisible();
  await expect(page.getByRole('alert'), 'the connection notice is gone').toHaveCount(0);
  await saveScreenshot(page, testInfo, 'invitation-confirmed-in-place');
  expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload), 'no full page reload').toBe(1);
});
