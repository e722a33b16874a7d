// The desk's little JavaScript: it only saves a click. Every page works
// without it (the forms submit, the links navigate).
document.addEventListener("DOMContentLoaded", function () {
  // A filter that changes submits its form.
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // The print button of the announcement.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
  // Search narrows the standings as one types, before the form is sent.
  var q = document.getElementById("q");
  var table = document.getElementById("standings");
  if (q && table) {
    q.addEventListener("input", function () {
      var v = q.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.hidden = v !== "" && tr.textContent.toLowerCase().indexOf(v) < 0;
      });
    });
  }
  // A reduction needs its points: the field asks before the form is sent.
  document.querySelectorAll("button.whatif-reduced").forEach(function (b) {
    b.addEventListener("click", function (ev) {
      var pts = b.form.querySelector("input[name=points]");
      if (pts && pts.value === "") { ev.preventDefault(); pts.focus(); }
    });
  });
});
