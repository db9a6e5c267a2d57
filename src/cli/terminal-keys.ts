// Key presses from the terminal on stdin, in raw mode, read only while procflow is in the terminal's
// foreground process group: a background `procflow run &` that read its terminal (or set its mode)
// would be stopped by SIGTTIN (SIGTTOU). Raw mode turns off the terminal's signal keys, so they are
// done here: Ctrl-C (0x03) is a SIGINT to procflow, Ctrl-Z (0x1a) stops its process group as the
// terminal would. The terminal's mode is restored on every way out.
import { fstatSync, readFileSync } from "node:fs";
import { ReadStream } from "node:tty";

/** `up`, `down`, or the character typed. */
export type Key = string;

const CTRL_C = "\x03";
const CTRL_Z = "\x1a";
const POLL_MS = 250;

/** One key each: an escape sequence (CSI or SS3), or one character. */
const KEY = /\x1b(?:\[[0-?]*[ -/]*[@-~]|O[@-~])?|[\s\S]/gu;
const NAMED: Readonly<Record<string, Key>> = {
  "\x1b[A": "up",
  "\x1bOA": "up",
  "\x1b[B": "down",
  "\x1bOB": "down",
};

/** The keys in what was read from the terminal; other escape sequences are dropped. */
const decodeKeys = (text: string): Key[] =>
  (text.match(KEY) ?? []).flatMap((k) => (k in NAMED ? [NAMED[k]!] : k.startsWith("\x1b") ? [] : [k]));

/**
 * Whether procflow is in the foreground process group of the terminal on its stdin: /proc's
 * `tpgid` (field 8) equals its `pgrp` (field 5), and stdin is that terminal (`tty_nr`, field 7).
 * False where there is no /proc (the keys are then not read).
 */
function inForeground(): boolean {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // After "pid (comm) ": state ppid pgrp session tty_nr tpgid …
    const [, , pgrp, , tty, tpgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return pgrp === tpgid && Number(tty) === fstatSync(0).rdev;
  } catch {
    return false;
  }
}

/**
 * Reads keys from stdin (a terminal) for `onKey` until the returned function is called, which
 * puts the terminal back in the mode it had.
 */
export function readKeys(onKey: (key: Key) => void): () => void {
  // A handle of procflow's own, not process.stdin: closing it is what makes libuv forget the mode to
  // restore at exit (which, done from the background after a Ctrl-Z and `bg`, would stop procflow).
  let tty: ReadStream | null = null;
  let closed = false;
  /** While in the background: `fg` of a running job sends no SIGCONT, so the foreground is polled. */
  let poll: NodeJS.Timeout | undefined;

  const onData = (text: string) => {
    for (const key of decodeKeys(text)) {
      if (key === CTRL_C) process.kill(process.pid, "SIGINT");
      else if (key === CTRL_Z) {
        release();
        process.kill(0, "SIGTSTP");
      } else onKey(key);
    }
  };
  /** Reads while procflow is in the foreground; checked again on SIGCONT (after a stop, `fg`, `bg`). */
  const resume = () => {
    if (closed) return;
    if (!inForeground()) {
      tty?.pause();
      poll ??= setInterval(resume, POLL_MS).unref();
      return;
    }
    clearInterval(poll);
    poll = undefined;
    if (!tty) {
      tty = new ReadStream(0);
      tty.setEncoding("utf8");
      tty.on("data", onData);
      tty.on("error", gone);
      tty.on("end", gone);
    }
    // A shell may have set the terminal's mode while procflow was stopped: set raw mode anew.
    // (An error here is the stream's "error" event: `gone` then drops the handle.)
    tty.setRawMode(false).setRawMode(true).resume();
  };
  /** Stops reading and gives the terminal its mode back (not from the background: SIGTTOU). */
  const release = () => {
    const handle = tty;
    if (!handle) return;
    if (!inForeground()) return void handle.pause();
    tty = null;
    handle.setRawMode(false).destroy();
  };
  // A terminal that went away (EIO) ends the keys, not the run.
  const gone = () => {
    closed = true;
    clearInterval(poll);
    tty?.destroy();
    tty = null;
  };

  process.on("SIGCONT", resume);
  // A crash ends the process with process.exit() (entry.ts): the mode is restored then too.
  process.on("exit", release);
  try {
    resume();
  } catch {
    gone(); // no terminal to read after all: no keys
  }
  return () => {
    closed = true;
    clearInterval(poll);
    release();
    process.off("SIGCONT", resume);
    process.off("exit", release);
  };
}
