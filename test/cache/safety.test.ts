// The cache never trusts what it cannot check (SPEC §13): damaged entries and blobs are ignored with
// a warning, a run killed while storing leaves nothing trusted, and a restore never writes through a
// symlink or outside the job file's folder.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, runJobs, tempDir, withEvents } from "../rig.js";

const started = (r: Awaited<ReturnType<typeof runJobs>>) => r.of("job:start").map((e) => e.job);
const cacheDir = (dir: string) => join(dir, ".procflow/cache");
const entryFiles = (dir: string) =>
  readdirSync(join(cacheDir(dir), "entries")).map((n) => join(cacheDir(dir), "entries", n));
const blobFiles = (dir: string) =>
  (readdirSync(join(cacheDir(dir), "blobs"), { recursive: true }) as string[])
    .filter((n) => n.includes("/"))
    .map((n) => join(cacheDir(dir), "blobs", n));

const job = `version: 1
jobs:
  make:
    shell: true
    command: rm -rf dist && mkdir -p dist/x && echo key > dist/x/authorized_keys && echo made
    inputs: [in.txt]
    outputs: [dist/**]
`;

describe("cache safety", () => {
  it("a damaged blob or entry is warned about and the job runs", async () => {
    const first = await runJobs(job, [], { files: { "in.txt": "1" } });
    const dir = first.dir;
    rmSync(join(dir, "dist"), { recursive: true });
    for (const blob of blobFiles(dir)) writeFileSync(blob, "tampered\n");
    const r = await runJobs(job, [], { cwd: dir });
    expect(r.code).toBe(0);
    expect(started(r)).toEqual(["make"]);
    expect(r.stderr).toMatch(
      /warning: make: ignoring its cache entry [0-9a-f]{12} \(blob [0-9a-f]{12} does not match its hash\)/,
    );
    expect(readFileSync(join(dir, "dist/x/authorized_keys"), "utf8")).toBe("key\n");
    // The run stored a good entry again: the next run is cached.
    expect(started(await runJobs(job, [], { cwd: dir }))).toEqual([]);

    for (const entry of entryFiles(dir)) writeFileSync(entry, '{"format": 1, "outputs": ');
    const broken = await runJobs(job, [], { cwd: dir });
    expect(started(broken)).toEqual(["make"]);
    expect(broken.stderr).toMatch(/ignoring its cache entry .* is not valid JSON/);
  });

  it("a restore never writes through a symlink, even one it restored itself", async () => {
    const outside = tempDir();
    const first = await runJobs(job, [], { files: { "in.txt": "1" } });
    const dir = first.dir;
    // A tampered entry: dist/x becomes a link out of the tree before dist/x/authorized_keys is written.
    const [entry] = entryFiles(dir);
    const e = JSON.parse(readFileSync(entry!, "utf8"));
    e.outputs.unshift({ path: "dist/x", link: outside });
    writeFileSync(entry!, JSON.stringify(e));
    rmSync(join(dir, "dist"), { recursive: true });
    const r = await runJobs(job, [], { cwd: dir });
    expect(r.stderr).toMatch(/not restoring dist\/x\/authorized_keys: dist\/x is a symlink/);
    expect(started(r)).toEqual(["make"]);
    expect(readdirSync(outside)).toEqual([]);

    // A link already in the tree is refused the same way.
    rmSync(join(dir, "dist"), { recursive: true });
    mkdirSync(join(dir, "dist"));
    const { symlinkSync } = await import("node:fs");
    symlinkSync(outside, join(dir, "dist/x"));
    const again = await runJobs(job, [], { cwd: dir });
    expect(again.stderr).toMatch(/dist\/x is a symlink/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("a run SIGKILLed at any moment while storing leaves no entry that a later run trusts", async () => {
    const big = `version: 1
jobs:
  big:
    shell: true
    command: mkdir -p out && for i in 1 2 3 4 5 6; do head -c 2000000 /dev/urandom > out/f$i; done && cat out/* | sha256sum > out/sum && echo done
    inputs: [in.txt]
    outputs: [out/**]
`;
    const dir = tempDir({ "in.txt": "1", "jobs.yaml": big });
    for (let round = 0; round < 6; round++) {
      writeFileSync(join(dir, "in.txt"), String(round));
      const delay = Math.floor(Math.random() * 40);
      await cli(["run", "jobs.yaml", "-o", "json"], {
        cwd: dir,
        onStdout: (text, child) => {
          if (text.includes('"job:exit"')) setTimeout(() => child.kill("SIGKILL"), delay);
        },
      });
      rmSync(join(dir, "out"), { recursive: true, force: true });
      const after = withEvents(await cli(["run", "jobs.yaml", "-o", "json"], { cwd: dir }), dir);
      expect(after.code).toBe(0);
      // Cached or run again, the outputs are whole: their checksum matches what the job wrote.
      const sum = readFileSync(join(dir, "out/sum"), "utf8").split(" ")[0];
      const { createHash } = await import("node:crypto");
      const h = createHash("sha256");
      for (let i = 1; i <= 6; i++) h.update(readFileSync(join(dir, `out/f${i}`)));
      expect(h.digest("hex")).toBe(sum);
      expect(after.stderr).not.toMatch(/ignoring/);
    }
  }, 60_000);
});
