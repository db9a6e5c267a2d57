// Generates job files of a given size for the benchmarks: a layered graph with needs, probes and env.
export function generateJobFile(n) {
  let out = "version: 1\nname: generated\nconcurrency: 4\ndefaults:\n  timeout: 5m\njobs:\n";
  for (let i = 0; i < n; i++) {
    out += `  job${i}:\n    command: [node, worker.mjs, "--index", "${i}"]\n`;
    if (i > 0) out += `    needs: [job${Math.floor(i / 2)}]\n`;
    if (i % 10 === 0) out += `    env: { SHARD: "${i % 7}" }\n`;
    if (i % 25 === 0) out += `    ready: { log: "ready ${i}" }\n`;
  }
  return out;
}
