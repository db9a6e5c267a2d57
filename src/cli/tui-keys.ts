// The tui's keys (SPEC §11), a thin adapter: a key moves the tui's selection, or becomes a request
// on the run's door (`RunControl`), whose answer the tui shows. `q` is a first Ctrl-C.
import type { TuiView } from "../report/tui-view.js";
import type { RunControl } from "../run/control.js";
import { readKeys } from "./terminal-keys.js";

const VERBS = { r: "restart", s: "stop", S: "start" } as const;

/** Reads the keys until the returned function is called (which restores the terminal's mode). */
export function startKeys(view: TuiView, door: RunControl): () => void {
  let quitting = false;
  return readKeys((key) => {
    switch (key) {
      case "up":
      case "down":
        return view.move(key === "up" ? -1 : 1);
      case "l":
        return view.toggleLines();
      case "?":
        return view.toggleHelp();
      case "q":
        if (quitting) return view.say("the run is ending (Ctrl-C kills every job at once)");
        quitting = true;
        view.say("ending the run");
        process.kill(process.pid, "SIGINT");
        return;
      case "r":
      case "s":
      case "S": {
        const verb = VERBS[key];
        const job = view.selected;
        if (job === undefined) return view.say(`${key}: select a job first (↑/↓)`);
        view.say(`${verb} ${job}…`);
        void door
          .command({ verb, jobs: [job] })
          .then((answer) => view.say(`${verb} ${job}: ${answer.ok ? "done" : answer.error}`));
        return;
      }
    }
  });
}
