// The founder wizard's few enhancements. Every page works without this file: Next, Back and
// "Count tokens" are plain form submits, and the server re-renders what was typed.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // Errors: move focus to the summary so keyboard and screen-reader users land on it.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();

    var form = document.getElementById("wizard-form");
    if (!form) return;

    // Jumping to another step through the progress bar: submit the form with `goto`, so what
    // was typed in the last 0.8 s (not autosaved yet) is saved on the way. Ctrl/Cmd-click
    // and middle-click keep their usual meaning.
    document.querySelectorAll(".progress a[data-goto]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
            event.shiftKey || event.altKey) return;
        var input = form.querySelector("[data-goto-input]");
        if (!input) return;
        event.preventDefault();
        input.value = link.getAttribute("data-goto");
        form.submit();
      });
    });

    // Closing the tab within the 0.8 s autosave delay would lose the last keystrokes: send
    // what is pending with a beacon as the page goes away (not when Next/Back submit it).
    var dirty = false;
    var submitting = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { submitting = true; });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt === form && event.detail.successful) dirty = false;
    });
    function flush() {
      if (!dirty || submitting || !navigator.sendBeacon) return;
      var url = form.getAttribute("hx-post");
      if (url && navigator.sendBeacon(url, new FormData(form))) dirty = false;
    }
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });

    var status = document.getElementById("save-status");
    function say(text) { if (status) status.textContent = text; }

    // Autosave feedback: htmx swaps in "Saved" on success; failures are said here.
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt === form) say("Saving…");
    });
    // Failures of any request from the form (autosave, "Count tokens") are said in one place.
    form.addEventListener("htmx:responseError", function (event) {
      var code = event.detail.xhr.status;
      if (code === 410) {
        say(event.detail.xhr.responseText.trim() || "This link no longer works.");
      } else if (code === 429) {
        say("Saving paused for a moment — your answers are saved when you continue.");
      } else {
        say("Could not save just now — your answers are saved when you continue.");
      }
    });
    form.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt === form) say("You seem to be offline — keep this page open and continue when you are back.");
    });
  });
})();
