// JavaScript targets for jobs/processes.yaml: the seed's Process(target, args) examples.

/** os.getpid() / os.getppid(): the parent of a job is procflow itself. */
export function pids() {
  console.log(`child pid ${process.pid}, parent pid ${process.ppid}`);
  return { pid: process.pid, ppid: process.ppid };
}

/** Process(target=func, args=(m, n)): arguments arrive as the function's arguments. */
export function greet(name, times) {
  for (let i = 0; i < times; i++) console.log(`hello, ${name} (${i + 1}/${times})`);
  return `${name} greeted ${times} times`;
}

/** A subclass of Process with run(): constructed with the args, then run() is called. */
export class MyProcess {
  constructor(arg) {
    this.arg = arg;
  }

  async run() {
    console.log(`MyProcess.run with ${JSON.stringify(this.arg)}, pid ${process.pid}`);
    return { arg: this.arg, pid: process.pid };
  }
}

/** Isolated memory: each job has its own copy of this module-level counter. */
let count = 0;

export function increment() {
  count += 1;
  console.log(`count in ${process.env.PROCFLOW_JOB}: ${count}`);
  return count;
}

export function read() {
  console.log(`count in ${process.env.PROCFLOW_JOB}: ${count} (the other job's change is not here)`);
  return count;
}
