// The process editor page: mounts the bundled modeler (window.ThiduaModeler) on the version's XML; saving
// posts the XML to /processes/deploy, which validates first. Problems are listed (id + message) and the
// offending elements get the "bpmn-problem" marker; on success the page goes to the new version.
// The editor's own labels (palette, context pad, menus, properties panel) come translated from the catalogue the
// page embeds as JSON (#modeler-i18n, from service/web/i18n.py); anything missing there stays in bpmn-js's English.
// window.thiduaModeler is the bpmn-js instance (tests drive precise edits through its API).
(() => {
  "use strict";
  document.addEventListener("DOMContentLoaded", async () => {
    const box = document.querySelector("[data-testid=modeler]");
    if (!box) return;
    const status = document.getElementById("modeler-status");
    const list = document.getElementById("modeler-problems");
    const catalogue = document.getElementById("modeler-i18n");
    const modeler = window.ThiduaModeler({
      translations: catalogue ? JSON.parse(catalogue.textContent) : {},
      container: document.getElementById("modeler-canvas"),
      propertiesPanel: { parent: document.getElementById("modeler-panel") },
    });
    window.thiduaModeler = modeler;
    let marked = [];
    try {
      await modeler.importXML(document.getElementById("modeler-xml").value);
      modeler.get("canvas").zoom("fit-viewport", "auto");
      box.dataset.ready = "true";
    } catch (error) {
      status.textContent = error.message;
      box.dataset.ready = "error";
      return;
    }

    function showProblems(problems) {
      const canvas = modeler.get("canvas");
      const registry = modeler.get("elementRegistry");
      for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, "bpmn-problem");
      marked = [];
      list.replaceChildren();
      for (const p of problems) {
        const item = document.createElement("li");
        item.dataset.elementId = p.element_id || "";
        item.textContent = `${p.element_id || "—"}${p.line ? ` (${p.line})` : ""}: ${p.message}`;
        list.append(item);
        if (p.element_id && registry.get(p.element_id)) {
          canvas.addMarker(p.element_id, "bpmn-problem");
          marked.push(p.element_id);
        }
      }
    }

    document.getElementById("modeler-save").addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "…";
      box.dataset.saved = "pending";
      const { xml } = await modeler.saveXML({ format: true });
      const comment = event.target.elements.comment.value;
      const response = await fetch(box.dataset.deployUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf },
        body: JSON.stringify({ xml, comment }),
      });
      const data = await response.json().catch(() => ({ ok: false, problems: [{ message: `HTTP ${response.status}` }] }));
      if (data.ok && !data.created) {
        // Nothing changed: no version was made; stay in the editor and say so.
        showProblems([]);
        box.dataset.saved = "unchanged";
        status.textContent = data.message || `v${data.version}`;
      } else if (data.ok) {
        showProblems([]);
        box.dataset.saved = "ok";
        box.dataset.versionId = String(data.version_id);
        status.textContent = `v${data.version}`;
        window.location.assign(data.url);
      } else {
        box.dataset.saved = "invalid";
        status.textContent = data.message || `HTTP ${response.status}`;
        showProblems(data.problems || []);
      }
    });
  });
})();
