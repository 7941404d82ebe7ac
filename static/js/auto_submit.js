// A control marked data-auto-submit sends its form when changed (the queue's sort choice).
// In a file, not an onchange= attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("change", (event) => {
  const control = event.target.closest("[data-auto-submit]");
  if (control && control.form) {
    control.form.submit();
  }
});
