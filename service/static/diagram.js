// Process diagram on dossier, task and process pages: bpmn-js (bundled, served locally) with the path marked.
// The page gives the JSON's URL in data-diagram-url: {xml, completed, current, cancelled}.
// window.thiduaDiagram.show(xml, marks) draws another diagram in the same viewer (admins, tests).
(() => {
  "use strict";
  const MARKERS = { completed: "path-done", cancelled: "path-cancelled", current: "path-current" };
  let viewer = null;

  function report(box, message) {
    const status = box.querySelector(".diagram-status");
    if (!status) return;
    status.hidden = !message;
    if (message) status.textContent = `${box.dataset.errorLabel || "Không hiển thị được sơ đồ"}: ${message}`;
  }

  // Import errors are shown on the page and returned, never thrown: a bad file must not break the page.
  async function show(box, data) {
    window.__diagramWarnings = null;
    window.__diagramError = null;
    box.dataset.ready = "loading";
    try {
      if (!window.BpmnJS) throw new Error("bpmn-js chưa được đóng gói (make install)");
      viewer = viewer || new window.BpmnJS({ container: box, height: "100%" });
      const { warnings } = await viewer.importXML(data.xml);
      window.__diagramWarnings = warnings.map((w) => w.message);
      box.dataset.warnings = String(warnings.length);
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      for (const [key, css] of Object.entries(MARKERS)) {
        for (const id of data[key] || []) if (registry.get(id)) canvas.addMarker(id, css);
      }
      canvas.zoom("fit-viewport", "auto");
      report(box, "");
      box.dataset.ready = "true";
      return { ok: true, warnings: window.__diagramWarnings, elements: registry.getAll().length };
    } catch (error) {
      const message = (error && error.message) || String(error);
      window.__diagramWarnings = ((error && error.warnings) || []).map((w) => w.message);
      window.__diagramError = message;
      report(box, message);
      box.dataset.ready = "error";
      return { ok: false, error: message, warnings: window.__diagramWarnings };
    }
  }

  async function load(box) {
    try {
      const response = await fetch(box.dataset.diagramUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await show(box, await response.json());
    } catch (error) {
      report(box, error.message);
      box.dataset.ready = "error";
      return { ok: false, error: error.message };
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.querySelector("[data-diagram-url]");
    if (!box) return;
    window.thiduaDiagram = { show: (xml, marks = {}) => show(box, { ...marks, xml }), get viewer() { return viewer; } };
    load(box);
  });
})();
