// kycdesk back-office: the little plain JS the pages need. No inline handlers (CSP forbids them).
document.addEventListener("click", function (event) {
  var close = event.target.closest(".toast-close");
  if (close) {
    close.closest(".toast").remove();
  }
});
