// The watch example's client: asks the service for a few squares and prints them (writes no file).
const base = `http://127.0.0.1:${process.env.DEMO_PORT ?? 47813}`;
const squares = [];
for (const n of process.argv.slice(2).map(Number))
  squares.push(Number(await (await fetch(`${base}/square?n=${n}`)).text()));
console.log(`squares from the server: ${squares.join(", ")}`);
