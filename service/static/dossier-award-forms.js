// New-dossier form: each nominee row offers the award forms of the chosen campaign, under its names.
// The server renders the rows for the campaign selected on load and one <template data-award-options> per
// campaign; when the campaign changes, the rows take that campaign's options (keeping a choice still offered).
// An award form the unit's dossier cannot reach (its granting level abolished or not in the process) comes
// disabled, with why (data-unreachable): it is never kept nor chosen.
document.addEventListener("DOMContentLoaded", () => {
  const campaign = document.getElementById("campaign");
  if (!campaign) return;
  const optionsOf = (code) => document.querySelector(`template[data-award-options="${CSS.escape(code)}"]`);
  const offer = () => {
    const template = optionsOf(campaign.value);
    for (const select of document.querySelectorAll("select[data-award-select]")) {
      const kept = select.value;
      select.replaceChildren(...(template ? template.content.cloneNode(true).childNodes : []));
      const same = [...select.options].find((option) => option.value === kept && !option.disabled);
      if (same) same.selected = true;
    }
  };
  campaign.addEventListener("change", offer);
  // A browser that restored the form (back button) may show another campaign than the one rendered.
  if (campaign.value !== campaign.dataset.rendered) offer();
});
