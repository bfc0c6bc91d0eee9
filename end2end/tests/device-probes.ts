import { expect, type Locator, type Page, type Request, type TestInfo } from '@playwright/test';

// What the device check's network probes move, measured in the browser, and a slow link to
// measure them on. Shared by device.spec.ts and device-network.spec.ts.

/** `NETWORK_BYTE_BUDGET` in domain/src/device.rs: all a run's probes may move, headers included. */
export const NETWORK_BYTE_BUDGET = 1_000_000;
/** `PROBE_MAX_BYTES` in domain/src/device.rs: the largest single download or upload. */
export const PROBE_MAX_BYTES = 512 * 1024;

/** Every `/probe/*` request the page makes from now on. */
export function recordProbes(page: Page): Request[] {
  const probes: Request[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/probe/')) probes.push(r);
  });
  return probes;
}

/** What these requests moved: request and answer, headers and bodies, as Chromium counts them. */
export async function probeTraffic(probes: Request[]): Promise<{ requests: number; bytes: number; payload: number }> {
  let bytes = 0;
  let payload = 0;
  for (const r of probes) {
    const s = await r.sizes();
    bytes += s.requestHeadersSize + s.requestBodySize + s.responseHeadersSize + s.responseBodySize;
    payload += s.requestBodySize + s.responseBodySize;
  }
  return { requests: probes.length, bytes, payload };
}

/** Records a run's measured traffic in the report and the test's output. */
export function reportTraffic(testInfo: TestInfo, link: string, t: { requests: number; bytes: number; payload: number }): void {
  const text = `${t.bytes} bytes in ${t.requests} probe requests (${t.payload} of them payload)`;
  testInfo.annotations.push({ type: `device check network data, ${link}`, description: text });
  console.log(`[${testInfo.project.name}] device check on ${link}: ${text}`);
}

/** Makes Chromium's network for this page a slow link (DevTools' network emulation). */
export async function throttle(page: Page, link: { latencyMs: number; downMbps: number; upMbps: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: link.latencyMs,
    downloadThroughput: (link.downMbps * 1_000_000) / 8,
    uploadThroughput: (link.upMbps * 1_000_000) / 8,
  });
}

/** The network step's figures as the page shows them ("往返时间 35 毫秒 · 下载 1.6 Mbps · 上传 0.8 Mbps"). */
export async function networkFigures(network: Locator): Promise<{ rtt: number; down: number; up: number }> {
  const line = network.getByText(/往返时间 .* 毫秒 · 下载 .* Mbps · 上传 .* Mbps/);
  await expect(line).toBeVisible();
  const m = /往返时间 (\d+) 毫秒 · 下载 ([\d.]+) Mbps · 上传 ([\d.]+) Mbps/.exec(await line.innerText());
  if (!m) throw new Error(`no figures in: ${await line.innerText()}`);
  return { rtt: Number(m[1]), down: Number(m[2]), up: Number(m[3]) };
}
