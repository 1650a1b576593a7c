// Process diagram on dossier, task and process pages: bpmn-js (bundled, served locally) with the path marked.
// The page gives the JSON's URL in data-diagram-url: {xml, completed, current, cancelled}.
// window.thiduaDiagram.show(xml, marks) draws another diagram in the same viewer (admins, tests).
// The diagram is drawn at a readable size, never below MIN_ZOOM (the shipped chain fitted to a 1366 px screen would
// be a third of its size, its labels unreadable): fitted to the box's width when that is enough, else wider than
// the box, which then scrolls (its scrollbars, the wheel, or dragging the diagram), opened at the current step.
// Lanes are named by code ("chairman@province"); a page that gives their words in <script type="application/json"
// id="lane-labels"> (from its route, in the page's locale) shows those instead, the code kept as the lane's tooltip.
(() => {
  "use strict";
  const MARKERS = { completed: "path-done", cancelled: "path-cancelled", current: "path-current" };
  const MIN_ZOOM = 0.7; // bpmn-js's 12 px labels at about 8.5 px: the smallest an official reads without zooming
  const MAX_ZOOM = 1; // a small diagram is not blown up
  const PAD = 24; // diagram units of white space around the drawing
  let viewer = null;
  let shownAt = null; // the current step of the diagram shown, to open at again when the window is resized

  // Size the viewer's own element to the drawing at the chosen zoom and show all of it; the box scrolls it.
  function fit(box, current) {
    const canvas = viewer.get("canvas");
    const holder = box.querySelector(".bjs-container") || box;
    const inner = canvas.viewbox().inner; // the drawing's bounds, in diagram units
    const width = inner.width + 2 * PAD, height = inner.height + 2 * PAD;
    let zoom = MIN_ZOOM;
    // Twice at most: a vertical scrollbar the first size brings takes width from the box.
    for (let pass = 0, available = -1; pass < 2 && available !== box.clientWidth; pass += 1) {
      available = box.clientWidth;
      zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, available / width));
      holder.style.width = `${Math.max(available, Math.ceil(width * zoom))}px`;
      holder.style.height = `${Math.ceil(height * zoom)}px`;
    }
    canvas.resized();
    canvas.viewbox({ x: inner.x - PAD, y: inner.y - PAD, width: holder.clientWidth / zoom, height: height });
    // Open at the step waiting now: its left part in view, a little space before it.
    const at = current && viewer.get("elementRegistry").get(current);
    box.scrollLeft = at ? Math.max(0, (at.x - inner.x + PAD) * zoom - box.clientWidth / 4) : 0;
    box.scrollTop = at ? Math.max(0, (at.y - inner.y + PAD) * zoom - box.clientHeight / 3) : 0;
  }

  // The wheel and a drag scroll the box (native scrollbars) instead of moving the drawing inside it.
  function scrollByDragging(box) {
    viewer.get("zoomScroll").toggle(false);
    viewer.get("eventBus").on("element.mousedown", 1500, (event) => {
      const start = event.originalEvent;
      if (!start || start.button !== 0) return undefined;
      const from = { x: start.clientX, y: start.clientY, left: box.scrollLeft, top: box.scrollTop };
      const move = (e) => { box.scrollLeft = from.left - (e.clientX - from.x); box.scrollTop = from.top - (e.clientY - from.y); };
      const stop = () => { document.removeEventListener("mousemove", move); document.removeEventListener("mouseup", stop); };
      document.addEventListener("mousemove", move);
      document.addEventListener("mouseup", stop);
      return false; // not bpmn-js's own canvas move
    });
  }

  // The page's lane names → words, or {} when it gives none (or something unreadable: the codes then stay).
  function laneLabels() {
    const tag = document.getElementById("lane-labels");
    if (!tag) return {};
    try {
      const labels = JSON.parse(tag.textContent);
      return labels && typeof labels === "object" ? labels : {};
    } catch (error) {
      return {};
    }
  }

  // Redraw each lane named by a known code with its words. Only the viewer's copy changes, never the stored BPMN.
  function relabelLanes(labels) {
    const registry = viewer.get("elementRegistry");
    const graphics = viewer.get("graphicsFactory");
    for (const lane of registry.filter((element) => element.type === "bpmn:Lane")) {
      const code = (lane.businessObject.name || "").trim();
      if (!Object.prototype.hasOwnProperty.call(labels, code)) continue;
      lane.businessObject.name = labels[code];
      const gfx = registry.getGraphics(lane);
      graphics.update("shape", lane, gfx);
      gfx.setAttribute("data-lane-code", code);
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = code;
      gfx.querySelector(".djs-visual").appendChild(title); // in the drawing: the element's first child must stay it
    }
  }

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
      if (!viewer) {
        viewer = new window.BpmnJS({ container: box, height: "100%" });
        scrollByDragging(box);
      }
      const { warnings } = await viewer.importXML(data.xml);
      window.__diagramWarnings = warnings.map((w) => w.message);
      box.dataset.warnings = String(warnings.length);
      relabelLanes(laneLabels());
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      for (const [key, css] of Object.entries(MARKERS)) {
        for (const id of data[key] || []) if (registry.get(id)) canvas.addMarker(id, css);
      }
      shownAt = (data.current || [])[0];
      fit(box, shownAt);
      box.dataset.zoom = String(canvas.zoom());
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
    let resizing = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(() => { if (viewer && box.dataset.ready === "true") fit(box, shownAt); }, 150);
    });
  });
})();
