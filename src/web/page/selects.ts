// Props that let an element (a graph node, a timeline row) be chosen by click, Enter or Space, and be
// reached with Tab.
export const selects = (choose: () => void) => ({
  role: "button" as const,
  tabIndex: 0,
  onClick: choose,
  onKeyDown: (e: KeyboardEvent) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    e.preventDefault();
    choose();
  },
});
