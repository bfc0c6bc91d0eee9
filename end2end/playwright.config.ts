import { defineConfig, type LaunchOptions } from '@playwright/test';

// Turnout's browser tests. Playwright cannot download browsers here, so they run on Debian's
// Chromium. `scripts/e2e-server.sh` (run by `webServer` below) starts a fresh server with a
// fresh database and writes the seeded demo data to `.demo.json`. The server's clock starts at
// a fixed instant (23:30 in Shanghai; `E2E_CLOCK_START=2026-12-01T10:00:00+08:00 npx playwright
// test` picks another), so no test depends on the wall clock. The browser's own clock is real
// time; neither the tests nor the pages read it (only relative timings, `performance.now()`).

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

const launchOptions: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  // Playwright adds its own headless flag.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  use: {
    baseURL,
    browserName: 'chromium',
    locale: 'zh-CN',
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'phone',
      use: {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        userAgent:
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      },
    },
    {
      name: 'desktop',
      use: {
        viewport: { width: 1280, height: 800 },
        isMobile: false,
        hasTouch: false,
        deviceScaleFactor: 1,
      },
    },
  ],
  webServer: {
    command: 'bash ../scripts/e2e-server.sh',
    url: `${baseURL}/healthz`,
    env: { E2E_PORT: String(port) },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
