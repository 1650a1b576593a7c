// A "select all" box in a table header: input[data-select-all="<name>"] ticks or clears every checkbox of that name
// in its form, and shows itself half-ticked when only some are.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    const boxes = () => [...all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)];
    const show = () => {
      const ticked = boxes().filter((b) => b.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    };
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
      show();
    });
    all.form.addEventListener("change", (event) => { if (event.target !== all) show(); });
    show();
  }
});
