// The page's files, bundled at build time into dist/web/ (scripts/bundle.mjs) and shipped in the
// package: the page needs nothing from the network.
import { readFileSync } from "node:fs";
import { packageRoot } from "../paths.js";

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "page.js": "text/javascript; charset=utf-8",
  "page.css": "text/css; charset=utf-8",
};

const cache = new Map<string, Buffer>();

/** A built file of the page by name (`page.js`). */
export function readAsset(name: string): Buffer {
  let body = cache.get(name);
  if (!body) {
    try {
      body = readFileSync(`${packageRoot}/dist/web/${name}`);
    } catch {
      throw new Error(`procflow: the web page is not built (dist/web/${name} is missing: run npm run build)`);
    }
    cache.set(name, body);
  }
  return body;
}

/** The file served at a URL path (`/` is the page), or undefined. */
export function pageFile(path: string): Asset | undefined {
  const name = path === "/" ? "index.html" : path.slice(1);
  const type = TYPES[name];
  return type ? { type, body: readAsset(name) } : undefined;
}
