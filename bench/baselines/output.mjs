// Writes MB megabytes of short numbered lines to stdout as fast as the pipe takes them. Usage: output.mjs MB [single]
// With "single", writes one line of that size instead.
const [mb = 150, mode] = process.argv.slice(2);
const total = Number(mb) * 1024 * 1024;
if (mode === "single") {
  process.stdout.write(`${"x".repeat(total)}\n`);
} else {
  let block = "";
  for (let i = 0; block.length < 64 * 1024; i++) block += `line ${i} of the output benchmark\n`;
  const chunk = Buffer.from(block);
  let written = 0;
  const pump = () => {
    while (written < total) {
      written += chunk.length;
      if (!process.stdout.write(chunk)) return process.stdout.once("drain", pump);
    }
  };
  pump();
}
