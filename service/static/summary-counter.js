// Live character counter for textareas with data-max (trích ngang: at most half a page). The page gives the
// words in its language: data-counter-unit ("ký tự") and data-over-message, where {max} stands for the limit.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-max]")) {
    const max = Number(area.dataset.max);
    const unit = area.dataset.counterUnit || "ký tự";
    const over = (area.dataset.overMessage || "Trích ngang dài quá nửa trang ({max} ký tự).").replace("{max}", max);
    const counter = document.createElement("div");
    counter.className = "counter muted";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    const update = () => {
      // As the server counts (domain/summaries.py): characters of the NFC form, so text typed or pasted in
      // decomposed form (a base letter plus combining marks) counts as what it shows.
      const used = [...area.value.normalize("NFC").trim()].length;
      counter.textContent = `${used} / ${max} ${unit}`;
      counter.classList.toggle("over", used > max);
      area.setCustomValidity(used > max ? over : "");
    };
    area.addEventListener("input", update);
    update();
  }
});
