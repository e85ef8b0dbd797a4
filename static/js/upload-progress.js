/* Upload progress for forms marked data-upload-progress (progressive enhancement).
   Without JavaScript the form posts as usual; with it, the file is sent in the background
   while a progress bar and a polite status message show how far it is, and the page the
   server answers with (the document page or the form with its errors) replaces this one. */
(function () {
  "use strict";

  function selectedFiles(form) {
    var files = [];
    form.querySelectorAll('input[type="file"]').forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { files.push(file); });
    });
    return files;
  }

  function showPage(xhr) {
    var doc = xhr.response;
    if (!doc || !doc.body) {
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.history.pushState(null, "", xhr.responseURL);
    }
    doc.body.querySelectorAll("script").forEach(function (el) { el.remove(); });
    document.title = doc.title;
    document.body.replaceWith(document.importNode(doc.body, true));
    var main = document.getElementById("inhalt");
    if (main) { main.focus(); }
    setUp();
  }

  function enhance(form) {
    var box = form.querySelector("[data-upload-status]");
    if (!box || form.dataset.uploadReady) { return; }
    form.dataset.uploadReady = "1";
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-upload-text]");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);

    function say(text) { status.textContent = text; }

    form.addEventListener("submit", function (event) {
      var files = selectedFiles(form);
      if (!files.length) { return; }  /* nothing large to send: a normal submit */
      if (maxBytes && files.some(function (f) { return f.size > maxBytes; })) {
        event.preventDefault();
        box.hidden = false;
        status.setAttribute("role", "alert");
        say(box.getAttribute("data-text-too-large"));
        return;
      }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      var buttons = form.querySelectorAll('button[type="submit"], input[type="submit"]');
      buttons.forEach(function (b) { b.disabled = true; });
      var announced = -10;
      box.hidden = false;
      status.setAttribute("role", "status");
      bar.value = 0;

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.responseType = "document";
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.floor((e.loaded / e.total) * 100);
        bar.value = percent;
        bar.textContent = percent + " %";
        if (percent >= announced + 10) {  /* screen readers hear every tenth, not every step */
          announced = percent - (percent % 10);
          say(box.getAttribute("data-text-progress").replace("{percent}", String(percent)));
        }
      });
      xhr.upload.addEventListener("load", function () { say(box.getAttribute("data-text-done")); });
      xhr.addEventListener("load", function () { showPage(xhr); });
      xhr.addEventListener("error", function () {
        buttons.forEach(function (b) { b.disabled = false; });
        status.setAttribute("role", "alert");
        say(box.getAttribute("data-text-failed"));
      });
      xhr.send(data);
    });
  }

  function setUp() {
    document.querySelectorAll("form[data-upload-progress]").forEach(enhance);
  }

  if (!window.FormData || !window.XMLHttpRequest || !("upload" in new XMLHttpRequest())) { return; }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
