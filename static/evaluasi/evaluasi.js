/*
 * Evaluasi: live predikat preview on the rating page. The server computes the stored predikat;
 * this only mirrors the regulation's 3x3 matrix (embedded as JSON by the page) while choosing.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-penilaian-form]");
  var dataEl = document.getElementById("matriks-data");
  var labelEl = document.getElementById("label-predikat");
  if (!form || !dataEl || !labelEl) { return; }
  var matriks = JSON.parse(dataEl.textContent);
  var labels = JSON.parse(labelEl.textContent);
  var out = document.querySelector("[data-predikat-preview]");

  function checked(name) {
    var el = form.querySelector("input[name='" + name + "']:checked");
    return el ? el.value : "";
  }

  function update() {
    var hk = checked("rating_hasil_kerja");
    var pk = checked("rating_perilaku_kerja");
    document.querySelectorAll(".matriks td[data-hk]").forEach(function (td) {
      td.classList.toggle("aktif", td.getAttribute("data-hk") === hk && td.getAttribute("data-pk") === pk);
    });
    if (!out) { return; }
    var p = hk && pk ? matriks[hk + "|" + pk] : "";
    out.innerHTML = "";
    if (p) {
      var span = document.createElement("span");
      span.className = "badge pred pred-" + p;
      span.textContent = labels[p];
      out.appendChild(span);
    } else {
      out.textContent = out.getAttribute("data-kosong") || "";
    }
  }

  form.addEventListener("change", update);
  update();
})();
