// Benchmark helpers: run a command as a whole process, time it, sample its peak RSS; pair runs of
// procflow with a baseline and report the median ratio (these machines are shared and noisy:
// absolute times are not comparable between runs, ratios measured side by side are).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export const ROOT = new URL("../", import.meta.url).pathname;
export const CLI = `${ROOT}bin/procflow.js`;

/** Runs argv to its end with stdout/stderr to /dev/null (or `stdout: "pipe"`); wall ms and peak RSS (KiB). */
export function measure(argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      stdio: ["ignore", "ignore", opts.stderr ?? "ignore"],
      env: { ...process.env, CI: "1", ...opts.env },
    });
    let peak = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {}
    };
    const timer = opts.rss ? setInterval(sample, 20) : null;
    child.on("error", reject);
    child.on("exit", (code) => {
      if (timer) clearInterval(timer);
      const ms = performance.now() - start;
      if (code !== 0 && !opts.anyExit) return reject(new Error(`${argv.join(" ")} exited ${code}`));
      resolve({ ms, peakRssKiB: peak });
    });
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Alternates `subject` and `baseline` runs `pairs` times (after one warm-up each) and returns the
 * median of the paired ratios subject/baseline, the worst of them, and the medians of both.
 */
export async function paired(subject, baseline, pairs = 5) {
  await subject();
  await baseline();
  const ratios = [];
  const a = [];
  const b = [];
  for (let i = 0; i < pairs; i++) {
    const first = i % 2 === 0;
    const x = first ? await subject() : null;
    const y = await baseline();
    const x2 = x ?? (await subject());
    a.push(x2.ms);
    b.push(y.ms);
    ratios.push(x2.ms / y.ms);
  }
  return { ratio: median(ratios), worst: Math.max(...ratios), subjectMs: median(a), baselineMs: median(b) };
}

/** A table row for a paired result whose median ratio must stay at or under `limit`. */
export const ratioRow = (scenario, baseline, result, limit) => ({
  scenario,
  baseline,
  ...result,
  target: `≤ ${limit}×`,
  pass: result.ratio <= limit,
});

export const fmt = (n, digits = 2) => n.toFixed(digits);
