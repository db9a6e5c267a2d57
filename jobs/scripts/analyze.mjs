// The seed's log-analysis worker: analyses in rounds and crashes on the round given by --fail-after.
const failAfter = Number(process.argv[process.argv.indexOf("--fail-after") + 1] ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let round = 1; ; round++) {
  await sleep(500);
  console.log(`P2: analysing the server's logs (round ${round})...`);
  await sleep(1000);
  if (round === failAfter) {
    console.error(`P2: RuntimeError in round ${round}`);
    process.exit(1);
  }
}
