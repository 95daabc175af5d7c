// Closes alerts with a close button (data-bs-dismiss="alert") on pages that spare
// themselves Bootstrap's script (the customer's estimate pages).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest('[data-bs-dismiss="alert"]');
  const alert = button && button.closest(".alert");
  if (alert) alert.remove();
});
