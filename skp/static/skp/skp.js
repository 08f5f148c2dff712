/*
 * SKP pages: small behaviours on top of htmx (no framework).
 *
 * 1. Indicator rows of a result form: "Tambah indikator" clones <template data-indikator-template>
 *    (1 to data-maks-indikator rows; a new row gets an unused aspek), the x button removes a row.
 *    Row numbers may have gaps: the server reads them in order and renumbers.
 * 2. Event "skpVersi" (HX-Trigger after every successful edit): every versi field of that SKP on this
 *    page takes the new value, so the other forms of this tab don't get a false version conflict.
 * 3. Inbox: "pilih semua" and the count on "Setujui yang dipilih".
 */
(function () {
  "use strict";

  // ---- 1. indicator rows
  function rowsOf(form) {
    return form.querySelectorAll("[data-indikator-list] [data-indikator-row]");
  }

  function refresh(form) {
    var max = parseInt(form.getAttribute("data-maks-indikator") || "4", 10);
    var rows = rowsOf(form);
    var add = form.querySelector("[data-indikator-tambah]");
    if (add) {
      add.disabled = rows.length >= max;
    }
    rows.forEach(function (row) {
      var del = row.querySelector("[data-indikator-hapus]");
      if (del) {
        del.disabled = rows.length <= 1;
      }
    });
  }

  function nextIndex(form) {
    var max = -1;
    form.querySelectorAll("[data-indikator-list] [name^='indikator-']").forEach(function (el) {
      var n = parseInt(el.name.split("-")[1], 10);
      if (!isNaN(n) && n > max) {
        max = n;
      }
    });
    return max + 1;
  }

  function addRow(form) {
    var tpl = form.querySelector("template[data-indikator-template]");
    var list = form.querySelector("[data-indikator-list]");
    if (!tpl || !list) {
      return;
    }
    var i = String(nextIndex(form));
    var holder = document.createElement("div");
    holder.innerHTML = tpl.innerHTML.replace(/__i__/g, i);
    var row = holder.firstElementChild;
    var used = {};
    form.querySelectorAll("[data-indikator-list] select[data-field='aspek']").forEach(function (s) {
      used[s.value] = true;
    });
    var select = row.querySelector("select[data-field='aspek']");
    if (select) {
      for (var k = 0; k < select.options.length; k++) {
        if (select.options[k].value && !used[select.options[k].value]) {
          select.value = select.options[k].value;
          break;
        }
      }
    }
    list.appendChild(row);
    refresh(form);
    var focus = row.querySelector("[data-field='iki']");
    if (focus) {
      focus.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-indikator-tambah]");
    if (add) {
      event.preventDefault();
      addRow(add.closest("form"));
      return;
    }
    var del = event.target.closest("[data-indikator-hapus]");
    if (del) {
      event.preventDefault();
      var form = del.closest("form");
      if (rowsOf(form).length > 1) {
        del.closest("[data-indikator-row]").remove();
      }
      refresh(form);
    }
  });

  function refreshAll(root) {
    (root || document).querySelectorAll("form[data-maks-indikator]").forEach(refresh);
    if (root && root.matches && root.matches("form[data-maks-indikator]")) {
      refresh(root);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    refreshAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    refreshAll(event.target);
  });

  // ---- 2. versi of the SKP after an edit in this tab
  document.body.addEventListener("skpVersi", function (event) {
    var d = event.detail || {};
    if (d.skp === undefined || d.versi === undefined) {
      return;
    }
    document.querySelectorAll("input[name='versi'][data-skp='" + String(d.skp) + "']").forEach(function (el) {
      el.value = String(d.versi);
    });
  });

  // ---- 3. inbox selection
  function updateCount(form) {
    var n = form.querySelectorAll("input[data-pilih]:checked").length;
    var label = form.querySelector("[data-pilih-jumlah]");
    if (label) {
      label.textContent = String(n);
    }
    var btn = form.querySelector("[data-pilih-tombol]");
    if (btn) {
      btn.disabled = n === 0;
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-pilih-form]");
    if (!form) {
      return;
    }
    if (event.target.matches("[data-pilih-semua]")) {
      form.querySelectorAll("input[data-pilih]").forEach(function (c) {
        c.checked = event.target.checked;
      });
    }
    updateCount(form);
  });
  document.querySelectorAll("form[data-pilih-form]").forEach(updateCount);
})();
