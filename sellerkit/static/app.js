// sellerkit's only script: copy a reply for platforms without a connection, insert saved replies, pick a new shop's timezone.
(function () {
  "use strict";

  // Without a secure context (plain http on a LAN address) there is no clipboard API: select the text so that
  // the seller's own copy keys take it, and say which ones.
  function selectForCopy(button, source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var hint = document.getElementById(button.getAttribute("data-copy") + "-hint");
    if (hint) { hint.textContent = button.getAttribute("data-copy-by-hand"); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    if (!navigator.clipboard) { selectForCopy(button, source); return; }
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = button.getAttribute("data-copied");
    }, function () { selectForCopy(button, source); });
  });

  // The create-shop form: choose the browser's own timezone when the list offers it.
  var zones = document.querySelector("select[data-browser-timezone]");
  if (zones && window.Intl) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zones.querySelector('option[value="' + zone + '"]')) { zones.value = zone; }
  }

  var composer = document.getElementById("body");
  var used = document.querySelector("[data-used-replies]");
  if (!composer || !used) { return; }

  function remember(id) {
    var ids = used.value ? used.value.split(",") : [];
    if (ids.indexOf(id) < 0) { ids.push(id); }
    used.value = ids.join(",");
  }

  // Insert at the caret (replacing `start`..`end`), so several replies can go into one message.
  function insert(text, start, end) {
    var before = composer.value.slice(0, start), after = composer.value.slice(end);
    composer.value = before + text + after;
    composer.focus();
    composer.selectionStart = composer.selectionEnd = before.length + text.length;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-reply]");
    if (!button) { return; }
    event.preventDefault();  // a suggestion is also a link, for browsers without this script
    insert(button.getAttribute("data-text"), composer.selectionStart, composer.selectionEnd);
    remember(button.getAttribute("data-insert-reply"));
  });

  // Alt+1..3 inserts the suggested reply of that number. The key's position, not its character: a Persian
  // keyboard types ۱ there.
  document.addEventListener("keydown", function (event) {
    var typed = /^Digit([1-3])$/.exec(event.code || "");
    if (!typed || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var suggestion = document.querySelector('[data-suggestion="' + typed[1] + '"]');
    if (!suggestion) { return; }
    event.preventDefault();
    suggestion.click();
  });

  var search = document.querySelector("[data-picker-search]");
  function filter() {
    var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    document.querySelectorAll("[data-picker-list] [data-insert-reply]").forEach(function (button) {
      // The title (with its shortcut) and the text as filled in; the page does not write them twice for this.
      var title = button.querySelector("span").textContent;
      var haystack = (title + " " + button.getAttribute("data-text")).toLowerCase();
      var match = words.every(function (word) { return haystack.indexOf(word) >= 0; });
      button.parentElement.hidden = !match;
    });
  }
  if (search) { search.addEventListener("input", filter); }

  // The saved replies, filled in for this buyer by the server, load once: when the seller opens the list or
  // starts writing (so that a shortcut finds its reply). A failed load can be retried by opening the list again.
  var picker = document.querySelector("[data-picker]");
  var list = picker && picker.querySelector("[data-picker-list]");
  var loading = null;
  function loadReplies() {
    if (!list) { return Promise.resolve(); }
    if (!loading) {
      loading = fetch(picker.getAttribute("data-picker"), {credentials: "same-origin"}).then(function (answer) {
        if (!answer.ok) { throw new Error("HTTP " + answer.status); }
        return answer.text();
      }).then(function (items) {
        list.innerHTML = items;
        filter();
      }).catch(function () {
        loading = null;
        var failed = document.createElement("li");
        failed.className = "error";
        failed.textContent = picker.getAttribute("data-picker-failed");
        list.replaceChildren(failed);
      });
    }
    return loading;
  }
  if (picker) {
    picker.addEventListener("toggle", function () { if (picker.open) { loadReplies(); } });
  }
  composer.addEventListener("focus", loadReplies);

  // "/shortcut" followed by a space or a new line becomes the saved reply.
  function expandShortcut() {
    var caret = composer.selectionStart;
    var typed = composer.value.slice(0, caret).match(/(^|\s)\/([\p{L}\p{M}\p{N}-]+)\s$/u);
    if (!typed) { return; }
    var button = document.querySelector('[data-shortcut="' + CSS.escape(typed[2]) + '"]');
    if (!button || !typed[2]) { return; }
    insert(button.getAttribute("data-text"), caret - typed[2].length - 2, caret);
    remember(button.getAttribute("data-insert-reply"));
  }
  composer.addEventListener("input", function () { loadReplies().then(expandShortcut); });
}());
