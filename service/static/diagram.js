// Process diagram on dossier and task pages: bpmn-js (bundled, served locally) with the path marked.
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.querySelector("[data-diagram-url]");
  if (!box || !window.BpmnJS) return;
  const status = box.querySelector(".diagram-status");
  window.__diagramWarnings = null;
  try {
    const response = await fetch(box.dataset.diagramUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = await response.json();
    const viewer = new window.BpmnJS({ container: box, height: 420 });
    window.__diagramViewer = viewer;
    const { warnings } = await viewer.importXML(data.xml);
    window.__diagramWarnings = warnings.map((w) => w.message);
    box.dataset.warnings = String(warnings.length);
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    const mark = (ids, css) => ids.forEach((id) => registry.get(id) && canvas.addMarker(id, css));
    mark(data.completed, "path-done");
    mark(data.cancelled, "path-cancelled");
    mark(data.current, "path-current");
    canvas.zoom("fit-viewport");
    if (status) status.remove();
    box.dataset.ready = "true";
  } catch (error) {
    window.__diagramWarnings = [String(error)];
    if (status) status.textContent = `Không hiển thị được sơ đồ: ${error.message}`;
    box.dataset.ready = "error";
  }
});
