// The process editor page: mounts the bundled modeler (window.ThiduaModeler) on the version's XML; saving
// posts the XML to /processes/deploy, which validates first. Problems are listed (id + message) and the
// offending elements get the "bpmn-problem" marker; on success the page goes to the new version.
// The editor's own labels (palette, context pad, menus, properties panel) come translated from the catalogue the
// page embeds as JSON (#modeler-i18n, from service/web/i18n.py); anything missing there stays in bpmn-js's English.
// The diagram opens fitted into the room right of the palette (the modeler's "thiduaView" service), not under it.
// window.thiduaModeler is the bpmn-js instance (tests drive precise edits through its API).
(() => {
  "use strict";

  // Opening a BPMN file drawn in another tool (Camunda Modeler, Signavio, …): the "Mở tệp BPMN…" file input
  // (#modeler-file) or a .bpmn/.xml file dropped on the canvas is read with FileReader and imported into the
  // modeler; nothing is saved until the admin validates and deploys as usual. A file that cannot be imported leaves
  // the diagram being edited as it was. The texts come in the page's language as data-* attributes of
  // #modeler-open ({name}, {count}, {error} filled in here); its data-state says how the last opening went
  // (reading, ok, warnings, error).
  function openFiles(modeler, box) {
    const panel = document.getElementById("modeler-open");
    const input = document.getElementById("modeler-file");
    const canvas = document.getElementById("modeler-canvas");
    if (!panel || !input) return;
    const status = document.getElementById("modeler-open-status");
    const details = document.getElementById("modeler-open-warnings");
    const say = (key, values) => Object.entries(values).reduce(
      (text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), panel.dataset[key] || "");

    function report(state, text, lines = []) {
      panel.dataset.state = state;
      status.textContent = text;
      status.className = { ok: "flash ok", warnings: "flash error", error: "flash error" }[state] || "muted";
      details.replaceChildren(...lines.slice(0, 50).map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }));
    }

    // The file's text, decoded as it says it is written (many tools write ISO-8859-1; a byte-order mark says
    // UTF-16); the declaration then says UTF-8, which the text now is, as the modeler reads no other.
    function decode(buffer) {
      const bytes = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 200));
      const bom = { "254,255": "utf-16be", "255,254": "utf-16le" }[`${bytes[0]},${bytes[1]}`] || null;
      const declared = bom ? null : /^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']/.exec(
        new TextDecoder("iso-8859-1").decode(bytes));
      let decoder = new TextDecoder("utf-8");
      try {
        decoder = new TextDecoder(bom || (declared ? declared[1] : "utf-8"));
      } catch (_) { /* an encoding the browser does not know: read as UTF-8 */ }
      return decoder.decode(buffer).replace(/^(\s*<\?xml[^>]*encoding=["'])[^"']+/, "$1UTF-8");
    }

    const read = (file) => new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(decode(reader.result));
      reader.onerror = () => reject(reader.error || new Error("FileReader"));
      reader.readAsArrayBuffer(file);
    });

    async function open(file) {
      if (!file) return;
      const name = file.name;
      if (!/\.(bpmn|xml)$/i.test(name)) {
        report("error", say("wrongType", { name }));
        return;
      }
      report("reading", say("reading", { name }));
      const shown = modeler.getDefinitions();
      let previous = null;
      try {
        previous = (await modeler.saveXML({ format: true })).xml;
      } catch (_) { /* nothing drawn that can be written: nothing to put back either */ }
      try {
        const { warnings } = await modeler.importXML(await read(file));
        modeler.get("thiduaView").fit();
        // The problems the server listed were about the diagram that is gone.
        document.getElementById("modeler-problems").replaceChildren();
        document.getElementById("modeler-status").textContent = "";
        delete box.dataset.saved;
        box.dispatchEvent(new CustomEvent("thidua:file-opened", { detail: { name } }));
        if (warnings && warnings.length) {
          report("warnings", say("warned", { name, count: warnings.length }), warnings.map((w) => w.message));
        } else {
          report("ok", say("opened", { name }));
        }
      } catch (error) {
        if (previous && modeler.getDefinitions() !== shown) {  // unread files leave it untouched (and its undo)
          try {
            await modeler.importXML(previous);
            modeler.get("thiduaView").fit();
          } catch (_) { /* it was imported once; cannot fail again */ }
        }
        const warnings = (error && error.warnings) || [];
        report("error", say("failed", { name, error: (error && error.message) || String(error) }),
          warnings.map((w) => w.message));
      }
    }

    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      input.value = "";  // the same file can be opened again (after changes to it elsewhere)
      open(file);
    });
    const highlight = (on) => {  // where a dragged file will land (styled here: app.css is the whole site's)
      canvas.classList.toggle("modeler-drop-target", on);
      canvas.style.outline = on ? "3px dashed #1864ab" : "";
    };
    const carriesFiles = (event) => Boolean(event.dataTransfer)
      && Array.from(event.dataTransfer.types || []).includes("Files");
    canvas.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      highlight(true);
    });
    canvas.addEventListener("dragleave", () => highlight(false));
    canvas.addEventListener("drop", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.stopPropagation();
      highlight(false);
      open(event.dataTransfer.files[0]);
    });
    // A file dropped anywhere else would make the browser open it in place of the editor (and the work in it).
    for (const type of ["dragover", "drop"]) {
      window.addEventListener(type, (event) => { if (carriesFiles(event)) event.preventDefault(); });
    }
  }

  // Leaving the editor with unsaved work asks first (the browser's own "leave site?" question): any change made in
  // the modeler (its command stack) or a file opened into it, until a deployment succeeds (the page then goes to
  // the new version) or the server finds the diagram unchanged. box.dataset.unsaved says which it is.
  function guardUnsaved(modeler, box) {
    let unsaved = false;
    const mark = (value) => {
      unsaved = value;
      box.dataset.unsaved = String(value);
    };
    mark(false);
    // "clear": an import (the page's own, or a file's, which is marked below) empties the stack; no edit.
    modeler.on("commandStack.changed", (event) => { if (event.trigger !== "clear") mark(true); });
    box.addEventListener("thidua:file-opened", () => mark(true));
    new MutationObserver(() => {
      if (box.dataset.saved === "ok" || box.dataset.saved === "unchanged") mark(false);
    }).observe(box, { attributes: true, attributeFilter: ["data-saved"] });
    window.addEventListener("beforeunload", (event) => {
      // data-saved is read here too: a successful deployment navigates before the observer above has run.
      if (!unsaved || box.dataset.saved === "ok") return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const box = document.querySelector("[data-testid=modeler]");
    if (!box) return;
    const status = document.getElementById("modeler-status");
    const list = document.getElementById("modeler-problems");
    const catalogue = document.getElementById("modeler-i18n");
    // The "Thi đua" group's texts and the role@level choices of a lane (service/web/processes.py modeler_setup).
    const setupTag = document.getElementById("modeler-setup");
    const setup = setupTag ? JSON.parse(setupTag.textContent) : {};
    const modeler = window.ThiduaModeler({
      translations: { ...(catalogue ? JSON.parse(catalogue.textContent) : {}), ...(setup.translations || {}) },
      thidua: { laneOptions: setup.laneOptions || [] },
      container: document.getElementById("modeler-canvas"),
      propertiesPanel: { parent: document.getElementById("modeler-panel") },
    });
    window.thiduaModeler = modeler;
    let marked = [];
    try {
      await modeler.importXML(document.getElementById("modeler-xml").value);
      modeler.get("thiduaView").fit();
      box.dataset.ready = "true";
    } catch (error) {
      status.textContent = error.message;
      box.dataset.ready = "error";
      return;
    }
    openFiles(modeler, box);
    guardUnsaved(modeler, box);

    function showProblems(problems) {
      const canvas = modeler.get("canvas");
      const registry = modeler.get("elementRegistry");
      for (const id of marked) if (registry.get(id)) canvas.removeMarker(id, "bpmn-problem");
      marked = [];
      list.replaceChildren();
      for (const p of problems) {
        const item = document.createElement("li");
        item.dataset.elementId = p.element_id || "";
        // The server words each problem (p.label: the element by name, its id in parentheses, the line).
        item.textContent = p.label || `${p.element_id || "—"}${p.line ? ` (${p.line})` : ""}: ${p.message}`;
        list.append(item);
        if (p.element_id && registry.get(p.element_id)) {
          canvas.addMarker(p.element_id, "bpmn-problem");
          marked.push(p.element_id);
        }
      }
    }

    // A deploy refused for its version note (missing, too long): put the cursor in the note field.
    function focusComment(form, data) {
      if (data.field === "comment" && form.elements.comment) form.elements.comment.focus();
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
        focusComment(event.target, data);
      }
    });
  });
})();
