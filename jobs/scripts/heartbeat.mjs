// The seed's monitor: prints a heartbeat every half second until it is stopped.
setInterval(() => console.log("P1: server alive..."), 500);
console.log("P1: monitor started");
