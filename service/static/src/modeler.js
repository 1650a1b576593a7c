// BPMN modeler for admins: bpmn-js Modeler + the standard properties panel + our own "Thi đua" group.
// Bundled at build time by scripts/build-assets.sh (esbuild) into service/static/vendor/modeler/.
// Exposes window.ThiduaModeler (the constructor) and, once a page mounts it, window.thiduaModeler (the instance).
// The editor speaks the page's language through bpmn-js's documented `translate` override: the page passes a
// catalogue (English template → translation, from service/web/i18n.py) as options.translations; nothing is
// translated inside this bundle. Our "Thi đua" group's own texts are English templates too, passed to the same
// translate service (their Vietnamese: service/web/modeler_catalogue.py, THIDUA_GROUP_VI).
// options.thidua.laneOptions: the role@level values a lane may take, in words, grouped by level (from the server:
// service/web/processes.py), offered as a choice list.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, useService } from "bpmn-js-properties-panel";
import {
  CheckboxEntry, SelectEntry, TextFieldEntry, isCheckboxEntryEdited, isSelectEntryEdited, isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";

function nameEntry(props) {
  const { element, id, label, description } = props;
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => getBusinessObject(element).get("name") || "",
    setValue: (value) => modeling.updateProperties(element, { name: value }),
  });
}

// bpmn-js's `translate` service: the template looked up in the catalogue (English text when missing), then its
// {name} placeholders filled from the replacements (left as they are when a replacement is missing).
function makeTranslate(catalogue) {
  return function translate(template, replacements) {
    if (typeof template !== "string") return template;
    const text = Object.prototype.hasOwnProperty.call(catalogue, template) ? catalogue[template] : template;
    return text.replace(/{([^}]+)}/g, (placeholder, key) =>
      (replacements && replacements[key] !== undefined ? String(replacements[key]) : placeholder));
  };
}

// A lane's role@level, chosen from the server's list (the options are the entry's `choices`: groups by level, each
// with its options { value, label }). A lane named otherwise (a diagram opened from a file) keeps its name, shown
// as it is at the top of the list until another is chosen; a lane with no name yet offers "choose…" first.
function laneRoleEntry(props) {
  const { element, id, label, description, choices } = props;
  const modeling = useService("modeling");
  const translate = useService("translate");
  const getValue = () => getBusinessObject(element).get("name") || "";
  const getOptions = () => {
    const value = getValue();
    const listed = choices.some((choice) => (choice.children || [choice]).some((option) => option.value === value));
    if (!value) return [{ value: "", label: translate("— choose a role and level —") }, ...choices];
    if (!listed) return [{ value, label: translate("{name} (not in the list)", { name: value }) }, ...choices];
    return choices;
  };
  return h(SelectEntry, {
    element, id, label, description, getValue, getOptions,
    setValue: (value) => modeling.updateProperties(element, { name: value }),
  });
}

function decisionEntry(props) {
  const { element, id, label } = props;
  const debounce = useService("debounceInput");
  const translate = useService("translate");
  return h(TextFieldEntry, {
    element, id, label, debounce, disabled: true,
    description: translate("= step ID + _decision; change the ID in the {group} group",
      { group: translate("General") }),
    getValue: () => `${getBusinessObject(element).get("id")}_decision`,
    setValue: () => {},
  });
}

function conditionEntry(props) {
  const { element, id, label } = props;
  const modeling = useService("modeling");
  const moddle = useService("moddle");
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element, id, label, debounce,
    getValue: () => {
      const expr = getBusinessObject(element).get("conditionExpression");
      return (expr && expr.get("body")) || "";
    },
    setValue: (value) => {
      const expr = value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined;
      modeling.updateProperties(element, { conditionExpression: expr });
    },
  });
}

