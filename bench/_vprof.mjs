import { generateJobFile } from "/work/main/bench/gen.mjs";
import { loadText } from "/work/main/dist/load/index.js";
import { parseDocument } from "/work/main/node_modules/yaml/dist/index.js";

const text = generateJobFile(10000);
for (let i = 0; i < 3; i++) {
  loadText(text, "bench.yaml");
  parseDocument(text, { uniqueKeys: false });
}
let a = 0,
  b = 0;
for (let i = 0; i < 6; i++) {
  let t = performance.now();
  loadText(text, "bench.yaml");
  a += performance.now() - t;
  t = performance.now();
  parseDocument(text, { uniqueKeys: false });
  b += performance.now() - t;
}
console.log("loadText", (a / 6).toFixed(0), "parse", (b / 6).toFixed(0), "ratio", (a / b).toFixed(2));
