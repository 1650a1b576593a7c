// Process diagram on dossier, task and process pages: bpmn-js (bundled, served locally) with the path marked.
// The page gives the JSON's URL in data-diagram-url: {xml, completed, current, cancelled}.
// window.thiduaDiagram.show(xml, marks) draws another diagram in the same viewer (admins, tests).
// The diagram opens at a readable size, never below READABLE_ZOOM (the shipped chain fitted whole to a 1366 px
// screen would be a third of its size, its names about 4 px high) and never blown up past its own size (MAX_ZOOM):
// - whole, fitted to its box, nothing to scroll, where that is readable (data-fit "whole");
// - else fitted to the box's width, or at READABLE_ZOOM where that is too narrow (data-fit "readable"): the drawing
//   is then wider and/or taller than the box, which scrolls it (its scrollbars, the wheel, dragging the diagram),
//   opened with the current step in the middle of the box (as near as the drawing's edges allow); a finished process
//   (no step waiting) at the end event it reached; else top left.
// A click (not a drag) on a diagram drawn below its own size shows it at its own size around the point clicked
// ("magnified"), another click returns to the opening fit. data-fit is "pending" while the box is hidden: a box hidden
// at load (a tab, a fold) is fitted when it is shown, and any box again when its width or the screen's height changes.
// Flow labels the file places over another label, a shape or their own flow (a BPMN without label positions:
// bpmn-js puts each at its flow's middle, two flows leaving a gateway side by side get theirs on top of each other)
// are moved along their flow to the nearest free place; the names of events and gateways (any shape's outside label)
// a flow line crosses, or lying over another shape or label (a file without their positions: bpmn-js puts each under
// its shape, where a gateway's flows leave downwards; a diagram drawn by another tool) are moved to the nearest free
// place around their shape, above or below it (slid sideways, away from the flows attached) or beside it, best not
// across a lane's border. data-labels-moved: the flows and shapes whose labels moved. The stored BPMN never changes.
// Lanes are named by code ("chairman@province"); a page that gives their words in <script type="application/json"
// id="lane-labels"> (from its route, in the page's locale) shows those instead, the code kept as the lane's tooltip.
// Other elements (steps, events, gateways, flows, the pool) are named in the BPMN's words; a page in English gives the
// shipped chain's names in English in <script type="application/json" id="element-labels"> (BPMN name → English),
// which the diagram shows instead (the BPMN's name kept as the tooltip, and in data-name-vi), before any label is
// moved clear of the others. A name the page does not give (an admin's own) stays as written.
(() => {
  "use strict";
  const MARKERS = { completed: "path-done", cancelled: "path-cancelled", current: "path-current" };
  const READABLE_ZOOM = 0.7; // bpmn-js's 12 px labels at about 8.5 px: the smallest an official reads without zooming
  const MAX_ZOOM = 1; // a small diagram is not blown up
  const MAGNIFIED_ZOOM = 1; // a click on a diagram drawn smaller shows it at its own size (magnify)
  const DRAG_SLOP = 4; // CSS pixels the pointer may move between press and release for a click (more: a drag)
  const PAD = 24; // diagram units of white space around the drawing
  const LOGO_ROOM = 32; // CSS pixels under the drawing for the bpmn.io logo bpmn-js draws in the bottom right corner
  const LABEL_OFFSETS = [3, 12, 24, 36]; // diagram units between a moved label and its flow, nearest first
  const LABEL_MARGIN = 2; // diagram units kept free around labels and shapes
  const NAME_OFFSETS = [4, 8, 14, 20, 28, 36]; // diagram units between a moved event's or gateway's name and its shape
  const NAME_SLIDE = 4; // diagram units between two places tried along a side of the shape
  const NAME_CLEARANCE = 4; // diagram units kept free between such a name and a flow line (a default flow's slash)
  const BORDER_COST = 40; // a name across the border of a lane, a pool or the sub-process it is in: this much further
  let viewer = null;
  let shownAt = null; // the current step of the diagram shown, to open at again when the box is resized
  let labelsSeparated = false; // whether the diagram shown had its flow labels moved apart (separateLabels)

  // The drawing's bounds in diagram units, from the model (an SVG in a hidden box measures nothing).
  function drawingBounds() {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const add = (x, y) => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); };
    for (const element of viewer.get("elementRegistry").getAll()) {
      if (element.waypoints) element.waypoints.forEach((p) => add(p.x, p.y));
      else if (element.parent && Number.isFinite(element.x)) {
        add(element.x, element.y);
        add(element.x + element.width, element.y + element.height);
      }
    }
    if (x0 === Infinity) return { x: 0, y: 0, width: 2 * PAD, height: 2 * PAD };
    return { x: x0 - PAD, y: y0 - PAD, width: x1 - x0 + 2 * PAD, height: y1 - y0 + 2 * PAD };
  }

  // The most the box grows to (its CSS max-height, less its borders), in CSS pixels.
  function roomHeight(box) {
    const css = getComputedStyle(box);
    let limit = parseFloat(css.maxHeight);
    if (!Number.isFinite(limit)) limit = window.innerHeight * 0.72;
    if (css.boxSizing === "border-box") limit -= parseFloat(css.borderTopWidth) + parseFloat(css.borderBottomWidth);
    return Math.max(limit, 100);
  }

  // Draw the diagram at `zoom`: the viewer's own element (the holder) as large as the drawing at that zoom, never
  // narrower than the box (the drawing then centred in it), with LOGO_ROOM under it; the box scrolls the rest.
  function draw(box, area, zoom) {
    const canvas = viewer.get("canvas");
    const holder = box.querySelector(".bjs-container") || box;
    const pixels = (units) => Math.ceil(units * zoom - 0.01); // whole pixels, a fitted size not rounded past its room
    holder.style.width = `${Math.max(box.clientWidth, pixels(area.width))}px`;
    holder.style.height = `${pixels(area.height) + LOGO_ROOM}px`;
    canvas.resized();
    const viewWidth = holder.clientWidth / zoom;
    canvas.viewbox({ x: area.x - (viewWidth - area.width) / 2, y: area.y, width: viewWidth,
                     height: holder.clientHeight / zoom }); // prettier-ignore
    box.dataset.zoom = String(canvas.zoom());
    return canvas.viewbox();
  }

  // The opening fit (module comment): whole when that is readable, else readable and scrolled to the current step.
  function fit(box, current) {
    if (!box.clientWidth) {
      box.dataset.fit = "pending"; // hidden: fitted when shown (watch)
      return;
    }
    if (!labelsSeparated) {
      box.dataset.labelsMoved = separateLabels().join(" ");
      labelsSeparated = true;
    }
    const holder = box.querySelector(".bjs-container") || box;
    const area = drawingBounds();
    const room = Math.floor(roomHeight(box)) - LOGO_ROOM;
    holder.style.width = "0px"; // the box's width without the scrollbars an earlier size brought
    holder.style.height = "0px";
    let mode = "whole", zoom = 1, view = null;
    // Twice at most: a vertical scrollbar the first size brings takes width from the box.
    for (let pass = 0, available = -1; pass < 2 && available !== box.clientWidth; pass += 1) {
      available = box.clientWidth;
      const whole = Math.min(MAX_ZOOM, available / area.width, room / area.height);
      mode = whole >= READABLE_ZOOM ? "whole" : "readable";
      zoom = mode === "whole" ? whole : Math.min(MAX_ZOOM, Math.max(READABLE_ZOOM, available / area.width));
      view = draw(box, area, zoom);
    }
    // Scrolling: open with the step waiting now in the middle of the box (as near as its edges let it be).
    const at = mode === "readable" && current && viewer.get("elementRegistry").get(current);
    box.scrollLeft = at ? Math.max(0, (at.x + at.width / 2 - view.x) * zoom - box.clientWidth / 2) : 0;
    box.scrollTop = at ? Math.max(0, (at.y + at.height / 2 - view.y) * zoom - box.clientHeight / 2) : 0;
    box.dataset.fit = mode;
    cursor(box);
  }

  // Fit again when the box's width changes (it was hidden and is shown, a resized window) or the screen's height.
  function watch(box) {
    let width = box.offsetWidth, height = window.innerHeight, frame = 0;
    const again = () => {
      if (box.offsetWidth === width && window.innerHeight === height && box.dataset.fit !== "pending") return;
      width = box.offsetWidth;
      height = window.innerHeight;
      cancelAnimationFrame(frame); // after this frame's layout: no resize loop
      frame = requestAnimationFrame(() => { if (viewer && box.dataset.ready === "true") fit(box, shownAt); });
    };
    if (window.ResizeObserver) new ResizeObserver(again).observe(box);
    window.addEventListener("resize", again);
    document.addEventListener("toggle", again, true); // a <details> opened (where there is no ResizeObserver)
  }

  const overlaps = (a, b, margin = 0) => a.x < b.x + b.width + margin && b.x < a.x + a.width + margin
    && a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;

  // Whether the segment p-q runs through the inside of the box (clipped to it: Liang-Barsky).
  function crosses(p, q, box) {
    const dx = q.x - p.x, dy = q.y - p.y;
    let start = 0, end = 1;
    const sides = [[-dx, p.x - box.x], [dx, box.x + box.width - p.x],
                   [-dy, p.y - box.y], [dy, box.y + box.height - p.y]]; // prettier-ignore
    for (const [towards, room] of sides) {
      if (towards === 0) {
        if (room <= 0) return false; // along a side or outside it
      } else if (towards < 0) start = Math.max(start, room / towards);
      else end = Math.min(end, room / towards);
    }
    return start < end;
  }

  const grown = (box, margin) => ({ x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin,
                                    height: box.height + 2 * margin }); // prettier-ignore
  const inside = (box, outer) => box.x >= outer.x && box.y >= outer.y && box.x + box.width <= outer.x + outer.width
    && box.y + box.height <= outer.y + outer.height;

  // Places for a box of `size` around the shape `node`: under and over it (slid from one side of it to the other),
  // beside it (slid up and down), nearest first; each with its distance from `from` (a box's centre).
  function placesAround(node, size, from) {
    const { width, height } = size;
    const cx = node.x + node.width / 2, cy = node.y + node.height / 2;
    const across = (node.width + width) / 2 + NAME_SLIDE, upright = (node.height + height) / 2 + NAME_SLIDE;
    const places = [];
    for (const off of NAME_OFFSETS) {
      for (let slide = -across; slide <= across; slide += NAME_SLIDE) {
        const x = Math.round(cx - width / 2 + slide);
        places.push({ x, y: node.y + node.height + off, width, height });
        places.push({ x, y: node.y - off - height, width, height });
      }
      for (let slide = -upright; slide <= upright; slide += NAME_SLIDE) {
        const y = Math.round(cy - height / 2 + slide);
        places.push({ x: node.x + node.width + off, y, width, height });
        places.push({ x: node.x - off - width, y, width, height });
      }
    }
    for (const place of places) {
      place.distance = Math.hypot(place.x + width / 2 - from.x, place.y + height / 2 - from.y);
    }
    return places.sort((a, b) => a.distance - b.distance);
  }

  // Places beside the flow for a label's box, every 4 % of its length: above or below a level run, beside an upright
  // one, near the line first, then further off (a flow shorter than its label has no room between its ends).
  function placesAlong(flow, size) {
    const points = flow.waypoints;
    const runs = [];
    let length = 0;
    for (let i = 1; i < points.length; i += 1) {
      const run = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
      runs.push({ from: points[i - 1], to: points[i], start: length, run });
      length += run;
    }
    const places = [];
    const { width, height } = size;
    for (let step = 1; step < 25; step += 1) {
      const at = (length * step) / 25;
      const r = runs.find((x) => at <= x.start + x.run) || runs[runs.length - 1];
      if (!r || !r.run) continue;
      const t = (at - r.start) / r.run;
      const x = r.from.x + (r.to.x - r.from.x) * t, y = r.from.y + (r.to.y - r.from.y) * t;
      for (const off of LABEL_OFFSETS) {
        if (Math.abs(r.to.x - r.from.x) >= Math.abs(r.to.y - r.from.y)) {
          places.push({ x: x - width / 2, y: y - off - height, width, height });
          places.push({ x: x - width / 2, y: y + off, width, height });
        } else {
          places.push({ x: x + off, y: y - height / 2, width, height });
          places.push({ x: x - off - width, y: y - height / 2, width, height });
        }
      }
    }
    return places;
  }

  // A label's box: its bounds, grown to its text as drawn when the box is shown (fonts differ from bpmn-js's guess).
  function labelBox(label, registry) {
    const box = { x: label.x, y: label.y, width: label.width, height: label.height };
    const text = registry.getGraphics(label) && registry.getGraphics(label).querySelector("text");
    const drawn = text && text.getBBox && text.getBBox(); // in the label's own coordinates
    if (!drawn || !drawn.width) return box;
    const x0 = Math.min(box.x, label.x + drawn.x), y0 = Math.min(box.y, label.y + drawn.y);
    const x1 = Math.max(box.x + box.width, label.x + drawn.x + drawn.width);
    const y1 = Math.max(box.y + box.height, label.y + drawn.y + drawn.height);
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  // Move each event's and gateway's name (a shape's outside label) that a flow crosses or that lies over another
  // shape or label to the nearest free place around its shape (placesAround), preferring places across no border
  // (of a lane, a pool, the sub-process or group around the shape).
  // Names already clear stay where the file (or bpmn-js) put them; one with no free place around it too.
  // Returns the ids of the shapes whose names moved.
  function separateNames(labels, boxes, shapes, flows, lanes, move) {
    const moved = [];
    for (const label of labels) {
      const node = label.labelTarget;
      if (node.waypoints || !Number.isFinite(node.x)) continue;
      const around = shapes.filter((s) => s !== node && inside(node, s)); // a sub-process, a group: no obstacle
      const obstacles = shapes.filter((s) => s !== node && !around.includes(s));
      const borders = [...lanes, ...around];
      const blocked = (place) => {
        const wide = grown(place, NAME_CLEARANCE);
        return obstacles.some((s) => overlaps(place, s, LABEL_MARGIN))
          || labels.some((other) => other !== label && overlaps(place, boxes.get(other), LABEL_MARGIN))
          || flows.some((flow) => flow.waypoints.some((p, i, points) => i > 0 && crosses(points[i - 1], p, wide)));
      };
      const box = boxes.get(label);
      if (!blocked(box)) continue;
      const across = (place) => borders.filter((b) => overlaps(place, b) && !inside(place, b)).length;
      let best = null, bestScore = Infinity;
      for (const place of placesAround(node, box, { x: box.x + box.width / 2, y: box.y + box.height / 2 })) {
        if (place.distance >= bestScore) break; // nearest first: nothing further on scores less
        if (blocked(place)) continue;
        const score = place.distance + BORDER_COST * across(place);
        if (score < bestScore) [best, bestScore] = [place, score];
      }
      if (best && move(label, box, best)) moved.push(node.id);
    }
    return moved;
  }

  // Move the names of events and gateways clear (separateNames), then each flow label lying over another label, a
  // shape or its own flow to the nearest free place along its flow, preferring places no other flow runs through.
  // Labels already clear stay where the file (or bpmn-js) put them. Returns the ids of the elements whose labels moved.
  function separateLabels() {
    const registry = viewer.get("elementRegistry");
    const graphics = viewer.get("graphicsFactory");
    const all = registry.getAll();
    const labels = all.filter((e) => e.type === "label" && e.labelTarget);
    const boxes = new Map(labels.map((label) => [label, labelBox(label, registry)]));
    const shapes = all.filter((e) => e.parent && !e.waypoints && e.type !== "label" && !e.labelTarget
      && !["bpmn:Lane", "bpmn:Participant"].includes(e.type) && Number.isFinite(e.x));
    const lanes = all.filter((e) => ["bpmn:Lane", "bpmn:Participant"].includes(e.type) && Number.isFinite(e.x));
    const flows = all.filter((e) => e.waypoints);
    const move = (label, box, place) => {
      const dx = Math.round(place.x - box.x), dy = Math.round(place.y - box.y);
      if (!dx && !dy) return false;
      label.x += dx;
      label.y += dy;
      boxes.set(label, { ...box, x: box.x + dx, y: box.y + dy });
      graphics.update("shape", label, registry.getGraphics(label));
      return true;
    };
    const names = separateNames(labels, boxes, shapes, flows, lanes, move);
    const onItsFlow = (label, place) => label.labelTarget.waypoints.some(
      (p, i, points) => i > 0 && crosses(points[i - 1], p, place));
    const blocked = (label, place) => shapes.some((s) => overlaps(place, s, LABEL_MARGIN))
      || labels.some((other) => other !== label && overlaps(place, boxes.get(other), LABEL_MARGIN))
      || onItsFlow(label, place);
    const moved = [];
    for (const label of labels) {
      const flow = label.labelTarget;
      const box = boxes.get(label);
      if (!flow.waypoints || !blocked(label, box)) continue;
      const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      let best = null, bestScore = Infinity;
      for (const place of placesAlong(flow, box)) {
        if (blocked(label, place)) continue;
        let score = Math.hypot(place.x + place.width / 2 - centre.x, place.y + place.height / 2 - centre.y);
        for (const other of flows) {
          if (other === flow) continue;
          for (let i = 1; i < other.waypoints.length; i += 1) {
            if (crosses(other.waypoints[i - 1], other.waypoints[i], place)) score += 60;
          }
        }
        if (score < bestScore) [best, bestScore] = [place, score];
      }
      if (!best) continue; // nowhere free along the flow: left as drawn
      if (move(label, box, best)) moved.push(flow.id);
    }
    return [...names, ...moved];
  }

  // The diagram at its own size (MAGNIFIED_ZOOM), the box scrolling it, the point clicked kept under the pointer.
  function magnify(box, click) {
    const holder = box.querySelector(".bjs-container") || box;
    const seen = holder.getBoundingClientRect(), before = viewer.get("canvas").viewbox();
    const point = { x: before.x + (click.clientX - seen.left) / before.scale,
                    y: before.y + (click.clientY - seen.top) / before.scale }; // prettier-ignore
    const view = draw(box, drawingBounds(), MAGNIFIED_ZOOM);
    const shown = box.getBoundingClientRect();
    box.scrollLeft = (point.x - view.x) * view.scale - (click.clientX - shown.left - box.clientLeft);
    box.scrollTop = (point.y - view.y) * view.scale - (click.clientY - shown.top - box.clientTop);
    box.dataset.fit = "magnified";
  }

  // The wheel and a drag scroll the box (native scrollbars) instead of moving the drawing inside it. A click (a press
  // let go without the pointer having moved more than DRAG_SLOP: no drag) on a diagram drawn below its own size shows
  // it at its own size there (magnify); a click on a magnified one returns to the opening fit.
  function scrollByDragging(box) {
    viewer.get("zoomScroll").toggle(false);
    viewer.get("eventBus").on("element.mousedown", 1500, (event) => {
      const start = event.originalEvent;
      if (!start || start.button !== 0) return undefined;
      const from = { x: start.clientX, y: start.clientY, left: box.scrollLeft, top: box.scrollTop };
      const holder = box.querySelector(".bjs-container") || box;
      let dragged = false;
      const move = (e) => {
        if (!dragged && Math.hypot(e.clientX - from.x, e.clientY - from.y) <= DRAG_SLOP) return;
        dragged = true;
        holder.style.cursor = "grabbing";
        box.scrollLeft = from.left - (e.clientX - from.x);
        box.scrollTop = from.top - (e.clientY - from.y);
      };
      const stop = (e) => {
        document.removeEventListener("mousemove", move);
        document.removeEventListener("mouseup", stop);
        if (!dragged && Math.hypot(e.clientX - from.x, e.clientY - from.y) > DRAG_SLOP) dragged = true;
        if (!dragged && box.dataset.ready === "true") {
          if (box.dataset.fit === "magnified") fit(box, shownAt);
          else if (Number(box.dataset.zoom) < MAGNIFIED_ZOOM * 0.95) magnify(box, e);
        }
        cursor(box);
      };
      document.addEventListener("mousemove", move);
      document.addEventListener("mouseup", stop);
      return false; // not bpmn-js's own canvas move
    });
  }

  // The pointer tells what a click does (magnify, or back to the opening fit), else that a drag scrolls the box.
  function cursor(box) {
    const holder = box.querySelector(".bjs-container");
    if (!holder) return;
    const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (box.dataset.fit === "magnified") holder.style.cursor = "zoom-out";
    else if (Number(box.dataset.zoom) < MAGNIFIED_ZOOM * 0.95) holder.style.cursor = "zoom-in";
    else holder.style.cursor = scrolls ? "grab" : "default";
  }

  // The page's lane names → words (id "lane-labels") or element names → English (id "element-labels"), or {} when
  // it gives none (or something unreadable: the names then stay as the BPMN gives them).
  function pageLabels(id) {
    const tag = document.getElementById(id);
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

  // Redraw each element (other than a lane) whose name the page translates, and its outside label (an event's, a
  // gateway's, a flow's name) with it. Only the viewer's copy changes, never the stored BPMN.
  function relabelElements(labels) {
    const registry = viewer.get("elementRegistry");
    const graphics = viewer.get("graphicsFactory");
    const named = registry.filter((e) => e.type !== "bpmn:Lane" && e.type !== "label" && e.businessObject
      && Object.prototype.hasOwnProperty.call(labels, (e.businessObject.name || "").trim()));
    for (const element of named) {
      const name = element.businessObject.name.trim();
      element.businessObject.name = labels[name];
      const kind = element.waypoints ? "connection" : "shape";
      for (const shown of [element, ...(element.labels || [])]) {
        const gfx = registry.getGraphics(shown);
        if (!gfx) continue;
        graphics.update(shown === element ? kind : "shape", shown, gfx);
        gfx.setAttribute("data-name-vi", name);
        const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        title.textContent = name;
        gfx.querySelector(".djs-visual").appendChild(title);
      }
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
      relabelLanes(pageLabels("lane-labels"));
      relabelElements(pageLabels("element-labels"));
      labelsSeparated = false; // at the first fit of the box shown (labelBox measures the text as drawn)
      box.dataset.labelsMoved = "";
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      for (const [key, css] of Object.entries(MARKERS)) {
        for (const id of data[key] || []) if (registry.get(id)) canvas.addMarker(id, css);
      }
      // Open at the step waiting now, or, when the process has ended, at the end it reached (completed end event).
      shownAt = (data.current || [])[0]
        || (data.completed || []).find((id) => registry.get(id) && registry.get(id).type === "bpmn:EndEvent");
      fit(box, shownAt);
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
    watch(box);
  });
})();
