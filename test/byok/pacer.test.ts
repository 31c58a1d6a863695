import { QuotaPacer } from "../../byok/kms/pacer";

describe("QuotaPacer (client-side pacing to KMS quotas, time passed in explicitly)", () => {
  test("after idling, half a second of quota goes at once; then requests are spaced at 95% of the quota", () => {
    let now = 1_000_000;
    const pacer = new QuotaPacer(1, () => now);
    // ListResourceTags: 100/s -> 95/s paced, a burst of floor(47.5) = 47.
    const waits = Array.from({ length: 60 }, () => pacer.book("us-east-1/ListResourceTags", 100));
    expect(waits.slice(0, 47).every((wait) => wait === 0)).toBe(true);
    const interval = 1000 / 95;
    for (let i = 47; i < 60; i += 1) expect(waits[i]).toBeCloseTo((i - 46) * interval, 6);
    // Idle long enough and the burst is back.
    now += 10_000;
    expect(pacer.book("us-east-1/ListResourceTags", 100)).toBe(0);
  });

  test("over any window the paced requests stay within KMS's token bucket (rate per second, one second deep)", () => {
    let now = 0;
    const pacer = new QuotaPacer(1, () => now);
    const sent: number[] = [];
    for (let i = 0; i < 500; i += 1) {
      sent.push(now + pacer.book("eu-west-1/ImportKeyMaterial", 5));
      now += 3; // requests arrive far faster than the quota
    }
    let tokens = 5;
    let last = 0;
    for (const at of sent.sort((a, b) => a - b)) {
      tokens = Math.min(5, tokens + ((at - last) / 1000) * 5);
      last = at;
      expect(tokens).toBeGreaterThanOrEqual(1);
      tokens -= 1;
    }
    // 500 requests at 4.75/s with a burst of 2: just under 105 s.
    expect(Math.max(...sent)).toBeGreaterThan(104_000);
    expect(Math.max(...sent)).toBeLessThan(105_500);
  });

  test("quotas are independent, and a scale of 2 doubles the pace", () => {
    const pacer = new QuotaPacer(2, () => 0);
    for (let i = 0; i < 4; i += 1) pacer.book("us-east-1/GetParametersForImport", 5);
    expect(pacer.book("us-east-1/GetParametersForImport", 5)).toBeCloseTo(1000 / 9.5, 6);
    expect(pacer.book("us-east-1/ImportKeyMaterial", 5)).toBe(0);
    expect(pacer.book("eu-west-1/GetParametersForImport", 5)).toBe(0);
  });

  test("take(): turns are booked as each one leaves, so a stalled event loop does not release a burst", async () => {
    let now = 0;
    const sleeping: { at: number; wake: () => void }[] = [];
    const sleep = (ms: number) => new Promise<void>((wake) => sleeping.push({ at: now + ms, wake }));
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const pacer = new QuotaPacer(1, () => now, sleep);
    const sent: number[] = [];
    for (let i = 0; i < 8; i += 1) void pacer.take("us-east-1/GetKeyLastUsage", 5).then(() => sent.push(now));
    await settle();
    // The event loop stalls for 3 s (a CPU-bound scan), then every timer due fires at once.
    now = 3000;
    while (sleeping.length > 0) {
      now = Math.max(now, Math.min(...sleeping.map((s) => s.at)));
      for (const due of sleeping.filter((s) => s.at <= now)) {
        sleeping.splice(sleeping.indexOf(due), 1);
        due.wake();
      }
      await settle();
    }
    expect(sent).toHaveLength(8);
    let tokens = 5;
    let last = 0;
    for (const at of sent) {
      tokens = Math.min(5, tokens + ((at - last) / 1000) * 5);
      last = at;
      expect(tokens).toBeGreaterThanOrEqual(1);
      tokens -= 1;
    }
  });
});
