// kycdesk back-office: the little plain JS the pages need. No inline handlers (CSP forbids them).
(function () {
  "use strict";

  // Level editor: remove a requirement row, or move it up or down (the order is the form order).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-row-action]");
    if (!button) {
      return;
    }
    var row = button.closest(".req-row");
    var action = button.getAttribute("data-row-action");
    if (action === "remove") {
      row.remove();
    } else if (action === "up" && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (action === "down" && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    }
    event.preventDefault();
  });

  // Toasts: dismiss on click.
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".toast-close");
    if (close) {
      close.closest(".toast").remove();
    }
  });

  // Document viewer: open one or two documents, zoom, rotate, fit. Opening loads the original,
  // which the server records in the audit trail.
  var state = { scale: 1, rotation: 0 };

  function viewer() {
    return document.getElementById("viewer");
  }

  function apply() {
    document.querySelectorAll("#viewer-panes img").forEach(function (img) {
      img.style.transform = "scale(" + state.scale + ") rotate(" + state.rotation + "deg)";
    });
  }

  function open(links) {
    var panes = document.getElementById("viewer-panes");
    if (!panes) {
      return false;
    }
    panes.replaceChildren();
    links.forEach(function (link) {
      var pane = document.createElement("div");
      pane.className = "viewer-pane";
      var src = link.getAttribute("data-viewer-src");
      if (link.getAttribute("data-viewer-pdf") === "true") {
        // PDFs are served as attachments (they may carry script): offer the file, never frame it.
        var download = document.createElement("a");
        download.href = src;
        download.textContent = "Download the PDF";
        pane.appendChild(download);
      } else {
        var img = document.createElement("img");
        img.src = src;
        img.alt = link.querySelector(".thumb-caption") ? link.querySelector(".thumb-caption").textContent : "document";
        pane.appendChild(img);
      }
      panes.appendChild(pane);
    });
    state = { scale: 1, rotation: 0 };
    apply();
    viewer().hidden = false;
    viewer().scrollIntoView({ behavior: "smooth", block: "start" });
    return true;
  }

  document.addEventListener("click", function (event) {
    var thumb = event.target.closest("a[data-viewer-src]");
    if (thumb && open([thumb])) {
      event.preventDefault();
      return;
    }
    var compare = event.target.closest("[data-viewer-compare]");
    if (compare) {
      var group = compare.getAttribute("data-viewer-compare");
      var links = Array.prototype.filter.call(document.querySelectorAll("a[data-viewer-group]"), function (a) {
        return a.getAttribute("data-viewer-group") === group;
      });
      open(links);
      return;
    }
    var action = event.target.closest("[data-viewer-action]");
    if (!action) {
      return;
    }
    switch (action.getAttribute("data-viewer-action")) {
      case "zoom-in": state.scale = Math.min(state.scale * 1.25, 8); break;
      case "zoom-out": state.scale = Math.max(state.scale / 1.25, 0.25); break;
      case "rotate": state.rotation = (state.rotation + 90) % 360; break;
      case "fit": state.scale = 1; state.rotation = 0; break;
      case "close": viewer().hidden = true; document.getElementById("viewer-panes").replaceChildren(); return;
    }
    apply();
  });
})();