function defaultFlowEntry(props) {
  const { element, id, label } = props;
  const modeling = useService("modeling");
  const source = element.source;
  return h(CheckboxEntry, {
    element, id, label,
    getValue: () => getBusinessObject(source).get("default") === getBusinessObject(element),
    setValue: (checked) => modeling.updateProperties(source,
      { default: checked ? getBusinessObject(element) : undefined }),
  });
}

function thiduaEntries(element, translate, laneOptions) {
  if (is(element, "bpmn:Lane")) {
    return [{ id: "thidua-lane-role", component: laneRoleEntry, element, isEdited: isSelectEntryEdited,
      choices: laneOptions, label: translate("Role@level"),
      description: translate("Who does this lane's steps, and at which level (the lane's name: the code in brackets)"),
    }];
  }
  if (is(element, "bpmn:UserTask")) {
    return [
      { id: "thidua-task-name", component: nameEntry, element, isEdited: isTextFieldEntryEdited,
        label: translate("Step name") },
      { id: "thidua-task-decision", component: decisionEntry, element, label: translate("Decision variable") },
    ];
  }
  if (is(element, "bpmn:SequenceFlow") && element.source && is(element.source, "bpmn:ExclusiveGateway")) {
    return [
      { id: "thidua-flow-condition", component: conditionEntry, element, isEdited: isTextFieldEntryEdited,
        label: translate("Condition") },
      { id: "thidua-flow-default", component: defaultFlowEntry, element, isEdited: isCheckboxEntryEdited,
        label: translate("Default flow") },
    ];
  }
  return [];
}

function ThiduaPropertiesProvider(propertiesPanel, translate, config) {
  const laneOptions = (config && config.laneOptions) || [];
  this.getGroups = (element) => (groups) => {
    const entries = thiduaEntries(element, translate, laneOptions);  // the panel passes each entry's fields as props
    if (entries.length) groups.unshift({ id: "thidua", label: translate("Commendation"), entries, shouldOpen: true });
    // The panel's group and list components ("Toggle section", "Create new list item"…) translate only with the
    // translate function handed to them; the standard provider does not hand it, so every group gets ours.
    // Priority 400 runs after the standard provider (1000), so its groups are already here.
    return groups.map((group) => ({ translate, ...group }));
  };
  propertiesPanel.registerProvider(400, this);  // checks that getGroups exists, so after defining it
}
ThiduaPropertiesProvider.$inject = ["propertiesPanel", "translate", "config.thidua"];

// The diagram fitted into the canvas beside the palette (which floats over the canvas's left edge): scaled down
// (never up) to fit the room right of the palette, with a margin, and centred in it. An empty diagram stays as is.
function ThiduaView(canvas) {
  this.fit = () => {
    const { width, height } = canvas.getSize();
    const inner = canvas.viewbox().inner;
    if (!width || !height || !inner.width || !inner.height) return;
    const container = canvas.getContainer();
    const palette = container.querySelector(".djs-palette");
    const margin = 24;
    const paletteRight = palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left : 0;
    const left = margin + Math.max(paletteRight, 0);
    const room = { width: Math.max(width - left - margin, 1), height: Math.max(height - 2 * margin, 1) };
    const scale = Math.min(room.width / inner.width, room.height / inner.height, 1);
    const x = left + (room.width - inner.width * scale) / 2;
    const y = margin + (room.height - inner.height * scale) / 2;
    canvas.viewbox({ x: inner.x - x / scale, y: inner.y - y / scale, width: width / scale, height: height / scale });
  };
}
ThiduaView.$inject = ["canvas"];

const ThiduaPropertiesModule = {
  __init__: ["thiduaPropertiesProvider"],
  thiduaPropertiesProvider: ["type", ThiduaPropertiesProvider],
  thiduaView: ["type", ThiduaView],
};

export default function ThiduaModeler({ translations = {}, thidua = {}, ...options }) {
  const TranslateModule = { translate: ["value", makeTranslate(translations)] };
  return new Modeler({
    ...options,
    thidua,
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ThiduaPropertiesModule, TranslateModule,
    ],
  });
}
window.ThiduaModeler = ThiduaModeler;
