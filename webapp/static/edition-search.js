/* The static edition's search page (webapp/templates/edition/search.html): Pagefind's UI,
   its result links below the edition's root (the folder holding pagefind/), wherever the
   edition lies; a ?q= from the header's search form starts the search. */
(function () {
  "use strict";
  var element = document.getElementById("pagefind-suche");
  var bundle = document.querySelector('script[src$="pagefind/pagefind-ui.js"]');
  if (!element || !bundle || typeof PagefindUI === "undefined") {
    return;
  }
  if (window.location.protocol === "file:") {
    document.getElementById("suche-datei").hidden = false;
  }
  var root = new URL("..", bundle.src).pathname;
  var ui = new PagefindUI({ element: "#pagefind-suche", baseUrl: root, showImages: false });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
