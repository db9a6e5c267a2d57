#!/usr/bin/env node
// procflow's entry point: the bundled CLI (see scripts/bundle.mjs).
import { main } from "../dist/cli-bundle/procflow.js";

main();
