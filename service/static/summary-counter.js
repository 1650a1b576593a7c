// Live character counter for textareas with data-max (trích ngang: at most half a page).
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-max]")) {
    const max = Number(area.dataset.max);
    const counter = document.createElement("div");
    counter.className = "counter muted";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    const update = () => {
      // As the server counts (domain/summaries.py): characters of the NFC form, so text typed or pasted in
      // decomposed form (a base letter plus combining marks) counts as what it shows.
      const used = [...area.value.normalize("NFC").trim()].length;
      counter.textContent = `${used} / ${max} ký tự`;
      counter.classList.toggle("over", used > max);
      area.setCustomValidity(used > max ? `Trích ngang dài quá nửa trang (${max} ký tự).` : "");
    };
    area.addEventListener("input", update);
    update();
  }
});
