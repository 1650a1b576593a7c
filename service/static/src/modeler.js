// BPMN modeler for admins: bpmn-js Modeler + the standard properties panel + our own "Thi đua" group.
// Bundled at build time by scripts/build-assets.sh (esbuild) into service/static/vendor/modeler/.
// Exposes window.ThiduaModeler (the constructor) and, once a page mounts it, window.thiduaModeler (the instance).
// The editor speaks the page's language through bpmn-js's documented `translate` override: the page passes a
// catalogue (English template → translation, from service/web/i18n.py) as options.translations; nothing is
// translated inside this bundle.
import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, useService } from "bpmn-js-properties-panel";
import { CheckboxEntry, TextFieldEntry, isCheckboxEntryEdited, isTextFieldEntryEdited } from "@bpmn-io/properties-panel";
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

function decisionEntry(props) {
  const { element, id, label } = props;
  const debounce = useService("debounceInput");
  const translate = useService("translate");
  return h(TextFieldEntry, {
    element, id, label, debounce, disabled: true,
    description: `= mã công việc + _decision; đổi mã ở nhóm ${translate("General")}`,
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
    setValue: (checked) => modeling.updateProperties(source, { default: checked ? getBusinessObject(element) : undefined }),
  });
}

function thiduaEntries(element) {
  if (is(element, "bpmn:Lane")) {
    return [{ id: "thidua-lane-role", component: nameEntry, element, isEdited: isTextFieldEntryEdited,
      label: "Vai trò@cấp", description: "ví dụ office_clerk@ward, chairman@province" }];
  }
  if (is(element, "bpmn:UserTask")) {
    return [
      { id: "thidua-task-name", component: nameEntry, element, isEdited: isTextFieldEntryEdited, label: "Tên công việc" },
      { id: "thidua-task-decision", component: decisionEntry, element, label: "Biến quyết định" },
    ];
  }
  if (is(element, "bpmn:SequenceFlow") && element.source && is(element.source, "bpmn:ExclusiveGateway")) {
    return [
      { id: "thidua-flow-condition", component: conditionEntry, element, isEdited: isTextFieldEntryEdited, label: "Điều kiện" },
      { id: "thidua-flow-default", component: defaultFlowEntry, element, isEdited: isCheckboxEntryEdited, label: "Luồng mặc định" },
    ];
  }
  return [];
}

function ThiduaPropertiesProvider(propertiesPanel, translate) {
  this.getGroups = (element) => (groups) => {
    const entries = thiduaEntries(element);  // the panel passes each entry's fields (label, …) as props
    if (entries.length) groups.unshift({ id: "thidua", label: "Thi đua", entries, shouldOpen: true });
    // The panel's group and list components ("Toggle section", "Create new list item"…) translate only with the
    // translate function handed to them; the standard provider does not hand it, so every group gets ours.
    // Priority 400 runs after the standard provider (1000), so its groups are already here.
    return groups.map((group) => ({ translate, ...group }));
  };
  propertiesPanel.registerProvider(400, this);  // checks that getGroups exists, so after defining it
}
ThiduaPropertiesProvider.$inject = ["propertiesPanel", "translate"];

const ThiduaPropertiesModule = {
  __init__: ["thiduaPropertiesProvider"],
  thiduaPropertiesProvider: ["type", ThiduaPropertiesProvider],
};

export default function ThiduaModeler({ translations = {}, ...options }) {
  const TranslateModule = { translate: ["value", makeTranslate(translations)] };
  return new Modeler({
    ...options,
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ThiduaPropertiesModule, TranslateModule,
    ],
  });
}
window.ThiduaModeler = ThiduaModeler;
