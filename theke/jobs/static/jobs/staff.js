// Copy the Parkplatz link shown once on the job page (no inline script: CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.querySelector(button.getAttribute("data-copy"));
  var status = document.getElementById("copy-status");
  if (!input) return;
  input.select();
  var done = function () { if (status) status.textContent = status.getAttribute("data-copied-text"); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
