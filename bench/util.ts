// Small helpers shared by the benchmarks.
export function rssSampler(intervalMs = 200) {
  let peak = process.memoryUsage().rss;
  const samples: number[] = [];
  const t = setInterval(() => {
    const r = process.memoryUsage().rss;
    peak = Math.max(peak, r);
    samples.push(r);
  }, intervalMs);
  t.unref();
  return {
    stop() {
      clearInterval(t);
      const mb = (b: number) => Math.round(b / 1e6);
      const third = Math.max(1, Math.floor(samples.length / 3));
      const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      return {
        peakRssMb: mb(peak),
        firstThirdAvgRssMb: mb(avg(samples.slice(0, third))),
        lastThirdAvgRssMb: mb(avg(samples.slice(-third))),
      };
    },
  };
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
