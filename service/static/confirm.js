// A destructive form asks first: a form (or the button that sends it) with data-confirm="…" shows that question,
// in the page's language, and is sent only if the official answers OK. Without JavaScript the form is sent as it
// always was. One listener for the whole page, so forms added later are covered too.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
