#!/usr/bin/env node
// procflow's entry point: runs the compiled CLI and turns a crash into exit code 70 with a report address.
import { main } from "../dist/cli/entry.js";

main();
