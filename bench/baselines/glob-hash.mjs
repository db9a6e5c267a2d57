// Baseline for the cache bench: globs each job's input folder and sha256-hashes every file, all jobs
// at once — what fingerprinting must do at the least. Usage: node glob-hash.mjs <dir> <jobs>
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { glob } from "tinyglobby";

const [dir, jobs] = [process.argv[2], Number(process.argv[3])];
const digests = await Promise.all(
  Array.from({ length: jobs }, async (_, i) => {
    const files = (await glob(`in/j${i}/**`, { cwd: dir, dot: true })).sort();
    const hashes = await Promise.all(
      files.map(async (f) =>
        createHash("sha256")
          .update(await readFile(join(dir, f)))
          .digest("hex"),
      ),
    );
    return createHash("sha256").update(hashes.join()).digest("hex");
  }),
);
if (digests.length !== jobs) process.exit(1);
