// A job's `target` as written, `./module.mjs#export`, split into module and export (#default when omitted).

export const parseTarget = (target: string): { module: string; export: string } => {
  const hash = target.lastIndexOf("#");
  return hash === -1
    ? { module: target, export: "default" }
    : { module: target.slice(0, hash), export: target.slice(hash + 1) || "default" };
};
