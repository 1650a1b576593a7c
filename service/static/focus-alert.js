// A page rendered with a refusal (a form sent back with its error, a flashed error) puts the keyboard focus on
// the message, so that a keyboard or screen-reader user lands on it and hears it instead of starting again at
// the top of the page. The message is the first role="alert" in <main>; a later Tab goes on from there.
document.addEventListener("DOMContentLoaded", () => {
  const alert = document.querySelector("main [role=alert]");
  if (!alert) return;
  if (!alert.hasAttribute("tabindex")) alert.setAttribute("tabindex", "-1");
  alert.focus();
});
